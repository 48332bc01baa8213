"""Assign stage: a publication date for an undated article, estimated from the story it joined.

An article with no date of its own (no field, metadata, URL, dateline or stated date) is placed by
its content alone. Once it sits in an event or story with dated articles, those dates bound when
it can have appeared, and a weekday in its lede ("Stoltenberg said on Thursday") often singles
out the day. The estimate is kept as such: confidence low, how it was reached in the note, and
the story's span still comes from its dated articles only. Nothing is estimated from the time
storyline saw the article, and a story whose dated articles span more than a few days gives no
estimate without a weekday to pick one day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from storyline.model import DateConfidence

STORY_SOURCE = "story"  # published_source of an estimated date
_LEDE_CHARS = 1500
_NEAR_DAYS = 3  # how far outside the dated span a weekday may fall
_SPAN_DAYS = 3  # the widest span that dates an article with no weekday in it
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = re.compile(
    r"\b(?P<before>\w+\s+)?(?P<day>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b"
    r"(?!\s*\()",  # "Tuesday (01.25.2022)" states its date: the clean stage reads it
    re.IGNORECASE,
)
# Words before a weekday that make it another week's or a coming day, not the day reported.
_NOT_THE_DAY = frozenset({"next", "last", "every", "each", "until", "till", "by", "coming"})
_FUTURE = re.compile(r"\b(will|would|shall|to be held|scheduled|expected|planned|due to)\b", re.I)


@dataclass(frozen=True, slots=True)
class Estimate:
    """An estimated publication day, how it was reached and how sure it is."""

    value: datetime
    source: str
    note: str
    confidence: str = DateConfidence.LOW.value


_OWN = "; its own date: "


def estimate_note(estimate: Estimate, previous: str | None) -> str:
    """The note to store with ``estimate``: how it was made, and why the article's own date was
    not used when a reason was recorded (``previous``: the note it has now)."""
    reason = previous or ""
    if _OWN in reason:
        reason = reason.split(_OWN, 1)[1]
    elif reason.startswith(("estimated:", "no publication date")):
        reason = ""  # an earlier estimate, or nothing more than "none found"
    return f"{estimate.note}{_OWN}{reason}" if reason else estimate.note


def _reported_weekday(text: str) -> tuple[int, str] | None:
    """The first weekday in the lede that names the day something happened (not "next
    Monday", not a coming meeting); its number (Monday 0) and the words."""
    lede = text[:_LEDE_CHARS]
    for match in _WEEKDAY.finditer(lede):
        before = (match["before"] or "").strip().lower()
        if before in _NOT_THE_DAY:
            continue
        sentence_start = max(lede.rfind(". ", 0, match.start()), lede.rfind("\n", 0, match.start()))
        if _FUTURE.search(lede[sentence_start + 1 : match.start()]):
            continue
        words = f"{match['before'] or ''}{match['day']}".strip()
        return _WEEKDAYS.index(match["day"].lower()), words
    return None


def _days(low: datetime, high: datetime) -> list[datetime]:
    day = low.replace(hour=0, minute=0, second=0, microsecond=0)
    found = []
    while day <= high:
        found.append(day)
        day += timedelta(days=1)
    return found


def _describe(span: tuple[datetime, datetime], level: str) -> str:
    low, high = (t.date().isoformat() for t in span)
    when = low if low == high else f"{low} to {high}"
    return f"its {level}'s dated articles ({when})"


def estimate_date(
    text: str,
    event_span: tuple[datetime, datetime] | None,
    story_span: tuple[datetime, datetime] | None,
) -> Estimate | None:
    """The publication day of an undated article from the dated span of its event (else of its
    story) and a weekday in its lede; None when they do not single out a day."""
    level, span = ("event", event_span) if event_span else ("story", story_span)
    if span is None:
        return None
    low, high = span
    cue = _reported_weekday(text)
    if cue is not None:
        weekday, words = cue
        near = _days(low - timedelta(days=_NEAR_DAYS), high + timedelta(days=_NEAR_DAYS))
        matching = [d for d in near if d.weekday() == weekday]
        inside = [d for d in matching if low.date() <= d.date() <= high.date()]
        chosen = inside if inside else matching
        if len(chosen) == 1:
            return Estimate(
                chosen[0],
                f"{STORY_SOURCE} (weekday)",
                f"estimated: {words!r} near its top read as the {words.split()[-1].title()} "
                f"nearest {_describe(span, level)}",
            )
    if (high - low).days > _SPAN_DAYS:
        return None
    days = _days(low, high)
    middle = days[(len(days) - 1) // 2]
    return Estimate(
        middle,
        f"{STORY_SOURCE} (span)",
        f"estimated: the middle day of {_describe(span, level)}; its text names no day",
    )
