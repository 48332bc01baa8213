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
    return articles


def test_spam_and_furniture_lines_are_removed(seeds):
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
    assert "Some 13,000 soldiers and another 3,500 paratroopers" in seeds["002"].text
    assert "“When we have the answers, we will analyze them" in seeds["000"].text
    assert "I don't think we can expect that these meetings will solve" in seeds["004"].text


def test_titles_skip_leading_furniture(seeds):
    assert seeds["003"].title.startswith("NATO responds in writing")
    assert seeds["004"].title.startswith("Russia-Ukraine conflict")


def test_dates_come_from_datelines_or_stay_unknown(seeds):
    assert seeds["004"].published == datetime(2022, 1, 27, 14, 54, tzinfo=UTC)
    assert seeds["004"].published_source == "dateline"
    assert seeds["000"].published == datetime(2022, 1, 25, tzinfo=UTC)
    for key in ("001", "002", "003"):
        assert seeds[key].published is None
        assert seeds[key].published_note
    assert {a.language for a in seeds.values()} == {"en"}
