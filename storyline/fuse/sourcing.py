"""Fuse stage: what every fused item shares, where it was read and how items are compared."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from storyline.fuse.sentences import sentence_spans
from storyline.model import Article, Span


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
    for s, e in sentence_spans(text):
        if s <= start < e:
            return s, max(e, end)
    return start, end


def jaccard(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


class TokenIndex:
    """Finds earlier token sets that may share most of their tokens with a new one, without
    comparing it with all of them.

    Each set is indexed under its rarest tokens (its *prefix*, in one order for all: rarest first
    by ``frequency``). For a Jaccard of at least ``share``, two sets' prefixes always meet (the
    prefix filter of Chaudhuri et al., 2006), so only prefixes are looked up. With ``contained``,
    a set sharing ``share`` of its own tokens with the other, whichever is smaller, is found too:
    the new set's tokens are looked up among prefixes, and its prefix among all tokens.
    Candidates still have to be checked: this only never misses one.
    """

    def __init__(self, frequency: Counter[str], share: float, contained: bool = False) -> None:
        self.frequency = frequency
        self.share = share
        self.contained = contained
        self._by_prefix: dict[str, list[int]] = defaultdict(list)
        self._by_token: dict[str, list[int]] = defaultdict(list)

    def prefix(self, tokens: Iterable[str]) -> list[str]:
        ordered = sorted(tokens, key=lambda t: (self.frequency[t], t))
        return ordered[: len(ordered) - math.ceil(self.share * len(ordered)) + 1]

    def add(self, index: int, tokens: Iterable[str]) -> None:
        tokens = set(tokens)
        for token in self.prefix(tokens):
            self._by_prefix[token].append(index)
        if self.contained:
            for token in tokens:
                self._by_token[token].append(index)

    def candidates(self, tokens: Iterable[str]) -> set[int]:
        tokens = set(tokens)
        prefix = self.prefix(tokens)
        found: set[int] = set()
        for token in tokens if self.contained else prefix:
            found.update(self._by_prefix.get(token, ()))
        if self.contained:
            for token in prefix:
                found.update(self._by_token.get(token, ()))
        return found
