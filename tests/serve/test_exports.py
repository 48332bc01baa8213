"""Exports: `storyline export` and GET /api/v1/export/{kind} give every record of a kind as CSV,
JSON Lines or Parquet, the same records the listing endpoints page through."""

from __future__ import annotations

import csv
import io
import json

import pyarrow.parquet as pq
import pytest

from storyline import Storyline
from tests.analysis_corpus import write_corpus
from tests.conftest import BACKENDS, database_url
from tests.live_server import live_server
from tests.serve.test_cli_stories import cli


@pytest.fixture(scope="module", params=BACKENDS)
def db(request, tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("exports")
    url = database_url(request.param, folder, "exports")
    with Storyline(url) as sl:
        report = sl.ingest([str(write_corpus(folder / "corpus"))])
    assert len(report.ingested) == 3
    return url


@pytest.fixture(scope="module")
def server(db):
    with live_server(db) as client:
        yield client


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_export_csv_has_every_record_the_listings_have(db, server):
    for kind, listing in (("articles", "articles"), ("quotes", "quotes"), ("claims", "claims")):
        rows = _csv(cli("export", kind, "--db", db).stdout)
        listed = server.get(f"/api/v1/{listing}", params={"limit": 500}).json()["items"]
        assert [r["id" if kind == "articles" else "text"] for r in rows] == [
            r["id" if kind == "articles" else "text"] for r in listed
        ], kind
        assert rows, kind
    quotes = _csv(cli("export", "quotes", "--db", db).stdout)
    varga = next(q for q in quotes if "single battalion" in q["text"])
    assert varga["speaker"] == "Ilse Varga" and varga["kind"] == "direct"
    entities = _csv(cli("export", "entities", "--db", db).stdout)
    person = next(e for e in entities if e["name"] == "Ilse Varga")
    assert "Varga" in json.loads(person["aliases"])  # lists travel as JSON text


def test_export_events_as_parquet_file(db, tmp_path):
    path = tmp_path / "events.parquet"
    result = cli("export", "events", "--format", "parquet", "--output", str(path), "--db", db)
    table = pq.read_table(path)
    assert table.num_rows >= 1 and f"wrote {table.num_rows}" in result.stderr
    assert "CONSULT" in table.column("plover").to_pylist()


def test_export_refuses_what_it_cannot_do(db):
    assert "choose one of" in cli("export", "people", "--db", db, code=2).stderr
    assert "choose one of" in cli("export", "quotes", "--format", "xls", "--db", db, code=2).stderr
    refused = cli("export", "claims", "--format", "parquet", "--db", db, code=2)
    assert "--output" in refused.stderr


def test_api_export_streams_json_lines_and_serves_parquet(server):
    response = server.get("/api/v1/export/claims", params={"format": "jsonl"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert 'filename="claims.jsonl"' in response.headers["content-disposition"]
    lines = [json.loads(line) for line in response.text.splitlines()]
    assert any(c["text"] == "some 13,000 soldiers" for c in lines)
    parquet = server.get("/api/v1/export/articles", params={"format": "parquet"})
    table = pq.read_table(io.BytesIO(parquet.content))
    assert table.num_rows == 3 and "story_id" in table.column_names
    assert server.get("/api/v1/export/people").status_code == 422
    assert server.get("/api/v1/export/claims", params={"format": "xls"}).status_code == 422
