"""The real seed articles in ../shared/seeds (read in place, never copied): cleaning and dates."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storyline import Storyline
from tests.conftest import SHARED

SEEDS = SHARED / "seeds"
pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed corpus not found at {SEEDS}"),
]


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('seeds') / 'seeds.db'}"
    with Storyline(url) as sl:
        report = sl.ingest([str(SEEDS)])
        assert len(report.ingested) == 5 and not report.failures
        articles = {a.source.rsplit("/", 1)[-1][:3]: a for a in map(sl.article, report.ingested)}
        stories = sl.stories()
    return articles, stories


def test_spam_and_furniture_lines_are_removed(seeds):
    seeds, _ = seeds
    text = "\n".join(a.text for a in seeds.values())
    for spam in (
        "Read:",
        "BetMGM Casino",
        "Bookmakers",
        "You may also like",
        "follow us",
        "ugc_banner",
        "main img",
        "Story highlights",
        "news video",
        "Photograph:(AFP)",
    ):
        assert spam not in text, spam


def test_article_sentences_are_kept(seeds):
    seeds, _ = seeds
    assert "Some 13,000 soldiers and another 3,500 paratroopers" in seeds["002"].text
    assert "“When we have the answers, we will analyze them" in seeds["000"].text
    assert "I don't think we can expect that these meetings will solve" in seeds["004"].text


def test_titles_skip_leading_furniture(seeds):
    seeds, _ = seeds
    assert seeds["003"].title.startswith("NATO responds in writing")
    assert seeds["004"].title.startswith("Russia-Ukraine conflict")


def test_dates_come_from_datelines_then_from_the_story_as_estimates(seeds):
    seeds, _ = seeds
    assert seeds["004"].published == datetime(2022, 1, 27, 14, 54, tzinfo=UTC)
    assert seeds["004"].published_source == "dateline"
    assert seeds["000"].published == datetime(2022, 1, 25, tzinfo=UTC)
    assert {seeds[key].published_confidence for key in ("000", "004")} == {"medium"}
    # no date of their own: estimated from the story's dated articles, and marked so
    assert seeds["002"].published == datetime(2022, 1, 27, tzinfo=UTC)  # "on Thursday"
    assert seeds["001"].published == datetime(2022, 1, 28, tzinfo=UTC)  # "on Friday"
    for key in ("001", "002", "003"):
        assert seeds[key].published_confidence == "low"
        assert seeds[key].published_source.startswith("story")
        assert seeds[key].published_note.startswith("estimated:")
        assert seeds[key].placed_at is None  # placed by content, not by the estimate
    assert {a.language for a in seeds.values()} == {"en"}


def test_the_five_seeds_are_one_story_spanning_their_dated_days(seeds):
    seeds, stories = seeds
    [story] = stories
    assert story.article_count == 5
    assert story.first_seen == datetime(2022, 1, 25, tzinfo=UTC)
    assert story.last_seen == datetime(2022, 1, 27, 14, 54, tzinfo=UTC)
