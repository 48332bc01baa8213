"""The web server on a network, probed as an attacker would (issue 20): no server files or
internal addresses read on a request's say, no cross-site writes, no script from articles, one
error shape, uploads bounded before they are received, and no server paths shown."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from storyline import Storyline, get_settings
from storyline.serve.api import create_app
from storyline.serve.api_ingest import uploads_root
from tests.live_server import form_token, live_server

SECRET = "Quillfeather ledger: the vault code of Marrow Bay is 4471, do not share."
STORY = (
    "Lamps relit in Orlen Square\n\nThe council of Orlen relit the square's forty gas lamps on "
    "Friday after a year of repairs, its spokesman said, and the market will stay open late."
)


def wait(client: httpx.Client, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["finished"]:
            return job
        time.sleep(0.2)
    raise AssertionError("the ingest job did not finish")


@pytest.fixture
def secret_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "private"
    folder.mkdir()
    (folder / "passwords.txt").write_text(SECRET + "\n" + SECRET)
    return folder


@pytest.fixture(autouse=True)
def _defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STORYLINE_API_TOKEN", raising=False)
    monkeypatch.setenv("STORYLINE_ANALYZE_ON_INGEST", "false")
    monkeypatch.setenv("STORYLINE_SERVE_POLL_FEEDS", "false")


def test_the_web_ingest_never_reads_server_paths(tmp_path: Path, secret_folder: Path) -> None:
    with live_server(f"sqlite:///{tmp_path / 'paths.db'}") as client:
        lines = f"{secret_folder / 'passwords.txt'}\n{secret_folder}\nfile://{secret_folder}"
        job = wait(client, client.post("/api/v1/ingest", data={"urls": lines}).json()["id"])
        assert job["status"] == "failed" and job["ingested"] == []
        assert len(job["failed"]) == 3
        assert all("uploaded files and http(s) URLs only" in f["reason"] for f in job["failed"])
        found = client.get("/api/v1/search", params={"q": "Quillfeather"}).json()
        assert found["total"] == 0


def test_folders_named_in_the_setting_may_be_read(
    tmp_path: Path, secret_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORYLINE_SERVE_INGEST_FOLDERS", str(secret_folder))
    with live_server(f"sqlite:///{tmp_path / 'allowed.db'}") as client:
        escape = f"{secret_folder}/../private/../../{tmp_path.name}"
        lines = f"{secret_folder / 'passwords.txt'}\n{escape}"
        job = wait(client, client.post("/api/v1/ingest", data={"urls": lines}).json()["id"])
        assert len(job["ingested"]) == 1  # the file inside; the path that climbs out refused
        assert [f["source"] for f in job["failed"]] == [escape]


def test_the_server_fetches_no_internal_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STORYLINE_FETCH_ALLOW_NETWORKS", "")  # the default
    with live_server(f"sqlite:///{tmp_path / 'ssrf.db'}") as client:
        port = urlsplit(str(client.base_url)).port
        own = [
            f"http://127.0.0.1:{port}/api/v1/health",
            f"http://localhost:{port}/api/v1/health",
            f"http://0x7f000001:{port}/api/v1/health",
            f"http://2130706433:{port}/api/v1/health",
            "http://169.254.169.254/latest/meta-data/",
        ]
        job = wait(
            client, client.post("/api/v1/ingest", data={"urls": "\n".join(own)}).json()["id"]
        )
        assert job["ingested"] == [] and len(job["failed"]) == len(own)
        assert all("refused: " in f["reason"] for f in job["failed"]), job["failed"]
        assert client.get("/api/v1/health").json()["articles"] == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
def test_cross_site_writes_are_refused_before_anything_is_done(
    tmp_path: Path, headers: dict[str, str]
) -> None:
    with live_server(f"sqlite:///{tmp_path / 'csrf.db'}") as client:
        token = form_token(client, "/feeds")
        feeds = client.post(
            "/feeds",
            data={"action": "add", "url": "https://feeds.example/rss", "csrf": token},
            headers=headers,
        )
        assert feeds.status_code == 403 and "text/html" in feeds.headers["content-type"]
        ingest = client.post(
            "/ingest", data={"urls": "https://news.example/a", "csrf": token}, headers=headers
        )
        assert ingest.status_code == 403
        api = client.post(
            "/api/v1/feeds", json={"url": "https://feeds.example/rss"}, headers=headers
        )
        assert api.status_code == 403 and api.json()["error"]["code"] == "forbidden"
        assert client.get("/api/v1/feeds").json() == []


def test_forms_need_the_token_of_their_page(tmp_path: Path) -> None:
    with live_server(f"sqlite:///{tmp_path / 'form.db'}") as client:
        data = {"action": "add", "url": "https://feeds.example/rss"}
        assert client.post("/feeds", data=data).status_code == 403  # no token
        assert client.post("/feeds", data={**data, "csrf": "0" * 32}).status_code == 403
        token = form_token(client, "/feeds")
        same_site = {"Origin": str(client.base_url), "Sec-Fetch-Site": "same-origin"}
        done = client.post("/feeds", data={**data, "csrf": token}, headers=same_site)
        assert done.status_code == 303
        assert [f["url"] for f in client.get("/api/v1/feeds").json()] == [data["url"]]


def test_a_rebound_name_is_not_this_machine(tmp_path: Path) -> None:
    """DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 sends its
    requests from this machine, but with its own name in Host."""
    with live_server(f"sqlite:///{tmp_path / 'rebind.db'}") as client:
        port = urlsplit(str(client.base_url)).port
        host = {"Host": f"evil.example:{port}"}
        refused = client.post("/api/v1/ingest", data={"urls": "https://a.example/"}, headers=host)
        assert refused.status_code == 403
        assert client.get("/ingest", headers=host).text.count("/ingest/jobs/") == 0


def _article_with_url(tmp_path: Path, url: str) -> str:
    db = f"sqlite:///{tmp_path / 'xss.db'}"
    record = {"url": url, "title": "Lamps relit in Orlen Square", "text": STORY}
    (tmp_path / "xss.jsonl").write_text(json.dumps(record) + "\n")
    with Storyline(db) as sl:
        report = sl.ingest([str(tmp_path / "xss.jsonl")])
    assert len(report.ingested) == 1
    return db


@pytest.mark.parametrize(
    "url",
    ["JaVaScRiPt:alert(5)", " javascript:alert(5)", "data:text/html,<script>alert(6)</script>"],
)
def test_only_http_urls_become_links(tmp_path: Path, url: str) -> None:
    db = _article_with_url(tmp_path, url)
    with live_server(db) as client:
        (article,) = client.get("/api/v1/articles").json()["items"]
        page = client.get(f"/articles/{article['id']}")
        assert page.status_code == 200
        assert "original" in page.text
        assert 'href="javascript' not in page.text.lower()
        assert 'href=" javascript' not in page.text.lower()
        assert 'href="data:' not in page.text.lower()
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "same-origin"
        assert "<script>" not in client.get("/").text  # no inline script on any page


def test_every_error_has_the_one_shape(tmp_path: Path) -> None:
    with live_server(f"sqlite:///{tmp_path / 'errors.db'}") as client:
        missing = client.get("/api/v1/no-such-thing")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
        invalid = client.get("/api/v1/stories", params={"limit": "many"})
        assert invalid.status_code == 422
        assert invalid.json()["error"]["code"] == "invalid_request"
        assert "limit" in invalid.json()["error"]["message"]
        method = client.put("/api/v1/stories")
        assert method.status_code == 405 and method.json()["error"]["code"] == "method_not_allowed"
        page = client.get("/", params={"page": 0})
        assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
        assert "Error 422" in page.text
        gone = client.get("/no/such/page")
        assert gone.status_code == 404 and gone.headers["content-type"].startswith("text/html")


def test_the_token_is_read_in_any_case_of_bearer(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("STORYLINE_API_TOKEN", "s3cret")
    with live_server(f"sqlite:///{tmp_path / 'bearer.db'}") as client:
        for scheme in ("bearer", "BEARER", "Bearer"):
            answer = client.post(
                "/api/v1/feeds",
                json={"url": f"https://feeds.example/{scheme}"},
                headers={"Authorization": f"{scheme} s3cret"},
            )
            assert answer.status_code == 201, scheme


def _raw_post(base: str, path: str, headers: dict[str, str], body: bytes = b"") -> str:
    """Send a request's head (and ``body``) over a socket and read the answer's status line,
    without sending the rest of the body the head announces."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        head = f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        sock.sendall(head.encode() + body)
        return sock.recv(65536).decode("latin-1").split("\r\n", 1)[0]


