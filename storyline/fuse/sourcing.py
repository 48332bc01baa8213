"""Fuse stage: what every fused item shares, where it was read and how items are compared."""

from __future__ import annotations

import bisect
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TypeVar

from storyline.fuse.sentences import sentence_units
from storyline.model import Article, Span

T = TypeVar("T")


@dataclass(slots=True)
class Sourced:
    """Where a fused item was read: article, outlet, date and character span."""

    article_id: str
    span: Span
    outlet: str | None
    published: datetime | None
    text: str


def sourced(article: Article, start: int, end: int) -> Sourced:
    """The item at ``start:end`` of ``article``."""
    aid = article.id or ""
    return Sourced(
        aid, Span(aid, start, end), article.outlet, article.published, article.text[start:end]
    )


class Remembered(dict[str, T]):
    """Answers of ``compute`` for words or word pairs, each computed once (a briefing reads
    millions of words); emptied when it grows past ``limit``, as a long-running server reads an
    open vocabulary. Look up with ``remembered[key]`` (or its bound ``__getitem__`` in ``map``)."""

    def __init__(self, compute: Callable[[str], T], limit: int = 500_000) -> None:
        super().__init__()
        self.compute = compute
        self.limit = limit

    def __missing__(self, key: str) -> T:
        if len(self) > self.limit:
            self.clear()
        value = self[key] = self.compute(key)
        return value


def publication_order(published: datetime | None, ident: str) -> tuple[int, float, str]:
    """A sort key: earliest first, undated after dated, then by id so the order is stable."""
    if published is None:
        return (1, 0.0, ident)
    return (0, published.timestamp(), ident)


def earliest_first(articles: list[Article]) -> list[Article]:
    """Articles by publication time; undated ones last."""
    return sorted(articles, key=lambda a: publication_order(a.published, a.id or ""))


def first_published(sources: Iterable[Sourced]) -> datetime | None:
    """The earliest publication time among ``sources`` (None when none is dated)."""
    dates = [s.published for s in sources if s.published is not None]
    return min(dates) if dates else None


def origin_of(article: Article) -> str:
    """The article a copy was copied from, else the article itself: copies count once."""
    return article.duplicate_of or article.id or ""


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the sentence holding ``start`` (stretched to ``end``)."""
    spans = split_sentences(text)
    n = bisect.bisect_right(spans, (start, math.inf)) - 1
    if n >= 0 and spans[n][0] <= start < spans[n][1]:
        return spans[n][0], max(spans[n][1], end)
    return start, end


@lru_cache(maxsize=4096)
def split_sentences(text: str) -> tuple[tuple[int, int], ...]:
    """`sentence_units` of ``text`` (sentences, a quotation never cut), kept for the texts of the
    last few thousand articles: the briefing, the figures and the timeline of one story all read
    the same sentences."""
    return tuple(sentence_units(text))


def jaccard(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


class TokenIndex:
    """Finds earlier token sets that may share most of their tokens with a new one, without
    comparing it with all of them.

    Each set is indexed under its rarest tokens (its *prefix*, in one order for all: rarest first
    by ``frequency``). For a Jaccard of at least ``share``, two sets' prefixes always meet (the
    prefix filter of Chaudhuri et al., 2006), so only prefixes are looked up. With ``inside``, a
    set with at least that share of its own tokens in the other, whichever is smaller, is found
    too: the smaller set's ``inside`` prefix is among the larger one's tokens, so the new set's
    tokens are looked up among such prefixes, and its own such prefix among all tokens.
    Candidates still have to be checked: this only never misses one.
    """

    def __init__(self, frequency: Counter[str], share: float, inside: float | None = None) -> None:
        self.frequency = frequency
        self.share = share
        self.inside = inside
        self._by_prefix: dict[str, list[int]] = defaultdict(list)
        self._by_inside_prefix: dict[str, list[int]] = defaultdict(list)
        self._by_token: dict[str, list[int]] = defaultdict(list)

    def _rarest(self, tokens: Iterable[str]) -> list[str]:
        return sorted(tokens, key=lambda t: (self.frequency[t], t))

    @staticmethod
    def _prefix(ordered: list[str], share: float) -> list[str]:
        return ordered[: len(ordered) - math.ceil(share * len(ordered)) + 1]

    def prefix(self, tokens: Iterable[str]) -> list[str]:
        return self._prefix(self._rarest(tokens), self.share)

    def add(self, index: int, tokens: Iterable[str]) -> None:
        ordered = self._rarest(set(tokens))
        for token in self._prefix(ordered, self.share):
            self._by_prefix[token].append(index)
        if self.inside is not None:
            for token in self._prefix(ordered, self.inside):
                self._by_inside_prefix[token].append(index)
            for token in ordered:
                self._by_token[token].append(index)

    def candidates(self, tokens: Iterable[str]) -> set[int]:
        ordered = self._rarest(set(tokens))
        found: set[int] = set()
        for token in self._prefix(ordered, self.share):
            found.update(self._by_prefix.get(token, ()))
        if self.inside is not None:
            for token in ordered:  # an earlier, smaller set inside this one
                found.update(self._by_inside_prefix.get(token, ()))
            for token in self._prefix(ordered, self.inside):  # this one inside an earlier one
                found.update(self._by_token.get(token, ()))
        return found
