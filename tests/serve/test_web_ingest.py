"""Ingest through the web server: uploads and URLs become a job that can be polled; bad items are
listed with their reasons; writes need the API token when one is set, or come from this machine."""

from __future__ import annotations

import tempfile
import time
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from storyline import Storyline, get_settings
from storyline.serve.api import create_app
from tests.live_server import form_token, free_port, live_server

GOOD = (
    b"Harbour cranes idle in Port Venn\n\n"
    b"Dockers in Port Venn stopped work on Monday over a dispute about night shifts, the union "
    b"said. Some 400 workers joined the strike, which left six ships waiting outside the harbour."
)
BINARY = bytes(range(256)) * 8


def wait(client: httpx.Client, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["finished"]:
            return job
        time.sleep(0.2)
    raise AssertionError("the ingest job did not finish")


def test_api_ingest_runs_a_job_and_lists_every_failure(tmp_path):
    url = f"sqlite:///{tmp_path / 'web.db'}"
    dead = f"http://127.0.0.1:{free_port()}/gone"
    with live_server(url) as client:
        response = client.post(
            "/api/v1/ingest",
            files=[
                ("files", ("cranes.txt", GOOD, "text/plain")),
                ("files", ("photo.txt", BINARY, "application/octet-stream")),
            ],
            data={"urls": dead},
        )
        assert response.status_code == 202
        assert response.headers["location"] == f"/api/v1/jobs/{response.json()['id']}"
        job = wait(client, response.json()["id"])
        assert job["status"] == "done" and len(job["ingested"]) == 1
        reasons = {f["source"]: f["reason"] for f in job["failed"]}
        assert "binary" in reasons["upload:photo.txt"].lower()
        assert tempfile.gettempdir() not in str(job)  # no server path shown
        assert any(dead in f["source"] for f in job["failed"])
        article = client.get(f"/api/v1/articles/{job['ingested'][0]}").json()
        assert article["title"] == "Harbour cranes idle in Port Venn"
        assert article["story_id"] is not None  # analysed and placed, as `ingest` does
        second = client.post("/api/v1/ingest", files=[("files", ("c.txt", GOOD))])
        again = wait(client, second.json()["id"])
        assert again["duplicates"] == job["ingested"] and again["ingested"] == []
        assert client.get("/api/v1/jobs/nope").status_code == 404
        empty = client.post("/api/v1/ingest", data={"urls": "  "})
        assert empty.status_code == 400 and "nothing to ingest" in empty.json()["error"]["message"]


def test_an_upload_over_the_limit_is_refused_whole(tmp_path, monkeypatch):
    monkeypatch.setenv("STORYLINE_UPLOAD_MAX_BYTES", "1000")
    url = f"sqlite:///{tmp_path / 'big.db'}"
    with live_server(url) as client:
        response = client.post("/api/v1/ingest", files=[("files", ("big.txt", GOOD * 10))])
        assert response.status_code == 413
        assert "STORYLINE_UPLOAD_MAX_BYTES" in response.json()["error"]["message"]
    with Storyline(url) as sl:
        assert sl.store.count_articles() == 0


def test_writes_need_the_token_when_one_is_set(tmp_path, monkeypatch):
    monkeypatch.setenv("STORYLINE_API_TOKEN", "s3cret")
    url = f"sqlite:///{tmp_path / 'token.db'}"
    with live_server(url) as client:
        files = [("files", ("cranes.txt", GOOD, "text/plain"))]
        refused = client.post("/api/v1/ingest", files=files)
        assert refused.status_code == 403 and "Bearer" in refused.json()["error"]["message"]
        wrong = client.post("/api/v1/ingest", files=files, headers={"Authorization": "Bearer x"})
        assert wrong.status_code == 403
        ok = client.post("/api/v1/ingest", files=files, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 202
        assert wait(client, ok.json()["id"])["status"] == "done"
        assert client.get("/api/v1/articles").status_code == 200  # reading needs no token


def test_without_a_token_only_this_machine_may_write(tmp_path):
    app = create_app(get_settings(db_url=f"sqlite:///{tmp_path / 'remote.db'}"))
    with TestClient(app, client=("192.0.2.10", 40000)) as remote:
        response = remote.post("/api/v1/ingest", data={"urls": "https://example.org/"})
        assert response.status_code == 403
        assert "STORYLINE_API_TOKEN" in response.json()["error"]["message"]
        assert remote.get("/api/v1/health").status_code == 200


def test_the_ingest_form_redirects_to_a_job_page_that_reports_the_result(tmp_path):
    with live_server(f"sqlite:///{tmp_path / 'form.db'}") as client:
        token = form_token(client, "/ingest")
        response = client.post(
            "/ingest",
            files=[("files", ("cranes.txt", GOOD, "text/plain"))],
            data={"urls": "", "csrf": token},
        )
        assert response.status_code == 303
        job_url = response.headers["location"]
        job_id = job_url.rsplit("/", 1)[-1]
        wait(client, job_id)
        page = client.get(job_url).text
        assert 'data-status="done"' in page and "1 new article," in page
        assert 'http-equiv="refresh"' not in page  # finished: no more refreshing
        assert job_id in client.get("/ingest").text


@pytest.fixture(autouse=True)
def _no_token(monkeypatch):
    monkeypatch.delenv("STORYLINE_API_TOKEN", raising=False)
