"""Long lists on the pages come a page at a time: the stories page and search results, with
links to the previous and next pages that keep the search's filters."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from storyline import Storyline
from storyline.serve import pages
from storyline.serve.pages import STORIES_PAGE, paging
from tests.live_server import live_server

STORIES = STORIES_PAGE + 5
TOPICS = [
    "ferry", "orchard", "bridge", "library", "marathon", "vaccine", "harvest", "satellite",
    "museum", "pipeline", "election", "drought", "festival", "railway", "glacier", "startup",
    "lighthouse", "vineyard", "stadium", "tunnel", "observatory", "brewery", "ferryboat",
    "quarry", "airship", "canal", "bakery", "sawmill", "reservoir", "volcano",
]  # fmt: skip


def _row(n: int, topic: str) -> dict[str, str]:
    words = " ".join(f"{topic}{k}" for k in range(12))  # a vocabulary of its own: its own story
    return {
        "url": f"https://harbortimes.example/{topic}",
        "title": f"{topic.title()} {topic}0 {topic}1",
        "text": f"The {topic} council: {words}. {topic} {topic}2 {topic}3 {topic}4.",
        "published": f"2031-04-{1 + n % 28:02d}T08:00:00Z",
        "outlet": "Harbor Times",
    }


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    folder: Path = tmp_path_factory.mktemp("paging")
    corpus = folder / "reports.jsonl"
    rows = [_row(n, topic) for n, topic in enumerate(TOPICS[:STORIES])]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    url = f"sqlite:///{folder / 'paging.db'}"
    with Storyline(url) as sl:
        sl.ingest([str(corpus)], analyze=False)
        assert sl.store.count_stories() == STORIES
    return url


def test_paging_links():
    first = paging(1, 120, 50, "/search", {"q": "a & b", "since": None, "outlet": ""})
    assert first == {"page": 1, "pages": 3, "prev": None, "next": "/search?q=a+%26+b&page=2"}
    last = paging(3, 120, 50, "/search", {"q": "a & b"})
    assert last["prev"] == "/search?q=a+%26+b&page=2" and last["next"] is None
    assert paging(2, 60, 50, "/", {})["prev"] == "/"  # page 1 has no page parameter
    assert paging(1, 0, 50, "/", {}) == {"page": 1, "pages": 1, "prev": None, "next": None}


def test_the_stories_page_comes_a_page_at_a_time(db):
    with live_server(db) as client:
        first = client.get("/").text
        assert f"Stories 1–{STORIES_PAGE} of {STORIES}" in first
        assert len(re.findall(r'<section class="card story"', first)) == STORIES_PAGE
        assert 'rel="next" href="/?page=2"' in first and 'rel="prev"' not in first
        second = client.get("/?page=2").text
        assert f"Stories {STORIES_PAGE + 1}–{STORIES} of {STORIES}" in second
        assert len(re.findall(r'<section class="card story"', second)) == STORIES - STORIES_PAGE
        assert 'rel="prev" href="/"' in second and 'rel="next"' not in second
        shown = set(re.findall(r'id="story-(\d+)"', first)) | set(
            re.findall(r'id="story-(\d+)"', second)
        )
        assert len(shown) == STORIES  # every story once, none twice
        assert "No stories on this page" in client.get("/?page=9").text
        assert client.get("/?page=0").status_code == 422


def test_search_results_come_a_page_at_a_time_with_their_filters(db, monkeypatch):
    monkeypatch.setattr(pages, "SEARCH_PAGE", 12)
    with live_server(db) as client:
        first = client.get("/search", params={"q": "council", "outlet": "Harbor Times"})
        assert f"{STORIES} articles match; 1–12 shown" in first.text
        assert 'rel="next" href="/search?q=council&amp;outlet=Harbor+Times&amp;page=2"' in (
            first.text
        )
        third = client.get("/search", params={"q": "council", "page": 3}).text
        assert f"25–{STORIES} shown" in third and 'start="25"' in third
        assert 'rel="next"' not in third
