"""The story page's map of places: countries of the places mentioned, shaded by mentions, over
the world outline the server serves once; places without a country are listed, not guessed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from storyline import Storyline
from storyline.serve.world_map import (
    HEIGHT,
    MIN_VIEW,
    SHADES,
    WIDTH,
    bounds,
    frame,
    outline,
    places_map,
)
from tests.conftest import BACKENDS, database_url
from tests.live_server import live_server

# Fictional reports about real places (the geocoder knows real countries and cities only).
ROWS = [
    {
        "url": "https://harbortimes.example/flood-barrier-rotterdam",
        "title": "Rotterdam tests its storm surge barrier",
        "text": "Engineers in Rotterdam closed the storm surge barrier on Monday in a test "
        "watched by officials from Belgium and Germany. The Netherlands plans to raise the "
        "barrier by a metre, a ministry spokesman said. Engineers from Antwerp joined the "
        "test in Rotterdam, and a second test in the Netherlands is planned for May.",
        "published": "2031-04-07T08:00:00Z",
        "outlet": "Harbor Times",
    },
    {
        "url": "https://kelmarpost.example/rotterdam-barrier-test",
        "title": "Storm surge barrier closes in Rotterdam test",
        "text": "The storm surge barrier near Rotterdam closed on Monday during a test, "
        "engineers said. Visitors from Belgium watched the barrier close, and the Netherlands "
        "will raise it by a metre. Officials in Rotterdam called the test a success.",
        "published": "2031-04-07T11:00:00Z",
        "outlet": "Kelmar Post",
    },
]


def test_countries_are_shaded_by_mentions_and_unknown_places_listed():
    places = [
        {"name": "Rotterdam", "country": "NLD", "kind": "city", "mentions": 6, "articles": 2},
        {"name": "Netherlands", "country": "NLD", "kind": "country", "mentions": 2, "articles": 2},
        {"name": "Belgium", "country": "BEL", "kind": "country", "mentions": 1, "articles": 1},
        {"name": "Orla island", "country": None, "kind": None, "mentions": 3, "articles": 1},
    ]
    svg, unplaced = places_map(places)
    netherlands = re.search(r'<g class="mentioned" data-country="nl" fill="([^"]+)">', svg)
    belgium = re.search(r'<g class="mentioned" data-country="be" fill="([^"]+)">', svg)
    assert netherlands and belgium
    assert SHADES.index(netherlands.group(1)) > SHADES.index(belgium.group(1))
    assert "Netherlands: 8 mentions — Rotterdam (6), Netherlands (2)" in svg
    assert [p["name"] for p in unplaced] == ["Orla island"]
    assert 'href="/map/world.svg"' in svg and 'role="img"' in svg


def test_no_place_with_a_country_means_no_map():
    svg, unplaced = places_map([{"name": "Orla", "country": None, "mentions": 1, "articles": 1}])
    assert svg == "" and len(unplaced) == 1


def test_the_outline_has_the_worlds_countries():
    shapes = outline()
    assert len(shapes) > 150
    assert {"nl", "be", "ru", "ua", "us", "br", "au"} <= set(shapes)


@pytest.fixture(scope="module", params=BACKENDS)
def db(request, tmp_path_factory) -> str:
    folder: Path = tmp_path_factory.mktemp("map")
    corpus = folder / "rotterdam.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    url = database_url(request.param, folder, "map")
    with Storyline(url) as sl:
        report = sl.ingest([str(corpus)])
        assert len(report.ingested) == 2, report.failures
    return url


def test_the_story_page_maps_its_places(db):
    with Storyline(db) as sl:
        story = sl.stories(limit=5)[0]
        places = sl.store.story_places(story.id)
    named = {p["name"]: p for p in places}
    assert named["Netherlands"]["country"] == "NLD" and named["Netherlands"]["articles"] == 2
    assert named["Antwerp"]["country"] == "BEL" and named["Antwerp"]["kind"] == "city"
    with live_server(db) as client:
        page = client.get(f"/stories/{story.id}")
        assert page.status_code == 200
        assert 'id="places"' in page.text and 'class="world-map"' in page.text
        assert 'data-country="nl"' in page.text and 'data-country="be"' in page.text
        assert "Belgium: 3 mentions" in page.text and "Antwerp (1)" in page.text  # a city
        listed = client.get(f"/api/v1/stories/{story.id}/places").json()
        assert listed[0]["name"] == "Netherlands" and listed[0]["mentions"] == 3
        assert client.get("/api/v1/stories/999999/places").status_code == 404
        world = client.get("/map/world.svg")
        assert world.status_code == 200
        assert world.headers["content-type"].startswith("image/svg+xml")
        assert "max-age" in world.headers["cache-control"]
        assert world.text.count("<path") > 1000


def test_a_story_without_places_has_no_map_section(tmp_path):
    url = f"sqlite:///{tmp_path / 'plain.db'}"
    corpus = tmp_path / "plain.jsonl"
    row = {
        "url": "https://harbortimes.example/recipe",
        "title": "A recipe for plum cake",
        "text": "Mix the flour with the butter, add sugar and plums, and bake the cake for an "
        "hour. Serve it warm with cream. The cake keeps for three days in a tin.",
        "published": "2031-04-07T08:00:00Z",
    }
    corpus.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with Storyline(url) as sl:
        sl.ingest([str(corpus)])
        story = sl.stories(limit=1)[0]
    with live_server(url) as client:
        page = client.get(f"/stories/{story.id}")
        assert page.status_code == 200 and 'id="places"' not in page.text


def test_the_map_zooms_to_the_countries_mentioned():
    shapes = outline()
    x, y, width, height = frame(shapes["nl"] + shapes["be"])
    assert width == pytest.approx(WIDTH * MIN_VIEW, abs=0.1)  # a small area: the least zoom
    assert height / width == pytest.approx(HEIGHT / WIDTH, rel=1e-3)
    for code in ("nl", "be"):
        for left, top, right, bottom in (bounds(d) for d in shapes[code]):
            assert x <= left and right <= x + width and y <= top and bottom <= y + height
    assert frame(shapes["ru"] + shapes["br"])[2] > 0.6 * WIDTH  # far apart: most of the world
    svg, _ = places_map([{"name": "Belgium", "country": "BEL", "mentions": 1, "articles": 1}])
    assert f'viewBox="0 0 {WIDTH} {HEIGHT}"' not in svg and 'class="world-map" viewBox=' in svg
