"""Feeds registered on the web server: polled in the background while it runs (conditional GET,
as `storyline watch`), listed with their state, polled on demand, removed. The feeds are served
for real on 127.0.0.1 (tests/ingest/test_ingest_watch.py's server); their stories are fictional."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.ingest.test_ingest_watch import FeedServer, feeds  # noqa: F401  (a fixture)
from tests.live_server import form_token, live_server


def _until(check: Any, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.2)
    raise AssertionError("timed out")


def _articles(client: httpx.Client) -> int:
    return client.get("/api/v1/articles").json()["total"]


@pytest.fixture(autouse=True)
def _quick(monkeypatch):
    monkeypatch.setenv("STORYLINE_WATCH_INTERVAL", "1")
    monkeypatch.setenv("STORYLINE_WATCH_HOST_DELAY", "0")
    monkeypatch.delenv("STORYLINE_API_TOKEN", raising=False)


def test_a_registered_feed_is_polled_in_the_background(tmp_path, feeds):  # noqa: F811
    state, base = feeds
    with live_server(f"sqlite:///{tmp_path / 'feeds.db'}") as client:
        created = client.post("/api/v1/feeds", json={"url": f"{base}/post.xml"})
        assert created.status_code == 201 and created.json()["created"] is True
        again = client.post("/api/v1/feeds", json={"url": f"{base}/post.xml"}).json()
        assert again["created"] is False
        _until(lambda: _articles(client) == 2)  # both entries, with no request from us
        listed = _until(lambda: [f for f in client.get("/api/v1/feeds").json() if f["articles"]])
        assert listed[0]["url"] == f"{base}/post.xml" and listed[0]["failures"] == 0
        with state.lock:
            state.entries.append(3)  # a new entry: the next round takes only it
        _until(lambda: _articles(client) == 3)
        _until(lambda: any(r[2].get("If-None-Match") for r in state.requests))  # conditional
        assert client.delete("/api/v1/feeds", params={"url": f"{base}/post.xml"}).json()
        assert client.get("/api/v1/feeds").json() == []
        assert client.delete("/api/v1/feeds", params={"url": f"{base}/post.xml"}).status_code == 404
        refused = client.post("/api/v1/feeds", json={"url": "ftp://x"})  # not http(s): schema
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "invalid_request"
        assert refused.json()["error"]["message"].startswith("body url:")


def test_a_failing_feed_shows_its_error_and_the_page_lists_it(tmp_path, feeds):  # noqa: F811
    state, base = feeds
    state.broken = True
    with live_server(f"sqlite:///{tmp_path / 'broken.db'}") as client:
        token = form_token(client, "/feeds")
        form = client.post(
            "/feeds", data={"action": "add", "url": f"{base}/broken.xml", "csrf": token}
        )
        assert form.status_code == 303
        failing = _until(lambda: [f for f in client.get("/api/v1/feeds").json() if f["failures"]])
        assert "500" in failing[0]["last_error"]
        page = client.get("/feeds").text
        assert f"{base}/broken.xml" in page and "failing (" in page
        assert _articles(client) == 0
