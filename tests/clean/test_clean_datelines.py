"""clean/datelines.py: explicit calendar dates in text and dateline detection."""

from datetime import UTC, date, datetime

import pytest

from storyline.clean.datelines import dateline_date, find_dates


def _one(text):
    (found,) = find_dates(text)
    return found


def test_month_name_with_time_and_zone_is_converted_to_utc():
    found = _one("Jan 27, 2022, 08:24 PM IST")
    assert found.value == datetime(2022, 1, 27, 14, 54, tzinfo=UTC)
    assert found.has_time
    assert not found.weekday_stated
    assert found.note is None
    assert (found.start, found.end) == (0, len("Jan 27, 2022, 08:24 PM IST"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mar 3, 2031, 12:05 AM GMT", datetime(2031, 3, 3, 0, 5, tzinfo=UTC)),
        ("Mar 3, 2031, 12:30 PM GMT", datetime(2031, 3, 3, 12, 30, tzinfo=UTC)),
        ("3 March 2031 14:30 CET", datetime(2031, 3, 3, 13, 30, tzinfo=UTC)),
        ("2031-03-03 10:15 GMT", datetime(2031, 3, 3, 10, 15, tzinfo=UTC)),
        ("March 3, 2031 at 9.45 a.m. EST", datetime(2031, 3, 3, 14, 45, tzinfo=UTC)),
    ],
)
def test_times_and_zones(text, expected):
    found = _one(text)
    assert found.value == expected
    assert found.has_time


@pytest.mark.parametrize(
    "text",
    [
        "Mar 3, 2031, 10:15 AM",  # no zone: the time cannot be placed
        "Mar 3, 2031, 10:15 AM XYZ",  # unknown zone
        "Mar 3, 2031, 25:15 GMT",  # impossible hour
    ],
)
def test_time_without_a_known_zone_keeps_only_the_day(text):
    found = _one(text)
    assert found.value == datetime(2031, 3, 3, tzinfo=UTC)
    assert not found.has_time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sept. 3, 2031", date(2031, 9, 3)),
        ("3rd March 2031", date(2031, 3, 3)),
        ("Posted on 2 May 2031", date(2031, 5, 2)),
        ("2031-12-24", date(2031, 12, 24)),
        ("24/12/2031", date(2031, 12, 24)),
    ],
)
def test_date_forms(text, expected):
    assert _one(text).value == datetime(expected.year, expected.month, expected.day, tzinfo=UTC)


def test_weekday_resolves_month_first_date():
    found = _one("The meeting was held this Tuesday (01.25.2022) in Velmora.")
    assert found.value == datetime(2022, 1, 25, tzinfo=UTC)
    assert found.weekday_stated
    assert found.note is None


def test_weekday_decides_between_two_valid_readings():
    # 11 March 2031 is a Tuesday, 3 November 2031 a Monday
    tuesday = _one("Tuesday (03.11.2031)")
    assert tuesday.value == datetime(2031, 3, 11, tzinfo=UTC)
    assert tuesday.note is None
    monday = _one("Monday (03.11.2031)")
    assert monday.value == datetime(2031, 11, 3, tzinfo=UTC)
    assert monday.note is None


def test_ambiguous_numeric_date_without_weekday_is_read_day_first_with_a_note():
    found = _one("03.11.2031")
    assert found.value == datetime(2031, 11, 3, tzinfo=UTC)
    assert found.note and "ambiguous" in found.note


def test_unambiguous_numeric_date():
    found = _one("13.02.2031")
    assert found.value == datetime(2031, 2, 13, tzinfo=UTC)
    assert found.note is None


@pytest.mark.parametrize("text", ["31.02.2031", "Feb 30, 2031", "2031-13-01", "Jan 1, 1850"])
def test_impossible_or_out_of_range_dates_are_ignored(text):
    assert find_dates(text) == []
    assert dateline_date(text) is None


def test_several_dates_in_order():
    text = "Filed 13.02.2031, updated Mar 3, 2031 and again on 2031-03-04."
    days = [f.value.date() for f in find_dates(text)]
    assert days == [date(2031, 2, 13), date(2031, 3, 3), date(2031, 3, 4)]
    spans = [text[f.start : f.end] for f in find_dates(text)]
    assert spans[1] == "Mar 3, 2031"


@pytest.mark.parametrize(
    "line",
    [
        "Updated: Mar 3, 2031, 10:15 AM GMT",
        "Last updated on 3 March 2031",
        "KELMAR, 13.02.2031",
        "Velmora, Tuesday, March 11, 2031",
        "Published: Jan 27, 2022, 08:24 PM IST | Harbor Times",
    ],
)
def test_dateline_date_accepts_datelines(line):
    found = dateline_date(line)
    assert found is not None
    assert found == find_dates(line)[0]


def test_dateline_date_refuses_a_sentence_that_contains_a_date():
    line = "The council said on Mar 3, 2031 that the harbour wall would be rebuilt next year."
    assert find_dates(line)  # the date is there ...
    assert dateline_date(line) is None  # ... but the line is a sentence


def test_dateline_date_refuses_very_long_lines():
    line = "Updated: Mar 3, 2031 " + "." * 200
    assert dateline_date(line) is None


def test_line_without_a_date_is_not_a_dateline():
    assert dateline_date("Updated recently") is None


def test_iso_datetime_in_a_dateline_is_found():
    found = dateline_date("Updated: 2031-03-03T10:15:00Z")
    assert found is not None
    assert found.value.date() == date(2031, 3, 3)
