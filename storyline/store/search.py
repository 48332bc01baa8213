"""Store: full-text search over article titles and text, with filters (dates, outlet, language,
an entity mentioned). SQLite answers from its FTS5 index, PostgreSQL from a GIN tsvector index
(migration "search"); both rank the best matches first."""

from __future__ import annotations

import re
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
)

from storyline.store.schema import SEARCH_VECTOR, articles, mentions

SNIPPET_CHARS = 90  # text shown on each side of the first matching word
_WORD = re.compile(r"\w+", re.UNICODE)


def search_words(query: str) -> list[str]:
    """The words of a query (punctuation and search operators dropped: every word must match)."""
    return _WORD.findall(query)


def snippet(body: str, words: list[str]) -> str:
    """The text around the first place a query word occurs (the start when none does)."""
    lowered = body.lower()
    hits = [i for w in words if (i := lowered.find(w.lower())) >= 0]
    at = min(hits) if hits else 0
    start, end = max(0, at - SNIPPET_CHARS), min(len(body), at + SNIPPET_CHARS)
    return (
        ("…" if start else "")
        + body[start:end].replace("\n", " ")
        + ("…" if end < len(body) else "")
    )


class SearchStore:
    """Mixin of `Store`: article search."""

    def transaction(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def search_articles(
        self,
        query: str,
        since: datetime | None = None,
        until: datetime | None = None,
        outlet: str | None = None,
        language: str | None = None,
        entity_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        """Articles matching every word of ``query`` in their title or text, best match first,
        each with a snippet; and how many match in all."""
        words = search_words(query)
        if not words:
            return [], 0
        with self.transaction() as conn:
            matched, rank = _match(conn, words)
            filters: list[ColumnElement[bool]] = [matched]
            if since is not None:
                filters.append(articles.c.published >= since)
            if until is not None:
                filters.append(articles.c.published <= until)
            if outlet:
                filters.append(outlet_is(outlet))
            if language:
                filters.append(articles.c.language == language)
            if entity_id:
                filters.append(
                    exists().where(
                        mentions.c.article_id == articles.c.id, mentions.c.entity_id == entity_id
                    )
                )
            total = conn.execute(
                select(func.count()).select_from(articles).where(*filters)
            ).scalar_one()
            rows: Select[Any] = (
                select(
                    articles.c.id,
                    articles.c.title,
                    articles.c.outlet,
                    articles.c.outlet_name,
                    articles.c.url,
                    articles.c.published,
                    articles.c.language,
                    articles.c.story_id,
                    articles.c.duplicate_of,
                    articles.c.text,
                )
                .where(*filters)
                .order_by(rank, articles.c.published.desc(), articles.c.id)
                .limit(limit)
                .offset(offset)
            )
            found = []
            for row in conn.execute(rows):
                data = dict(row._mapping)
                data["snippet"] = snippet(data.pop("text"), words)
                found.append(data)
        return found, int(total)


def outlet_is(outlet: str) -> ColumnElement[bool]:
    """Articles of the outlet ``outlet`` names: its key as listed ("cnn.com"), a host or URL of
    it ("edition.cnn.com"), or the name shown for it ("CNN")."""
    from storyline.clean.outlets import outlet_key

    keys = {outlet, outlet_key(outlet) or outlet}
    return or_(articles.c.outlet.in_(sorted(keys)), articles.c.outlet_name == outlet)


def _match(conn: Connection, words: list[str]) -> tuple[ColumnElement[bool], Any]:
    """The match condition and the ranking (ascending: best first) for this database."""
    if conn.dialect.name == "sqlite":
        phrase = " ".join('"' + w.replace('"', "") + '"' for w in words)
        ranked = (
            select(
                literal_column("rowid").label("rid"),
                literal_column("bm25(articles_fts)").label("r"),
            )
            .select_from(text("articles_fts"))
            .where(text("articles_fts MATCH :phrase").bindparams(phrase=phrase))
            .subquery()
        )
        rank = select(ranked.c.r).where(ranked.c.rid == literal_column("articles.rowid"))
        matched = literal_column("articles.rowid").in_(select(ranked.c.rid))
        return matched, rank.scalar_subquery()
    vector = literal_column(f"({SEARCH_VECTOR})")
    query = func.plainto_tsquery("simple", " ".join(words))
    return vector.op("@@")(query), -func.ts_rank(vector, query)
