"""Clean stage: find explicit calendar dates in text (datelines such as "Updated: Jan 27, 2022").

Numeric dates like 01.25.2022 are ambiguous (day/month); they are resolved by validity and, when
a weekday stands beside them ("this Tuesday (01.25.2022)"), by which reading falls on that day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
# Offsets of common zone abbreviations in datelines; unknown ones leave the time in UTC unstated.
_ZONES = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "BST": 60,
    "CET": 60,
    "CEST": 120,
    "EET": 120,
    "EEST": 180,
    "MSK": 180,
    "IST": 330,
    "PKT": 300,
    "JST": 540,
    "AEST": 600,
    "EST": -300,
    "EDT": -240,
    "CST": -360,
    "CDT": -300,
    "PST": -480,
    "PDT": -420,
}
_MON = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_TIME = (
    r"(?:(?:,?\s*(?:at\s+)?|T)(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::\d{2}(?:\.\d+)?)?"
    r"\s*(?P<ampm>[ap]\.?m\.?)?"
    r"\s*(?:(?P<offset>[+-]\d{2}:?\d{2})|(?P<zone>[A-Z]{1,4}\b))?)?"
)
_WD = r"(?:(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s*,?\s*\(?\s*)?"
_DATE = re.compile(
    _WD
    + r"(?:"
    + _MON
    + r"\s+(?P<day1>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year1>\d{4})"
    + r"|(?P<day2>\d{1,2})(?:st|nd|rd|th)?\s+"
    + _MON.replace("mon>", "mon2>")
    + r",?\s+(?P<year2>\d{4})"
    + r"|(?P<year3>\d{4})-(?P<month3>\d{2})-(?P<day3>\d{2})"
    + r"|(?P<a>\d{1,2})[./](?P<b>\d{1,2})[./](?P<year4>\d{4})"
    + r")(?!\d)"
    + _TIME,
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A calendar date found in text, with its character range and how it was read."""

    value: datetime  # aware, UTC; midnight when no time was given
    start: int
    end: int
    has_time: bool
    weekday_stated: bool
    note: str | None = None


def _numeric(a: int, b: int, year: int, weekday: str | None) -> tuple[date | None, str | None]:
    readings = []
    for month, day in ((a, b), (b, a)):
        try:
            readings.append(date(year, month, day))
        except ValueError:
            continue
    readings = list(dict.fromkeys(readings))
    if weekday:
        matching = [d for d in readings if _WEEKDAYS[d.weekday()] == weekday.lower()]
        if matching:
            readings = matching
    if not readings:
        return None, None
    if len(readings) == 1:
        return readings[0], None
    # still ambiguous: read day-first, the more common order outside the United States
    return readings[1], "ambiguous day/month; read as day.month"


def _calendar_day(match: re.Match[str]) -> tuple[date | None, str | None]:
    g = match.groupdict()
    try:
        if g["year1"]:
            return date(int(g["year1"]), _MONTHS[g["mon"][:3].lower()], int(g["day1"])), None
        if g["year2"]:
            return date(int(g["year2"]), _MONTHS[g["mon2"][:3].lower()], int(g["day2"])), None
        if g["year3"]:
            return date(int(g["year3"]), int(g["month3"]), int(g["day3"])), None
    except ValueError:
        return None, None
    return _numeric(int(g["a"]), int(g["b"]), int(g["year4"]), g["weekday"])


def _with_time(day: date, match: re.Match[str]) -> tuple[datetime, bool]:
    g = match.groupdict()
    if g["hour"] is None:
        return datetime(day.year, day.month, day.day, tzinfo=UTC), False
    hour, minute = int(g["hour"]), int(g["minute"])
    ampm = (g["ampm"] or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    zone = (g["zone"] or "").upper()
    if g["offset"]:
        sign = -1 if g["offset"][0] == "-" else 1
        digits = g["offset"][1:].replace(":", "")
        minutes = sign * (int(digits[:2]) * 60 + int(digits[2:]))
    elif zone in _ZONES:
        minutes = _ZONES[zone]
    else:
        minutes = None
    if hour > 23 or minute > 59 or minutes is None:
        return datetime(day.year, day.month, day.day, tzinfo=UTC), False
    tz = timezone(timedelta(minutes=minutes))
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
    return local.astimezone(UTC), True


# Every form of date _DATE reads holds a four-digit year: text without one holds no date.
_YEAR = re.compile(r"\d{4}")


def find_dates(text: str) -> list[FoundDate]:
    """Every explicit calendar date in ``text``, in order of appearance."""
    if not _YEAR.search(text):
        return []  # the long expression is tried at every position; this scan is cheap
    found = []
    for match in _DATE.finditer(text):
        day, note = _calendar_day(match)
        if day is None or not 1900 <= day.year <= 2100:
            continue
        value, has_time = _with_time(day, match)
        found.append(
            FoundDate(value, match.start(), match.end(), has_time, bool(match["weekday"]), note)
        )
    return found


_LABEL = re.compile(
    r"\b(updated|published|posted|last (updated|modified)|first published|date|created|issued)\b"
    r"\s*(on|at)?\s*:?",
    re.IGNORECASE,
)


def dateline_date(line: str) -> FoundDate | None:
    """The date of ``line`` if it is a dateline: mostly a date, perhaps a label and a place."""
    if len(line) > 160:
        return None
    dates = find_dates(line)
    if not dates:
        return None
    rest = line
    for found in reversed(dates):
        rest = rest[: found.start] + " " + rest[found.end :]
    rest = _LABEL.sub(" ", rest)
    words = re.findall(r"[^\W\d_]+", rest)
    return dates[0] if len(words) <= 5 else None
