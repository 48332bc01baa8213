"""Clean stage: learn the lines an outlet's template repeats on its pages (issue 21).

A line found on many distinct pages of one host (the outlet's tagline, a newsletter box, a
footer the rules do not know) is furniture: cleaning removes it as ``site_repeated``. The memory
is an object the caller keeps and passes in, so stages stay free of the store: the ingest
driver keeps one for a run (pipeline.store_items), the feed watcher one across its polls, and a
backfill one per shard (each shard is cleaned in its own Ray task). Nothing is persisted.

What counts. Lines are compared normalised (case, digits and spacing ignored, so "© 2031" and
"© 2032" are one line), each page once (a page seen again, by its URL, is not counted again).
A line is furniture when it is on at least ``min_pages`` pages of its host and on at least
``min_share`` of the host's pages seen so far. Only lines that could be template text take part:
two words or more, and a line that ends as a sentence needs ``min_sentence_words`` words, so a
common short sentence ("No one was hurt.") that several reports of one outlet share is kept.
When repeated lines would take more than half of a page's sentences, the page is a copy of one
seen before (a republished story, an update at a new address), not a template: its sentences
are kept and left to copy detection.

The first pages. A page is judged when it is cleaned, against the pages seen before it and
itself, so the first ``min_pages - 1`` pages of a host keep lines that only later prove to
repeat. pipeline.store_items keeps a copy of those pages as read and, at the end of the run,
cleans again each one whose text holds such a line, replacing its stored text before analysis.
Not covered: a line that reaches ``min_share`` only after more pages, a backfill (each shard is
cleaned in a Ray task, with no second pass), and a watcher's first pages of a host polled in
separate polls (each poll is a run). Memory is bounded: past ``max_entries`` counted lines, the
rarest are dropped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from storyline.clean.furniture import is_sentence, word_count

_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
_EDGE = re.compile(r"^[\W_]+|[\W_]+$")


def host_of(url: str | None) -> str | None:
    """The host of ``url`` (lower case), or None when it has none or is malformed."""
    try:
        return urlsplit(url).hostname if url else None
    except ValueError:  # "http://[bad" and the like
        return None


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def line_key(line: str) -> int:
    """A 64-bit key of ``line`` normalised: case, digits, spacing and edge punctuation ignored."""
    return _hash(_EDGE.sub("", _SPACE.sub(" ", _DIGITS.sub("0", line.casefold()))))


@dataclass(slots=True)
class _Host:
    pages: int = 0
    seen_pages: set[int] = field(default_factory=set)
    counts: dict[int, int] = field(default_factory=dict)


@dataclass(slots=True)
class SiteLines:
    """Per host, on how many distinct pages each line was seen in this run."""

    min_pages: int = 3
    min_share: float = 0.2
    min_sentence_words: int = 8
    max_entries: int = 500_000
    max_pages_remembered: int = 100_000  # per host: pages past this may be counted twice
    _hosts: dict[str, _Host] = field(default_factory=dict)
    _entries: int = 0

    def eligible(self, line: str) -> bool:
        """Whether ``line`` may be judged by repetition at all (see the module docstring)."""
        words = word_count(line)
        return words >= 2 and (words >= self.min_sentence_words or not is_sentence(line))

    def judge(self, host: str, page: str, lines: Sequence[str]) -> set[int]:
        """Count the page ``page`` of ``host`` (once) and return the keys of its ``lines`` now
        seen on enough of the host's pages to be furniture."""
        record = self._hosts.setdefault(host, _Host())
        keys = {line_key(line): line for line in lines if self.eligible(line)}
        page_key = _hash(page)  # the address as it is: /news/1 and /news/2 are two pages
        if page_key not in record.seen_pages:
            if len(record.seen_pages) < self.max_pages_remembered:
                record.seen_pages.add(page_key)
            record.pages += 1
            for key in keys:
                count = record.counts.get(key, 0)
                record.counts[key] = count + 1
                self._entries += count == 0
            if self._entries > self.max_entries:
                self._prune()
        needed = max(self.min_pages, self.min_share * record.pages)
        repeated = {key for key in keys if record.counts.get(key, 0) >= needed}
        sentences = {key for key, line in keys.items() if is_sentence(line)}
        total = sum(len(keys[key]) for key in sentences)
        if total and sum(len(keys[key]) for key in repeated & sentences) > total / 2:
            repeated -= sentences  # a copy of a page seen before, not the site's template
        return repeated

    def pages(self, host: str) -> int:
        """How many distinct pages of ``host`` were counted."""
        record = self._hosts.get(host)
        return record.pages if record is not None else 0

    def page(self, host: str, page: str) -> SitePage:
        """One page of ``host`` (``page`` is its address), to be judged by this memory."""
        return SitePage(self, host, page)

    def _prune(self) -> None:
        """Drop the rarest lines until the memory holds half its bound."""
        floor = 1
        while self._entries > self.max_entries // 2:
            for record in self._hosts.values():
                record.counts = {k: c for k, c in record.counts.items() if c > floor}
            self._entries = sum(len(r.counts) for r in self._hosts.values())
            floor += 1


@dataclass(frozen=True, slots=True)
class SitePage:
    """A page of one host, as clean_text sees the site memory."""

    memory: SiteLines
    host: str
    address: str

    def repeated(self, lines: Sequence[str]) -> set[int]:
        """Count this page's ``lines`` and return the keys of those that are site furniture."""
        return self.memory.judge(self.host, self.address, lines)
