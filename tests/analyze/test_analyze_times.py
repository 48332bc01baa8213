"""Analyze stage: temporal expressions normalised against the publication date (fixtures by us)."""

from __future__ import annotations

from datetime import date

import pytest

from storyline.analyze.times import find_times

PUBLISHED = date(2031, 3, 13)  # a Thursday

CASES = [
    ("The council met on Tuesday to discuss the harbour wall.", "Tuesday", "2031-03-11"),
    ("The council will meet on Tuesday to discuss the wall.", "Tuesday", "2031-03-18"),
    ("The ferry resumed service on Thursday after the storm.", "Thursday", "2031-03-13"),
    ("Ministers will meet next Monday in Saltmere.", "next Monday", "2031-03-17"),
    ("Drills were held in mid-February, officials said.", "mid-February", "2031-02"),
    ("Drills are planned for mid-February, officials said.", "mid-February", "2032-02"),
    ("Talks are scheduled for April, officials said.", "April", "2031-04"),
    ("The dam was inspected in November, the report shows.", "November", "2030-11"),
    ("The exercises run from March 20 to 24.", "March 20", "2031-03-20"),
    ("Last year the river burst its banks twice.", "Last year", "2030"),
    ("The inquiry will report next week.", "next week", "2031-W12"),
    ("The alliance has kept troops there since 2017.", "2017", "2017"),
    (
        "The company said on 4 March 2031 that 4.2 million accounts were hit.",
        "4 March 2031",
        "2031-03-04",
    ),
    ("Volunteers worked through the night yesterday.", "yesterday", "2031-03-12"),
    ("The museum closed three years ago for repairs.", "three years ago", "2028"),
    ("The drills will last ten days.", "ten days", "P10D"),
    ("Inspections happen every year.", "every year", "P1Y"),
    ("Prices fell in the third quarter.", "the third quarter", "2030-Q3"),
    ("The shipyard was built in the 1960s.", "the 1960s", "196"),
    ("Attendance is now higher than before the storm.", "now", "PRESENT_REF"),
    ("Troops withdrew from the ridge this morning.", "this morning", "2031-03-13TMO"),
    ("Shelling was heard last night near the bridge.", "last night", "2031-03-12TNI"),
    ("The ferry sails every Monday.", "every Monday", "XXXX-WXX-1"),
    ("Reservists train every spring.", "every spring", "XXXX-SP"),
    ("The dam was repaired in the winter.", "the winter", "2030-WI"),
    ("The wall will be finished by the end of the month.", "the end of the month", "2031-03"),
    ("Talks began at the start of March.", "the start of March", "2031-03"),
    ("Stoltenberg spoke on Tuesday (03.11.2031) in Saltmere.", "03.11.2031", "2031-03-11"),
]


def test_value_accuracy_on_our_fixtures_is_at_least_the_issue_target():
    right = 0
    for sentence, expression, expected in CASES:
        found = {t.text: t.value for t in find_times(sentence, PUBLISHED)}
        right += found.get(expression) == expected
    assert right / len(CASES) >= 0.85  # issue 3's target for date values


@pytest.mark.parametrize(("sentence", "expression", "expected"), CASES, ids=[c[1] for c in CASES])
def test_each_fixture(sentence, expression, expected):
    found = {t.text: t for t in find_times(sentence, PUBLISHED, article_id="a1")}
    assert expression in found, list(found)
    assert found[expression].value == expected
    assert found[expression].span.article_id == "a1"
    start = sentence.index(expression)
    assert (found[expression].span.start, found[expression].span.end) == (
        start,
        start + len(expression),
    )


def test_unknown_publication_date_leaves_relative_expressions_unresolved():
    times = {t.text: t for t in find_times("They met on Tuesday, in 2019 and last year.", None)}
    assert times["Tuesday"].value is None
    assert times["last year"].value is None
    assert "unresolved" in times["last year"].derivation
    assert times["2019"].value == "2019"  # stated dates need no anchor


def test_may_the_verb_is_not_a_month():
    times = find_times("The council may vote in May on the new ferry timetable.", PUBLISHED)
    assert [(t.text, t.value) for t in times] == [("May", "2030-05")]


def test_no_expressions_in_text_without_times():
    assert find_times("The harbour wall is made of granite blocks.", PUBLISHED) == []


def test_a_capitalised_season_before_a_name_is_not_a_season() -> None:
    found = find_times("Athletes arrived for the Winter Olympics in Saltmere.", PUBLISHED)
    assert [t.text for t in found] == []
