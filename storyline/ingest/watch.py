"""Ingest stage: watch RSS/Atom feeds, polling each on an interval, politely, across restarts.

Each poll is a conditional GET: the ETag and Last-Modified the server gave last time go back as
If-None-Match and If-Modified-Since, so an unchanged feed costs a 304 and nothing else. Requests
to one host are spaced by ``watch_host_delay``. A feed that fails (dead host, HTTP error,
malformed feed) is polled again after a wait that doubles with each failure, up to
``watch_max_backoff``. The state lives in the database (``feed_state``) and is saved only after
the feed's new articles are stored, so a watcher killed at any point and started again neither
loses an entry (the feed is fetched again) nor stores one twice (articles are deduplicated by
URL and content).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from storyline.config import Settings
from storyline.errors import FeedError, IngestError, StorylineError
from storyline.ingest.feeds import articles_from_feed
from storyline.ingest.unexpected import unexpected_reason
from storyline.ingest.web import fetch, make_client
from storyline.model import Article, IngestFailure
from storyline.safe_text import one_line
from storyline.store import Store
from storyline.store.feeds import FeedState

Clock = Callable[[], float]


def read_feed_list(path: Path) -> list[str]:
    """Feed URLs of a text file, one per line; blank lines and "#" comments are skipped."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise IngestError(f"{path}: cannot read the feed list ({exc})") from exc
    urls, bad = [], []
    for number, line in enumerate(lines, start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = urlsplit(line)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            bad.append(f"line {number}: {line!r}")
            continue
        urls.append(line)
    if bad:
        raise IngestError(
            f"{path}: not http(s) feed URLs: {'; '.join(bad)}; write one URL per line"
        )
    if not urls:
        raise IngestError(f"{path}: no feed URLs in it; write one URL per line")
    return list(dict.fromkeys(urls))


@dataclass(slots=True)
class Poll:
    """What one poll of a feed gave."""

    url: str
    status: str  # "new", "not modified" or "failed"
    items: list[Article | IngestFailure] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None


def poll(url: str, state: FeedState, client: httpx.Client, settings: Settings) -> Poll:
    """One conditional GET of a feed and, when it changed, its entries; any failure, even one
    nobody foresaw, is this feed's alone: the round goes on with the next feed."""
    try:
        return _poll(url, state, client, settings)
    except Exception as exc:
        return Poll(url, "failed", error=unexpected_reason(exc, "polling the feed"))


def _poll(url: str, state: FeedState, client: httpx.Client, settings: Settings) -> Poll:
    headers = {}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    try:
        fetched = fetch(url, client, settings, headers)  # streamed to the limit, under the policy
    except IngestError as exc:  # refused, unreachable, HTTP errors, too large: one line
        return Poll(url, "failed", error=str(exc).removeprefix(f"{url}: "))
    if fetched.status == 304:
        return Poll(url, "not modified", etag=state.etag, last_modified=state.last_modified)
    try:
        items = list(articles_from_feed(fetched.body, url, settings, client))
    except FeedError as exc:
        return Poll(url, "failed", error=str(exc))
    except IngestError as exc:  # a valid feed with no entries yet
        items = []
        if "no entries" not in str(exc):
            return Poll(url, "failed", error=str(exc))
    return Poll(url, "new", items, fetched.etag, fetched.last_modified)


@dataclass(slots=True)
class Outcome:
    """One feed's part in a watch cycle, for the log."""

    url: str
    status: str
    new: int = 0
    duplicates: int = 0
    failed: int = 0
    error: str | None = None
    next_poll: datetime | None = None


class Watcher:
    """Polls ``feeds`` into ``store``; ``ingest`` stores a poll's items and returns (new,
    duplicates, failed) counts (it also analyses and places them)."""

    def __init__(
        self,
        feeds: list[str],
        store: Store,
        settings: Settings,
        ingest: Callable[[list[Article | IngestFailure]], tuple[int, int, int]],
        clock: Clock = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.feeds = feeds
        self.store = store
        self.settings = settings
        self.ingest = ingest
        self.clock = clock
        self.sleep = sleep
        self._host_ready: dict[str, float] = {}

    def due(self, now: datetime) -> list[str]:
        """Feeds whose next poll time has come (never-polled feeds are due)."""
        return [
            url
            for url in self.feeds
            if (state := self.store.feed_state(url)).next_poll is None or state.next_poll <= now
        ]

    def cycle(self) -> Iterator[Outcome]:
        """Poll every due feed once, politely; yields each feed's outcome when it is stored."""
        with make_client(self.settings) as client:
            for url in self.due(datetime.now(UTC)):
                self._wait_for_host(url)
                state = self.store.feed_state(url)
                result = poll(url, state, client, self.settings)
                self._host_ready[_host(url)] = self.clock() + self.settings.watch_host_delay
                try:
                    outcome = self._record(state, result)
                except StorylineError:
                    raise  # the database failed: every later feed would fail the same way
                except Exception as exc:  # a bug storing this feed's articles: its failure
                    error = unexpected_reason(exc, "storing the feed's articles")
                    outcome = self._record(state, Poll(url, "failed", error=error))
                yield outcome

    def _wait_for_host(self, url: str) -> None:
        ready = self._host_ready.get(_host(url), 0.0)
        wait = ready - self.clock()
        if wait > 0:
            self.sleep(wait)

    def _record(self, state: FeedState, result: Poll) -> Outcome:
        now = datetime.now(UTC)
        error = one_line(result.error) if result.error else None  # one log line, whatever
        outcome = Outcome(state.url, result.status, error=error)
        if result.status == "failed":
            state.failures += 1
            state.last_error = error
            wait = min(
                self.settings.watch_interval * 2**state.failures, self.settings.watch_max_backoff
            )
        else:
            if result.items:
                outcome.new, outcome.duplicates, outcome.failed = self.ingest(result.items)
            # Saved only now: a kill before this point polls the feed again, unconditionally.
            state.etag, state.last_modified = result.etag, result.last_modified
            state.failures, state.last_error = 0, None
            state.articles += outcome.new
            wait = self.settings.watch_interval
        state.last_polled = now
        state.next_poll = now + timedelta(seconds=wait)
        outcome.next_poll = state.next_poll
        self.store.save_feed_state(state)
        return outcome

    def seconds_to_next(self) -> float:
        """How long until the next feed is due (0 when one is due now)."""
        now = datetime.now(UTC)
        times = [self.store.feed_state(url).next_poll for url in self.feeds]
        if any(t is None for t in times):
            return 0.0
        soonest = min(t for t in times if t is not None)
        return max(0.0, (soonest - now).total_seconds())


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
