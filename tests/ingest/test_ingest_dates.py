"""ingest/dates.py: dates given by sources (records, feeds, HTTP and WARC headers)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from storyline.ingest.dates import parse_source_date, to_utc


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2031-05-02T08:00:00Z", datetime(2031, 5, 2, 8, 0, tzinfo=UTC)),
        ("2031-05-02T10:00:00+02:00", datetime(2031, 5, 2, 8, 0, tzinfo=UTC)),
        ("2031-05-02", datetime(2031, 5, 2, tzinfo=UTC)),
        ("  2031-05-02T08:00:00  ", datetime(2031, 5, 2, 8, 0, tzinfo=UTC)),
        ("Fri, 02 May 2031 10:00:00 +0200", datetime(2031, 5, 2, 8, 0, tzinfo=UTC)),
        ("Fri, 02 May 2031 08:00:00 GMT", datetime(2031, 5, 2, 8, 0, tzinfo=UTC)),
    ],
)
def test_parses_iso_and_rfc2822(value, expected):
    parsed = parse_source_date(value)
    assert parsed == expected
    assert parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize("value", [None, "", "   ", "last Tuesday", "31.02.2031", 1_900_000_000])
def test_non_dates_are_none(value):
    assert parse_source_date(value) is None


def test_datetimes_are_converted_to_utc():
    aware = datetime(2031, 5, 2, 13, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert parse_source_date(aware) == datetime(2031, 5, 2, 8, 0, tzinfo=UTC)
    naive = datetime(2031, 5, 2, 8, 0)
    assert to_utc(naive) == datetime(2031, 5, 2, 8, 0, tzinfo=UTC)
