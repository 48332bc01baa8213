"""Publication dates from the best evidence an article carries, with source and confidence; an
article with none stays undated (never dated by the time it was ingested). Fictional outlets."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storyline.clean.article import clean_article
from storyline.clean.pubdate import UNDATED_REASON, date_from_url
from storyline.config import get_settings
from storyline.ingest.dates import parse_source_date
from storyline.model import Article, SourceKind

BODY = (
    "The Marevian parliament approved the new budget after a long night of debate, and the "
    "finance minister said the vote showed the coalition would hold until the spring."
)


def _clean(raw: str, **fields) -> Article:
    raw_article = Article(
        source="test", source_kind=SourceKind.TEXT, raw=raw, title="Budget passes", **fields
    )
    return clean_article(raw_article, get_settings())


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("https://www.northwire.example/world/2031/03/04/budget-passes", (2031, 3, 4)),
        ("https://northwire.example/2031/3/4/budget", (2031, 3, 4)),
        ("https://northwire.example/news/2031-03-04-budget-passes", (2031, 3, 4)),
        ("https://northwire.example/news/budget_20310304.html", (2031, 3, 4)),
        ("https://northwire.example/la-fi-budget-20310304,0,1312750.story", (2031, 3, 4)),
    ],
)
def test_a_date_in_the_url_path_is_read(url, day):
    assert date_from_url(url) == datetime(*day, tzinfo=UTC)


@pytest.mark.parametrize(
    "url",
    [
        "https://northwire.example/world/2031/13/45/not-a-day",  # no such month or day
        "https://northwire.example/article/2031123456789",  # a long numeric id
        "https://northwire.example/world/budget-passes",
        "https://northwire.example/?d=2031/03/04",  # the query is not the path
        None,
    ],
)
def test_a_url_without_a_valid_day_gives_none(url):
    assert date_from_url(url) is None


def test_the_record_date_comes_first_with_high_confidence():
    published = datetime(2031, 3, 2, 7, 40, tzinfo=UTC)
    article = _clean(
        "Updated: Mar 9, 2031\n\n" + BODY,
        url="https://northwire.example/2031/03/05/budget",
        published=published,
        published_source="record",
    )
    assert (article.published, article.published_source) == (published, "record")
    assert article.published_confidence == "high"


def test_the_url_comes_before_a_dateline():
    article = _clean(
        "Updated: Mar 9, 2031\n\n" + BODY, url="https://northwire.example/2031/03/05/x"
    )
    assert article.published == datetime(2031, 3, 5, tzinfo=UTC)
    assert article.published_source == "url (day precision)"
    assert article.published_confidence == "medium"


def test_a_dateline_dates_an_article_without_metadata():
    article = _clean("Updated: Mar 9, 2031, 08:24 PM GMT\n\n" + BODY)
    assert article.published == datetime(2031, 3, 9, 20, 24, tzinfo=UTC)
    assert article.published_source == "dateline"
    assert article.published_confidence == "medium"


def test_a_weekday_with_its_date_in_brackets_dates_the_article():
    article = _clean("The minister said this Tuesday (03.11.2031) that " + BODY)
    assert article.published == datetime(2031, 3, 11, tzinfo=UTC)
    assert article.published_source.startswith("weekday-date in text")
    assert article.published_confidence == "medium"


@pytest.mark.parametrize(
    "past_event",
    [
        "In 2014, Kostrana annexed the Seltz valley, a move few states recognised. ",
        "On March 18, 2014, Kostrana annexed the Seltz valley, a move few states recognised. ",
    ],
)
def test_a_past_event_stated_in_the_text_is_not_the_publication_date(past_event):
    article = _clean(BODY + "\n\n" + past_event + BODY)
    assert article.published is None
    assert article.published_note == UNDATED_REASON


def test_an_article_with_no_evidence_is_undated_not_dated_by_ingest_time():
    ingested = datetime(2031, 5, 1, 12, 0, tzinfo=UTC)
    article = _clean(BODY, ingested_at=ingested, fetched_at=ingested)
    assert article.published is None
    assert article.published_source is None and article.published_confidence is None
    assert article.published_note == UNDATED_REASON
    assert article.ingested_at == ingested  # kept in its own field


@pytest.mark.parametrize(
    "value", ["1970-01-01T00:00:00Z", "1970-01-01", "Thu, 01 Jan 1970 00:00:00 GMT"]
)
def test_the_unix_epoch_is_no_date(value):
    assert parse_source_date(value) is None


def test_an_old_date_that_is_not_the_epoch_is_kept():
    assert parse_source_date("1971-06-30") == datetime(1971, 6, 30, tzinfo=UTC)
