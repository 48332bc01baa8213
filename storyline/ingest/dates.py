"""Ingest stage: parse dates given by sources (JSONL fields, feeds, HTTP and WARC headers)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime


def to_utc(value: datetime) -> datetime:
    """Return ``value`` as an aware UTC datetime (naive values are taken to be UTC)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


# "0001-01-01" and "9999-12-31" are how many systems write "no date": not publication dates.
MIN_YEAR, MAX_YEAR = 1900, 2100
EPOCH_DAY = date(1970, 1, 1)


def _plausible(value: datetime) -> datetime | None:
    try:
        value = to_utc(value)
    except OverflowError:
        return None
    if value.date() == EPOCH_DAY:
        return None  # a zero Unix time: the source had no date
    return value if MIN_YEAR <= value.year <= MAX_YEAR else None


def parse_source_date(value: object) -> datetime | None:
    """Parse an ISO 8601 or RFC 2822 date (years 1900-2100); None when it is not such a date."""
    if isinstance(value, datetime):
        return _plausible(value)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        return _plausible(datetime.fromisoformat(text.replace("Z", "+00:00")))
    except (ValueError, OverflowError):
        pass
    try:
        return _plausible(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def precision_note(value: object) -> str | None:
    """What a source date string leaves unstated: its time of day or its zone (None if neither)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) <= 10 and text[:4].isdigit():
        return "day precision"
    if "T" in text and not (text.endswith("Z") or "+" in text[10:] or "-" in text[11:]):
        return "zone not stated, UTC assumed"
    return None