def test_uploads_are_refused_before_they_arrive(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("STORYLINE_API_TOKEN", "s3cret")
    monkeypatch.setenv("STORYLINE_UPLOAD_MAX_BYTES", "100000")
    multipart = {"Content-Type": "multipart/form-data; boundary=b0undary"}
    with live_server(f"sqlite:///{tmp_path / 'upload.db'}") as client:
        base = str(client.base_url)
        huge = {**multipart, "Content-Length": str(300_000_000)}
        # no token: 403 at once, although 300 MB were announced and none sent
        assert " 403 " in _raw_post(base, "/api/v1/ingest", huge)
        with_token = {**huge, "Authorization": "Bearer s3cret"}
        assert " 413 " in _raw_post(base, "/api/v1/ingest", with_token)
        # no length announced: cut off once the body passes the limit
        chunk = b"x" * 150_000
        chunked = {**multipart, "Authorization": "Bearer s3cret", "Transfer-Encoding": "chunked"}
        body = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
        assert " 413 " in _raw_post(base, "/api/v1/ingest", chunked, body)
        assert client.get("/api/v1/health").json()["articles"] == 0


def test_the_default_upload_limit_is_modest() -> None:
    assert get_settings().upload_max_bytes <= 64_000_000


def test_upload_folders_of_dead_servers_are_removed_at_start(tmp_path: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    root = uploads_root()
    root.mkdir(exist_ok=True)
    stale = Path(tempfile.mkdtemp(prefix=f"{gone.stdout.strip()}-", dir=root))
    (stale / "000-left.txt").write_text(STORY)
    mine = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=root))
    try:
        app = create_app(get_settings(db_url=f"sqlite:///{tmp_path / 'start.db'}"))
        with TestClient(app):
            assert not stale.exists()
            assert mine.exists()  # a live server's folder stays
    finally:
        for folder in (stale, mine):
            if folder.exists():
                (folder / "000-left.txt").unlink(missing_ok=True)
                folder.rmdir()


def test_job_lists_are_not_shown_to_other_machines(tmp_path: Path) -> None:
    app = create_app(get_settings(db_url=f"sqlite:///{tmp_path / 'jobs.db'}"))
    with TestClient(app) as local:
        job = local.post("/api/v1/ingest", files=[("files", ("lamps.txt", STORY.encode()))])
        assert job.status_code == 202
        job_id = job.json()["id"]
        assert len(job_id) == 32  # an address nobody guesses
        assert job_id in local.get("/ingest").text
    with TestClient(app, client=("192.0.2.10", 40000)) as remote:
        assert job_id not in remote.get("/ingest").text
