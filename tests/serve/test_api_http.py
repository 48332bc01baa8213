"""The REST API and pages over real HTTP: uvicorn on a free 127.0.0.1 port, demo corpus loaded."""

from __future__ import annotations

import html
import re

import pytest

from storyline import Storyline
from tests.conftest import BACKENDS, database_url, demo_copy
from tests.live_server import live_server


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory, demo_path, demo_sqlite):
    folder = tmp_path_factory.mktemp("api")
    if request.param == "sqlite":
        url = demo_copy(demo_sqlite, folder)
    else:
        url = database_url(request.param, folder, "api")
        with Storyline(url) as sl:
            sl.ingest([str(demo_path)])
    with live_server(url) as client:
        yield client


def test_health_counts_the_store(server):
    body = server.get("/api/v1/health").json()
    assert body["status"] == "ok"
    assert body["articles"] == 32
    assert body["stories"] == 7


def test_stories_paginate_and_link_to_their_articles(server):
    first = server.get("/api/v1/stories", params={"limit": 3}).json()
    rest = server.get("/api/v1/stories", params={"limit": 50, "offset": 3}).json()
    assert first["total"] == 7 and len(first["items"]) == 3 and len(rest["items"]) == 4
    ids = [s["id"] for s in first["items"] + rest["items"]]
    assert len(set(ids)) == 7
    biggest = max(first["items"] + rest["items"], key=lambda s: s["article_count"])
    detail = server.get(f"/api/v1/stories/{biggest['id']}").json()
    assert [a["id"] for a in detail["articles"]] == biggest["article_ids"]
    listed = server.get("/api/v1/articles", params={"story_id": biggest["id"], "limit": 500}).json()
    assert listed["total"] == biggest["article_count"]
    assert {a["id"] for a in listed["items"]} == set(biggest["article_ids"])


def test_an_article_has_text_and_its_removed_lines(server):
    items = server.get("/api/v1/articles", params={"limit": 500}).json()["items"]
    copies = [a for a in items if a["duplicate_of"]]
    assert len(copies) == 3  # two republications and one translation (see EXPECTED.json)
    full = [server.get(f"/api/v1/articles/{c['id']}").json() for c in copies]
    for summary, article in zip(copies, full, strict=True):
        assert article["text"] and article["story_id"] == summary["story_id"]
        assert article["duplicate_of"] == summary["duplicate_of"]
    spammy = max(full, key=lambda a: len(a["removed_lines"]))
    reasons = {r["reason"] for r in spammy["removed_lines"]}
    assert {"link_list", "gambling_ad", "promotion", "page_marker"} <= reasons


def test_errors_have_one_shape(server):
    response = server.get("/api/v1/articles/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert "storyline articles" in response.json()["error"]["message"]
    bad = server.get("/api/v1/stories", params={"limit": 0})
    assert bad.status_code == 422


def test_openapi_describes_every_endpoint(server):
    schema = server.get("/openapi.json").json()
    assert set(schema["paths"]) >= {
        "/api/v1/health",
        "/api/v1/articles",
        "/api/v1/articles/{article_id}",
        "/api/v1/stories",
        "/api/v1/stories/{story_id}",
    }
    assert "ArticleOut" in schema["components"]["schemas"]


def test_pages_list_stories_and_show_articles(server):
    stories = server.get("/api/v1/stories").json()["items"]
    home = server.get("/")
    assert home.status_code == 200 and "text/html" in home.headers["content-type"]
    for story in stories:
        assert f'href="/stories/{story["id"]}"' in home.text
    story_page = server.get(f"/stories/{stories[0]['id']}")
    first_article = stories[0]["article_ids"][0]
    assert f'href="/articles/{first_article}"' in story_page.text
    article_page = server.get(f"/articles/{first_article}")
    assert article_page.status_code == 200
    article = server.get(f"/api/v1/articles/{first_article}").json()
    shown = re.search(r'<pre class="text">(.*?)</pre>', article_page.text, flags=re.DOTALL)
    assert shown is not None  # the whole clean text, with the annotations highlighted
    assert html.unescape(re.sub(r"<[^>]+>", "", shown.group(1))) == article["text"]
    assert 'class="hl-entity"' in shown.group(1) and 'class="hl-quote"' in shown.group(1)
    missing = server.get("/articles/nope")
    assert missing.status_code == 404 and "no article with id" in missing.text


def test_entity_page_shows_what_it_said_and_where_it_is_mentioned(server):
    quotes = server.get("/api/v1/quotes", params={"limit": 500}).json()["items"]
    quote = next(q for q in quotes if q["speaker_entity_id"])
    entity_id = quote["speaker_entity_id"]
    entity = server.get(f"/api/v1/entities/{entity_id}").json()
    page = server.get(f"/entities/{entity_id}").text
    said = page[page.index('id="said-by"') : page.index('id="about"')]
    assert quote["text"] in html.unescape(said)  # the page escapes quotes and apostrophes too
    about = page[page.index('id="about"') :]
    links = re.findall(r'<a href="(/articles/[^"#]+)#hl">', about)
    assert links
    names = {entity["name"], *entity["aliases"]}
    for link in links[:3]:
        cited = server.get(html.unescape(link)).text
        marked = re.search(r'<mark id="hl">(.*?)</mark>', cited, flags=re.DOTALL)
        assert (
            marked is not None and html.unescape(re.sub(r"<[^>]+>", "", marked.group(1))) in names
        )
    assert server.get("/entities/E-none").status_code == 404
