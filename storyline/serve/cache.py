"""Serve: answers to reads kept until the database changes (`PageCache`, an ASGI middleware).

A story page, a brief or a page of the story list costs tens of milliseconds to build and is the
same for every reader until the next placement: under load, building it again for each request
is what limits the server. A GET of a cacheable path is answered from memory while the store's
change marker (`store.changes.ChangeWatch`: SQLite's data_version, PostgreSQL's WAL position) is
the one it was built under; any commit, by this server's jobs or another process, makes every
entry stale. Only complete 200 answers of at most MAX_BODY bytes are kept, at most MAX_ENTRIES
and MAX_BYTES in all, least recently used dropped first. Job, ingest, feed and health answers,
exports and model-written briefs are never cached. Answers say ``X-Cache: hit`` or ``miss``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from storyline.serve.security import ASGIApp, Message, Receive, Scope, Send

MAX_ENTRIES = 4096
MAX_BODY = 2_000_000
MAX_BYTES = 128_000_000
# What depends on stories only (kept across commits that place nothing), and what depends on
# articles and their annotations (kept until any commit).
STORY_PREFIXES = ("/stories/", "/api/v1/stories", "/map/", "/api/v1/events", "/api/v1/escalation")
ARTICLE_PREFIXES = (
    "/articles/",
    "/entities/",
    "/search",
    "/api/v1/articles",
    "/api/v1/search",
    "/api/v1/entities",
    "/api/v1/quotes",
    "/api/v1/claims",
)


def scope_of(path: str, query: bytes) -> str | None:
    """``"stories"`` or ``"articles"``: what a GET of ``path`` depends on; None: not cached."""
    if b"abstractive=true" in query.lower():  # a model's answer: not ours to repeat
        return None
    if path == "/" or path.startswith(STORY_PREFIXES):
        return "stories"
    return "articles" if path.startswith(ARTICLE_PREFIXES) else None


@dataclass(slots=True)
class Entry:
    marker: str
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


class PageCache:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app: ASGIApp, markers: Callable[[str], str]) -> None:
        self.app = app
        self.markers = markers
        self.entries: OrderedDict[bytes, Entry] = OrderedDict()
        self.size = 0
        self.hits = self.misses = 0
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        depends = None
        if scope["type"] == "http" and scope["method"] == "GET":
            depends = scope_of(scope["path"], scope.get("query_string", b""))
        if depends is None:
            await self.app(scope, receive, send)
            return
        key = scope["path"].encode() + b"?" + scope.get("query_string", b"")
        marker = self.markers(depends)
        with self._lock:
            entry = self.entries.get(key)
            if entry is not None and entry.marker == marker:
                self.entries.move_to_end(key)
                self.hits += 1
            else:
                entry = None
                self.misses += 1
        if entry is not None:
            headers = [*entry.headers, (b"x-cache", b"hit")]
            await send({"type": "http.response.start", "status": entry.status,
                        "headers": headers})  # fmt: skip
            await send({"type": "http.response.body", "body": entry.body})
            return
        start: Message = {}
        chunks: list[bytes] = []
        keep = True

        async def capture(message: Message) -> None:
            nonlocal keep
            if message["type"] == "http.response.start":
                start.update(message)
                keep = message["status"] == 200
                message = {**message, "headers": [*message["headers"], (b"x-cache", b"miss")]}
            elif message["type"] == "http.response.body" and keep:
                chunks.append(message.get("body", b""))
                keep = sum(len(c) for c in chunks) <= MAX_BODY
                if keep and not message.get("more_body", False):
                    self._keep(key, Entry(marker, start["status"], start["headers"],
                                          b"".join(chunks)))  # fmt: skip
            await send(message)

        await self.app(scope, receive, capture)

    def _keep(self, key: bytes, entry: Entry) -> None:
        headers = [(k, v) for k, v in entry.headers if k.lower() != b"set-cookie"]
        entry.headers = headers
        with self._lock:
            old = self.entries.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self.entries[key] = entry
            self.size += len(entry.body)
            while self.entries and (len(self.entries) > MAX_ENTRIES or self.size > MAX_BYTES):
                _, dropped = self.entries.popitem(last=False)
                self.size -= len(dropped.body)
