"""Fuse stage: what every fused item shares, where it was read and how items are compared."""

from __future__ import annotations

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


def earliest_first(articles: list[Article]) -> list[Article]:
    """Articles by publication time; undated ones last (by id, so the order is stable)."""

    def key(article: Article) -> tuple[int, float, str]:
        if article.published is None:
            return (1, 0.0, article.id or "")
        return (0, article.published.timestamp(), article.id or "")

    return sorted(articles, key=key)


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
