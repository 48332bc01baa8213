"""Full-text search (store, API and page) on SQLite (FTS5) and PostgreSQL (tsvector): every word
must occur, best match first, filters by dates, outlet, language and entity mentioned."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from storyline import Storyline
from tests.conftest import BACKENDS, database_url
from tests.live_server import live_server

ROWS = [
    {
        "url": "https://harbortimes.example/ferry-strike",
        "title": "Ferry strike halts crossings to Orla",
        "text": "The ferry strike halted every crossing to Orla island on Monday. Ferry crews "
        "said the strike would last until the harbour board answered them. Captain Mira Solberg "
        "said the crews wanted safer night shifts.",
        "published": "2031-04-07T08:00:00Z",
        "outlet": "Harbor Times",
    },
    {
        "url": "https://kelmarpost.example/ferry-timetable",
        "title": "New timetable for the Orla line",
        "text": "The harbour board published a new ferry timetable for the Orla line, which adds "
        "an evening crossing from May. A strike by crews had stopped the line in April.",
        "published": "2031-04-20T10:00:00Z",
        "outlet": "Kelmar Post",
    },
    {
        "url": "https://kelmarpost.example/school-roof",
        "title": "School roof repaired",
        "text": "Builders finished repairing the roof of the Kelmar island school, the council "
        "said on Friday. Lessons will resume in the main hall next week.",
        "published": "2031-04-25T10:00:00Z",
        "outlet": "Kelmar Post",
    },
    {
        "url": "https://nordnytt.example/faerge",
        "title": "Fährstreik auf der Orla-Linie",
        "text": "Der Streik der Fährbesatzungen legte am Montag alle Überfahrten nach Orla lahm. "
        "Die Besatzungen fordern sicherere Nachtschichten.",
        "published": "2031-04-07T12:00:00Z",
        "outlet": "Nordnytt",
        "language": "de",
    },
]


@pytest.fixture(scope="module", params=BACKENDS)
def db(request, tmp_path_factory) -> str:
    folder: Path = tmp_path_factory.mktemp("search")
    corpus = folder / "search.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    url = database_url(request.param, folder, "search")
    with Storyline(url) as sl:
        assert len(sl.ingest([str(corpus)]).ingested) == len(ROWS)
    return url


def _titles(db: str, query: str, **filters) -> list[str]:
    with Storyline(db) as sl:
        rows, total = sl.store.search_articles(query, **filters)
    assert total == len(rows)
    return [r["title"] for r in rows]


def test_every_word_must_occur_and_the_best_match_comes_first(db):
    assert _titles(db, "ferry strike") == [
        "Ferry strike halts crossings to Orla",
        "New timetable for the Orla line",
    ]
    assert _titles(db, "roof") == ["School roof repaired"]
    assert _titles(db, "roof ferry") == []
    assert _titles(db, "FERRY, strike!") == _titles(db, "ferry strike")  # case and punctuation
    assert _titles(db, '"(*') == []  # nothing to search for is no match, not an error


def test_filters_narrow_the_matches(db):
    assert _titles(db, "Orla", since=datetime(2031, 4, 15, tzinfo=UTC)) == [
        "New timetable for the Orla line"
    ]
    assert _titles(db, "Orla", until=datetime(2031, 4, 10, tzinfo=UTC), language="de") == [
        "Fährstreik auf der Orla-Linie"
    ]
    assert set(_titles(db, "Orla", outlet="Kelmar Post")) == {"New timetable for the Orla line"}
    # the outlet's key is its registered domain; the record's name is the one shown
    assert set(_titles(db, "Orla", outlet="kelmarpost.example")) == {
        "New timetable for the Orla line"
    }
    with Storyline(db) as sl:
        rows, _ = sl.store.search_articles("timetable")
    assert (rows[0]["outlet"], rows[0]["outlet_name"]) == ("kelmarpost.example", "Kelmar Post")
    with Storyline(db) as sl:
        solberg = next(e for e in sl.entities(limit=100) if e["name"] == "Mira Solberg")
        rows, _ = sl.store.search_articles("crews", entity_id=solberg["id"])
    assert [r["title"] for r in rows] == ["Ferry strike halts crossings to Orla"]
    assert "crews" in rows[0]["snippet"].lower()


def test_search_over_http_and_on_the_page(db):
    with live_server(db) as client:
        body = client.get("/api/v1/search", params={"q": "strike", "limit": 1}).json()
        assert body["total"] == 2 and len(body["items"]) == 1
        assert body["items"][0]["title"] == "Ferry strike halts crossings to Orla"
        assert client.get("/api/v1/search", params={"q": ""}).status_code == 422
        page = client.get("/search", params={"q": "timetable", "since": "2031-04-01"}).text
        assert re.search(r'id="result-count">1 article matches', page)
        assert "New timetable for the Orla line" in page
        assert "Kelmar Post, 2031-04-20" in page  # the outlet's name, not its key
        item = client.get("/api/v1/search", params={"q": "timetable"}).json()["items"][0]
        assert (item["outlet"], item["outlet_name"]) == ("kelmarpost.example", "Kelmar Post")
        assert 'name="q"' in client.get("/").text  # every page has the search box


def test_a_database_from_before_search_gets_its_index_built(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    corpus = tmp_path / "one.jsonl"
    corpus.write_text(json.dumps(ROWS[2]) + "\n", encoding="utf-8")
    with Storyline(url) as sl:
        sl.ingest([str(corpus)], analyze=False)
        with sl.store.transaction() as conn:  # as a database made before the migration
            conn.execute(text("DROP TABLE articles_fts"))
            for trigger in ("insert", "delete", "update"):
                conn.execute(text(f"DROP TRIGGER articles_fts_{trigger}"))
            conn.execute(text("DELETE FROM schema_migrations WHERE name LIKE 'search:%'"))
    assert _titles(url, "roof") == ["School roof repaired"]
