"""Dates estimated from an article's story, and its relative dates resolved against them: unit
rules, then end to end through `Storyline.ingest` into SQLite. Fictional outlets and events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline import Storyline
from storyline.analyze.redate import redate
from storyline.assign.dating import estimate_date
from storyline.model import Article, Event, SourceKind, Span

TUE, THU = datetime(2031, 3, 11, tzinfo=UTC), datetime(2031, 3, 13, tzinfo=UTC)


def _day(estimate) -> str | None:
    return estimate.value.date().isoformat() if estimate else None


def test_a_weekday_inside_the_event_span_is_that_day():
    found = estimate_date("The envoy said on Wednesday that talks would go on.", (TUE, THU), None)
    assert _day(found) == "2031-03-12"
    assert found.confidence == "low" and found.source == "story (weekday)"
    assert "'on Wednesday'" in found.note and "2031-03-11 to 2031-03-13" in found.note


def test_a_weekday_just_after_the_span_is_the_nearest_such_day():
    assert _day(estimate_date("Talks resumed on Friday in Saltmere.", (TUE, THU), None)) == (
        "2031-03-14"
    )


@pytest.mark.parametrize(
    "text",
    [
        "The two sides will meet on Monday in Saltmere.",  # a coming day
        "They agreed to meet again next Monday.",
        "Drills are held every Monday near the border.",
    ],
)
def test_a_coming_or_repeated_weekday_is_not_the_day_reported(text):
    found = estimate_date(text, (TUE, THU), None)
    assert found is not None and found.source == "story (span)"  # the span's middle instead


def test_with_no_weekday_a_narrow_span_gives_its_middle_day():
    found = estimate_date("Talks went on in Saltmere.", (TUE, THU), None)
    assert _day(found) == "2031-03-12" and found.source == "story (span)"


def test_with_no_weekday_a_wide_span_gives_no_date():
    wide = (TUE, datetime(2031, 3, 30, tzinfo=UTC))
    assert estimate_date("Talks went on in Saltmere.", None, wide) is None


def test_the_event_span_comes_before_the_story_span():
    story = (datetime(2031, 2, 1, tzinfo=UTC), datetime(2031, 3, 30, tzinfo=UTC))
    assert _day(estimate_date("Talks went on.", (TUE, TUE), story)) == "2031-03-11"


def test_no_dated_article_in_event_or_story_gives_no_date():
    assert estimate_date("The envoy spoke on Wednesday.", None, None) is None


def test_redating_resolves_relative_dates_and_event_days_against_the_estimate():
    text = "The envoy spoke on Wednesday. The talks began yesterday in Saltmere."
    article = Article(
        source="t", source_kind=SourceKind.TEXT, raw=text, text=text, id="a1",
        published=datetime(2031, 3, 12, tzinfo=UTC), published_confidence="low",
        analysis_note="publication date unknown: relative dates are kept unresolved",
    )  # fmt: skip
    second = text.index("The talks")
    article.events = [
        Event(Span("a1", second, len(text)), Span("a1", second + 10, second + 15), "begin",
              "CONSULT", None, "040", 1.0, None, None)
    ]  # fmt: skip
    redate(article)
    values = {t.text: (t.value, t.derivation) for t in article.times}
    assert values["yesterday"] == ("2031-03-11", "relative to publication, from an estimated date")
    assert article.events[0].date == "2031-03-11"
    assert article.analysis_note and "estimated" in article.analysis_note


# --- end to end -----------------------------------------------------------------------------------

TALKS = (
    "Marevian and Kostranan delegations met in Saltmere for talks on the troops Kostrana has "
    "massed at the Seltz river border. Envoy Agathe Morrow of Vessaly chaired the talks, and "
    "Marevian foreign minister Ilse Brandt said a hotline between the two armies was agreed."
)


def test_undated_reports_of_a_dated_story_get_low_confidence_dates_from_it(tmp_path: Path):
    dated = {
        "url": "https://www.northwire.example/world/saltmere-talks",
        "title": "Marevia and Kostrana agree hotline at Saltmere talks",
        "text": TALKS,
        "published": "2031-03-11T18:00:00Z",
    }
    (tmp_path / "dated.jsonl").write_text(json.dumps(dated) + "\n")
    (tmp_path / "weekday.txt").write_text(
        "Saltmere talks end with hotline deal\n\nOn Tuesday, " + TALKS
    )
    (tmp_path / "plain.txt").write_text(
        "Hotline agreed at Saltmere talks\n\n" + TALKS.replace("met in", "gathered in")
    )
    with Storyline(f"sqlite:///{tmp_path / 'news.db'}") as sl:
        report = sl.ingest([str(tmp_path / "dated.jsonl")])
        report = sl.ingest([str(tmp_path / "weekday.txt"), str(tmp_path / "plain.txt")])
        articles = [sl.article(a) for a in report.ingested]
        story = sl.story(articles[0].story_id)
    assert {a.story_id for a in articles} == {story.id}
    assert all(a.published == datetime(2031, 3, 11, tzinfo=UTC) for a in articles)
    assert {a.published_source for a in articles} == {"story (weekday)", "story (span)"}
    assert all(a.published_confidence == "low" and a.placed_at is None for a in articles)
    # the story's span is its dated article's, not the estimates'
    assert story.first_seen == story.last_seen == datetime(2031, 3, 11, 18, tzinfo=UTC)
