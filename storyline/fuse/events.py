"""Fuse stage: political events across articles, and the escalation curve of a pair of actors.

The same event reported by five outlets is one event with five sources: events are one when they
have the same actor, type and target on the same day. An event dated only by its article's
publication day also joins the same event of the day before (a report of yesterday's news).
Copies count once as support. The escalation of a pair of actors is, per day, the mean Goldstein
intensity of the fused events between them, in each direction; an event stored without a day counts
on its article's date, and a day that is only its articles' date is marked so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from storyline.fuse.sourcing import Sourced
from storyline.model import Event

PUBLICATION_DAY = "publication day"
ARTICLE_DAY = "article's date"  # the sentence gives no day and the event was stored undated


@dataclass(slots=True)
class FusedEvent:
    """One event as several articles report it."""

    actor: str | None  # actor code (or name when it has no code)
    actor_name: str | None
    plover: str
    mode: str | None
    cameo: str
    goldstein: float
    target: str | None
    target_name: str | None
    day: str | None
    place: str | None
    text: str  # the sentence of the earliest report
    status: str = "happened"  # or "negated", "hypothetical": never fused with what happened
    article_dated: bool = False  # the day is its article's, not one the sentence gives
    quoted: bool = False  # every report of it is inside a quote
    sources: list[Sourced] = field(default_factory=list)
    support: int = 0  # independent articles (a copy and its original count once)
    origins: set[str] = field(default_factory=set)


def _who(actor: Any) -> str | None:
    return None if actor is None else (actor.code or actor.name)


def _day_before(day: str) -> str:
    return (date.fromisoformat(day) - timedelta(days=1)).isoformat()


def fuse_events(found: Iterable[tuple[Event, dict[str, Any]]]) -> list[FusedEvent]:
    """Events (with their article's outlet, published time and duplicate_of) fused across
    articles, by day then by support."""
    ordered = sorted(
        found,
        key=lambda item: (
            item[0].date or _article_day(item[1]) or "9999",
            _published(item[1]),
            item[0].span.start,
        ),
    )
    fused: list[FusedEvent] = []
    by_key: dict[tuple[str | None, str, str | None, str, str | None], int] = {}
    for event, meta in ordered:
        status = status_of(event)
        day, derivation = event.date, event.date_derivation
        if day is None and _article_day(meta):
            day, derivation = _article_day(meta), ARTICLE_DAY
        by_article = derivation == ARTICLE_DAY or (derivation or "").endswith(PUBLICATION_DAY)
        key = (_who(event.actor), event.plover, _who(event.target), status, day)
        index = by_key.get(key)
        if index is None and day and derivation in {PUBLICATION_DAY, ARTICLE_DAY}:
            index = by_key.get((*key[:4], _day_before(day)))
        if index is None:
            index = by_key[key] = len(fused)
            fused.append(
                FusedEvent(
                    key[0],
                    event.actor.name if event.actor else None,
                    event.plover,
                    event.mode,
                    event.cameo,
                    event.goldstein,
                    key[2],
                    event.target.name if event.target else None,
                    day,
                    event.place,
                    event.text,
                    status,
                    quoted=event.quoted,
                    article_dated=by_article,
                )
            )
        item = fused[index]
        item.article_dated = item.article_dated and by_article
        item.sources.append(
            Sourced(
                event.span.article_id,
                event.span,
                meta.get("outlet"),
                meta.get("published"),
                event.text,
            )
        )
        item.origins.add(meta.get("duplicate_of") or event.span.article_id)
        item.place = item.place or event.place
        item.quoted = item.quoted and event.quoted
    for item in fused:
        item.support = len(item.origins)
    return fused


def status_of(event: Event) -> str:
    """happened, negated or hypothetical."""
    if event.negated:
        return "negated"
    return "hypothetical" if event.hypothetical else "happened"


def _article_day(meta: dict[str, Any]) -> str | None:
    published = meta.get("published")
    return published.date().isoformat() if isinstance(published, datetime) else None


def _published(meta: dict[str, Any]) -> float:
    published = meta.get("published")
    return published.timestamp() if isinstance(published, datetime) else float("inf")


def matches(code: str | None, wanted: str) -> bool:
    """Whether an actor code is ``wanted`` or, for a country, one of its sectors."""
    if code is None:
        return False
    wanted = wanted.upper()
    if len(wanted) == 3 and wanted.isalpha():
        return code.startswith(wanted)
    return code == wanted


@dataclass(slots=True)
class DayIntensity:
    """One day of a pair's escalation curve."""

    day: str
    forward: float | None  # mean Goldstein of A's events toward B (None: none that day)
    backward: float | None  # B toward A
    events_forward: int = 0
    events_backward: int = 0
    article_dated: int = 0  # events of the day dated by their article (the sentence gives none)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the combined value."""
        return {
            "day": self.day,
            "forward": self.forward,
            "backward": self.backward,
            "combined": self.combined,
            "events_forward": self.events_forward,
            "events_backward": self.events_backward,
            "article_dated": self.article_dated,
        }

    @property
    def combined(self) -> float | None:
        """The mean over both directions' events."""
        count = self.events_forward + self.events_backward
        if not count:
            return None
        total = (self.forward or 0.0) * self.events_forward
        total += (self.backward or 0.0) * self.events_backward
        return total / count


def escalation(events: list[FusedEvent], a: str, b: str) -> list[DayIntensity]:
    """The daily intensity between ``a`` and ``b`` (actor codes; a country matches its sectors),
    every day from the first to the last event between them, days without events included."""
    forward: dict[str, list[float]] = {}
    backward: dict[str, list[float]] = {}
    article_dated: dict[str, int] = {}
    for event in events:
        if event.day is None or event.status != "happened":
            continue
        if matches(event.actor, a) and matches(event.target, b):
            forward.setdefault(event.day, []).append(event.goldstein)
        elif matches(event.actor, b) and matches(event.target, a):
            backward.setdefault(event.day, []).append(event.goldstein)
        else:
            continue
        article_dated[event.day] = article_dated.get(event.day, 0) + event.article_dated
    days = sorted(forward.keys() | backward.keys())
    if not days:
        return []
    series = []
    current, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    while current <= last:
        day = current.isoformat()
        ahead, back = forward.get(day, []), backward.get(day, [])
        series.append(
            DayIntensity(
                day,
                sum(ahead) / len(ahead) if ahead else None,
                sum(back) / len(back) if back else None,
                len(ahead),
                len(back),
                article_dated.get(day, 0),
            )
        )
        current += timedelta(days=1)
    return series
