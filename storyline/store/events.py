"""Store: coded political events, as rows and back, and the queries over them."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from storyline.model import Actor, Article, Event, Span
from storyline.store.schema import articles, coded_events


def _actor_row(prefix: str, actor: Actor | None) -> dict[str, Any]:
    if actor is None:
        return {}
    return {
        f"{prefix}_name": actor.name,
        f"{prefix}_code": actor.code,
        f"{prefix}_country": actor.country,
        f"{prefix}_sector": actor.sector,
        f"{prefix}_entity_id": actor.entity_id,
        f"{prefix}_start": actor.span.start if actor.span else None,
        f"{prefix}_end": actor.span.end if actor.span else None,
        f"{prefix}_via": actor.via,
    }


def event_rows(article: Article) -> list[dict[str, Any]]:
    """The rows of an article's coded events."""
    rows = []
    for e in article.events:
        row = {
            "article_id": article.id,
            "start_char": e.span.start,
            "end_char": e.span.end,
            "trigger_start": e.trigger.start,
            "trigger_end": e.trigger.end,
            "cue": e.cue,
            "plover": e.plover,
            "mode": e.mode,
            "cameo": e.cameo,
            "goldstein": e.goldstein,
            "day": e.date,
            "day_derivation": e.date_derivation,
            "place": e.place,
            "place_country": e.place_country,
            "negated": e.negated,
            "hypothetical": e.hypothetical,
            "quoted": e.quoted,
            "note": e.note,
            "text": e.text,
        }
        for prefix in ("actor", "target"):
            row.update({f"{prefix}_{c}": None for c in _ACTOR_FIELDS})
        row.update(_actor_row("actor", e.actor))
        row.update(_actor_row("target", e.target))
        rows.append(row)
    return rows


_ACTOR_FIELDS = ("name", "code", "country", "sector", "entity_id", "start", "end", "via")


def _actor(row: Any, prefix: str) -> Actor | None:
    name = getattr(row, f"{prefix}_name")
    if name is None:
        return None
    start, end = getattr(row, f"{prefix}_start"), getattr(row, f"{prefix}_end")
    return Actor(
        name,
        getattr(row, f"{prefix}_code"),
        getattr(row, f"{prefix}_country"),
        getattr(row, f"{prefix}_sector"),
        getattr(row, f"{prefix}_entity_id"),
        Span(row.article_id, start, end) if start is not None else None,
        getattr(row, f"{prefix}_via"),
    )


def event_from_row(row: Any) -> Event:
    """An `Event` from its row."""
    return Event(
        Span(row.article_id, row.start_char, row.end_char),
        Span(row.article_id, row.trigger_start, row.trigger_end),
        row.cue,
        row.plover,
        row.mode,
        row.cameo,
        row.goldstein,
        _actor(row, "actor"),
        _actor(row, "target"),
        row.day,
        row.day_derivation,
        row.place,
        row.place_country,
        bool(row.negated),
        bool(row.hypothetical),
        bool(row.quoted),
        row.note,
        row.text,
    )


def _code_matches(column: Any, code: str) -> Any:
    """An actor code matching ``code`` itself or any sector of it ("RUS" matches RUSGOV)."""
    code = code.upper()
    return column.like(f"{code}%") if len(code) == 3 and code.isalpha() else column == code


class EventStore:
    """Queries over coded events; mixed into `Store`, which provides ``transaction``."""

    def transaction(self) -> AbstractContextManager[Connection]:  # provided by Store
        raise NotImplementedError

    def list_events(
        self,
        actor: str | None = None,
        target: str | None = None,
        plover: str | None = None,
        since: date | None = None,
        until: date | None = None,
        story_id: int | None = None,
        happened_only: bool = True,
        limit: int | None = 1000,
        offset: int = 0,
        pair: tuple[str, str] | None = None,
    ) -> list[tuple[Event, dict[str, Any]]]:
        """Coded events with their article's outlet, date and story, oldest day first.

        ``actor`` and ``target`` match a code or, for a three-letter country, any of its sectors
        ("RUS" matches RUSGOV and RUSMIL); ``pair`` keeps the events between two actors, either
        way; ``happened_only`` leaves out negated and hypothetical events."""
        query = (
            select(
                coded_events,
                articles.c.outlet,
                articles.c.published,
                articles.c.story_id,
                articles.c.duplicate_of,
                articles.c.title,
            )
            .join(articles, articles.c.id == coded_events.c.article_id)
            .order_by(coded_events.c.day, articles.c.published, coded_events.c.id)
        )
        if actor:
            query = query.where(_code_matches(coded_events.c.actor_code, actor))
        if target:
            query = query.where(_code_matches(coded_events.c.target_code, target))
        if pair:  # events between the two, either way
            actor_c, target_c = coded_events.c.actor_code, coded_events.c.target_code
            a, b = pair
            query = query.where(
                or_(
                    and_(_code_matches(actor_c, a), _code_matches(target_c, b)),
                    and_(_code_matches(actor_c, b), _code_matches(target_c, a)),
                )
            )
        if plover:
            query = query.where(coded_events.c.plover == plover.upper())
        if since:
            query = query.where(coded_events.c.day >= since.isoformat())
        if until:
            query = query.where(coded_events.c.day <= until.isoformat())
        if story_id is not None:
            query = query.where(articles.c.story_id == story_id)
        if happened_only:
            query = query.where(
                coded_events.c.negated.is_(False), coded_events.c.hypothetical.is_(False)
            )
        if limit is not None:
            query = query.limit(limit).offset(offset)
        with self.transaction() as conn:
            return [
                (
                    event_from_row(row),
                    {
                        "outlet": row.outlet,
                        "published": row.published,
                        "story_id": row.story_id,
                        "duplicate_of": row.duplicate_of,
                        "title": row.title,
                    },
                )
                for row in conn.execute(query)
            ]
