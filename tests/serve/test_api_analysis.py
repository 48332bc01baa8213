"""The analysis endpoints of the REST API (FastAPI's TestClient over a temporary SQLite database).

/api/v1/articles/{id}/annotations, /api/v1/entities[/{id}], /api/v1/quotes, /api/v1/claims.
The articles are fictional.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from storyline import Storyline, get_settings
from storyline.serve.api import create_app
from tests.analysis_corpus import ENGLISH, write_corpus

SPAN_KEYS = {"start", "end"}
ENTITY_KEYS = {"id", "name", "type", "aliases", "roles", "country", "key"}
ENTITY_ROW_KEYS = {
    "id",
    "name",
    "type",
    "country",
    "aliases",
    "roles",
    "mention_count",
    "article_count",
}
QUOTE_KEYS = SPAN_KEYS | {
    "text",
    "kind",
    "speaker",
    "speaker_entity_id",
    "cue",
    "channel",
    "speaker_span",
}
CLAIM_KEYS = SPAN_KEYS | {
    "text",
    "quantity",
    "quantity_max",
    "unit",
    "counted",
    "approximate",
    "qualifier",
    "claimant",
    "claimant_entity_id",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    base = tmp_path_factory.mktemp("api-analysis")
    corpus = write_corpus(base / "corpus", ENGLISH)
    url = f"sqlite:///{base / 'api.db'}"
    with Storyline(url) as sl:
        assert len(sl.ingest([str(corpus)]).ingested) == 2
    with TestClient(create_app(get_settings(db_url=url))) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def ids(client) -> dict[str, str]:
    items = client.get("/api/v1/articles").json()["items"]
    return {item["title"].split()[0]: item["id"] for item in items}


def test_annotations_carry_the_coded_events_with_their_spans(client, ids):
    article_id = ids["Floods"]
    body = client.get(f"/api/v1/articles/{article_id}/annotations").json()
    text = client.get(f"/api/v1/articles/{article_id}").json()["text"]
    visit = next(e for e in body["events"] if e["plover"] == "CONSULT")
    assert visit["cameo"] == "042" and visit["goldstein"] == 1.9
    assert text[visit["start"] : visit["end"]] == visit["text"]
    assert text[visit["trigger_start"] : visit["trigger_end"]] == "visited"
    assert visit["actor"]["code"] == "GOV" and not visit["negated"]


def test_annotations_of_an_article(client, ids):
    article_id = ids["Varga"]
    response = client.get(f"/api/v1/articles/{article_id}/annotations")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "analyzed_at",
        "analysis_note",
        "entities",
        "mentions",
        "quotes",
        "claims",
        "times",
        "places",
        "events",
    }
    assert body["analyzed_at"] is not None
    text = client.get(f"/api/v1/articles/{article_id}").json()["text"]
    for key in ("mentions", "quotes", "claims", "times"):
        assert body[key], key
        for item in body[key]:
            assert set(item) >= SPAN_KEYS
            assert text[item["start"] : item["end"]] == item["text"]
    for entity in body["entities"]:
        assert set(entity) == ENTITY_KEYS
    for quote in body["quotes"]:
        assert set(quote) == QUOTE_KEYS
    for claim in body["claims"]:
        assert set(claim) == CLAIM_KEYS
    [varga] = [e for e in body["entities"] if e["name"] == "Ilse Varga"]
    assert varga["type"] == "PERSON" and "Varga" in varga["aliases"]
    assert {m["entity_id"] for m in body["mentions"]} <= {e["id"] for e in body["entities"]}
    quote = next(q for q in body["quotes"] if "single battalion" in q["text"])
    assert quote["speaker_entity_id"] == varga["id"]
    assert quote["speaker_span"] is not None
    assert "Varga" in text[quote["speaker_span"]["start"] : quote["speaker_span"]["end"]]
    [tallinn] = [p for p in body["places"] if p["name"] == "Tallinn"]
    assert tallinn["country"] == "EST" and tallinn["lat"] is not None


def test_annotations_of_an_unknown_article_are_a_404_with_the_error_shape(client):
    response = client.get("/api/v1/articles/no-such-article/annotations")
    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "not_found"
    assert "no-such-article" in body["error"]["message"]


def test_entities_page(client):
    response = client.get("/api/v1/entities")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "limit", "offset"}
    assert (body["limit"], body["offset"]) == (50, 0)
    assert body["items"]
    for row in body["items"]:
        assert set(row) == ENTITY_ROW_KEYS
    [varga] = [r for r in body["items"] if r["name"] == "Ilse Varga"]
    assert varga["article_count"] == 2
    assert varga["mention_count"] >= 3


def test_entities_filters_and_paging(client):
    people = client.get("/api/v1/entities", params={"type": "PERSON"}).json()["items"]
    assert people and {r["type"] for r in people} == {"PERSON"}
    named = client.get("/api/v1/entities", params={"name": "hendry"}).json()["items"]
    assert [r["name"] for r in named] == ["Paul Hendry"]
    every = client.get("/api/v1/entities", params={"limit": 500}).json()["items"]
    first = client.get("/api/v1/entities", params={"limit": 2}).json()["items"]
    rest = client.get("/api/v1/entities", params={"limit": 500, "offset": 2}).json()["items"]
    assert [r["id"] for r in first + rest] == [r["id"] for r in every]
    assert client.get("/api/v1/entities", params={"limit": 0}).status_code == 422


def test_one_entity(client):
    rows = client.get("/api/v1/entities", params={"name": "Ilse Varga"}).json()["items"]
    [varga] = rows
    response = client.get(f"/api/v1/entities/{varga['id']}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == ENTITY_KEYS
    assert body["id"] == varga["id"] and body["name"] == "Ilse Varga"
    assert body["type"] == "PERSON"
    assert any("Defence Minister" in role for role in body["roles"])


def test_an_unknown_entity_is_a_404_with_the_error_shape(client):
    response = client.get("/api/v1/entities/Enot-an-entity")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "Enot-an-entity" in response.json()["error"]["message"]


def test_quotes_by_speaker(client, ids):
    response = client.get("/api/v1/quotes", params={"speaker": "Varga"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "limit", "offset"}
    items = body["items"]
    assert len(items) >= 3
    for item in items:
        assert QUOTE_KEYS - {"speaker_span"} <= set(item)
        assert {"article_id", "outlet", "published"} <= set(item)
    assert len({i["speaker_entity_id"] for i in items}) == 1
    assert not any("water is still rising" in i["text"] for i in items)
    assert {i["article_id"] for i in items} == {ids["Varga"], ids["Floods"]}
    newest_first = [i["published"] for i in items]
    assert newest_first == sorted(newest_first, reverse=True)
    only = client.get("/api/v1/quotes", params={"article_id": ids["Floods"]}).json()["items"]
    assert only and {i["article_id"] for i in only} == {ids["Floods"]}


def test_claims(client, ids):
    response = client.get("/api/v1/claims")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "limit", "offset"}
    for item in body["items"]:
        assert CLAIM_KEYS | {"article_id", "outlet", "published"} <= set(item)
    soldiers = client.get("/api/v1/claims", params={"counted": "soldiers"}).json()["items"]
    assert [(c["text"], c["quantity"], c["approximate"]) for c in soldiers] == [
        ("some 13,000 soldiers", 13_000, True)
    ]
    assert soldiers[0]["article_id"] == ids["Varga"]
    residents = client.get("/api/v1/claims", params={"counted": "residents"}).json()["items"]
    assert [(c["quantity"], c["quantity_max"]) for c in residents] == [(3_000, 5_000)]


def test_openapi_lists_the_analysis_endpoints(client):
    schema = client.get("/openapi.json").json()
    assert set(schema["paths"]) >= {
        "/api/v1/articles/{article_id}/annotations",
        "/api/v1/entities",
        "/api/v1/entities/{entity_id}",
        "/api/v1/quotes",
        "/api/v1/claims",
    }
    assert {"AnnotationsOut", "EntityPage", "QuotePage", "ClaimPage"} <= set(
        schema["components"]["schemas"]
    )
    annotations = schema["paths"]["/api/v1/articles/{article_id}/annotations"]["get"]
    assert "404" in annotations["responses"]
    quote_params = {p["name"] for p in schema["paths"]["/api/v1/quotes"]["get"]["parameters"]}
    assert "speaker" in quote_params


def test_listed_quotes_point_at_where_their_speaker_is_named(client, ids):
    items = client.get("/api/v1/quotes", params={"speaker": "Varga"}).json()["items"]
    for item in items:
        span = item["speaker_span"]
        assert span is not None and span["start"] < span["end"]
        article = client.get(f"/api/v1/articles/{item['article_id']}").json()["text"]
        assert article[span["start"] : span["end"]].strip()
