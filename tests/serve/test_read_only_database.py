"""A read-only database from the real `storyline` command and from the web server: one that a
newer storyline wrote (SQLite and PostgreSQL), and a SQLite file in a folder this process may not
write. Read commands work and say once, on stderr, that the database is open read-only; commands
that write exit 1 with one message and change nothing; the server answers reads and refuses
writes with 503 in the API's error shape, before any job starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from storyline import Storyline
from storyline.serve.cli import app
from storyline.store.schema import MIGRATIONS
from tests.conftest import BACKENDS
from tests.live_server import live_server
from tests.read_only import files_beside, from_the_future, read_only, reader
from tests.serve.test_cli_stories import CORPUS, build

MORE = "Velmora harbour wall works begin early after a storm damaged the old quay on Sunday."
FEED = "https://www.northwire.example/feed.xml"


def run_cli(*args: str, unprivileged: bool = False) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "storyline", *args]
    return subprocess.run(
        reader(argv) if unprivileged else argv,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "COLUMNS": "1000"},  # an error is one line, however long its path
    )


def _flat(text: str) -> str:
    """Text with its line breaks and runs of spaces as single spaces (a progress display may
    leave an empty line on stderr)."""
    return " ".join(text.split())


def _future_note(url: str, newest: int) -> tuple[str, str]:
    """The note said on opening ``url``, and the message of a refused write."""
    where = make_url(url).render_as_string(hide_password=True)
    why = f"schema {newest}, this version knows {len(MIGRATIONS)}"
    return (
        f"database {where} was written by a newer storyline ({why}): opened read-only; "
        "upgrade storyline to write to it",
        f"cannot write to database {where}: it was written by a newer storyline ({why}), so it "
        "is open read-only; upgrade storyline to write to it",
    )


@pytest.fixture(params=BACKENDS)
def future(request, tmp_path) -> tuple[str, int]:
    """The stories corpus, placed, in a database a newer storyline has since migrated."""
    url, _ = build(tmp_path, request.param)
    return url, from_the_future(url)


def test_the_cli_reads_a_database_from_a_newer_storyline_and_refuses_to_write(future, tmp_path):
    url, newest = future
    note, refusal = _future_note(url, newest)
    more = tmp_path / "more.txt"
    more.write_text(MORE, encoding="utf-8")
    with Storyline(url) as sl:
        before = sl.articles(limit=100)

    listed = run_cli("stories", "--db", url, "--json")
    assert listed.returncode == 0, listed.stderr
    assert listed.stderr.splitlines() == [note]  # once, on one line
    stories = json.loads(listed.stdout)
    assert len(stories) == 3
    runner = CliRunner()  # the other commands in process (the note goes to the test's log)
    for args in (
        ("story", str(stories[0]["id"]), "--json"),
        ("brief", str(stories[0]["id"])),
        ("articles", "--json"),
        ("export", "articles"),
    ):
        done = runner.invoke(app, [*args, "--db", url])
        assert done.exit_code == 0, done.stderr
        assert done.stdout.strip()

    ingest = run_cli("ingest", str(more), "--db", url)
    assert ingest.returncode == 1
    assert _flat(ingest.stderr) == f"{note} error: {refusal}"
    for args in (("assign",), ("merge-stories", "1", "2"), ("analyze",)):
        done = runner.invoke(app, [*args, "--db", url], env={"COLUMNS": "1000"})
        assert done.exit_code == 1
        assert _flat(done.stderr) == f"error: {refusal}"
    with Storyline(url) as sl:
        assert sl.articles(limit=100) == before


def test_the_cli_reads_a_database_in_a_read_only_folder(tmp_path):
    url, _ = build(tmp_path / "db")
    path = Path(make_url(url).database or "")
    more = tmp_path / "more.txt"
    more.write_text(MORE, encoding="utf-8")
    note = f"database {url} is in a read-only folder: opened read-only; make its folder writable"
    files = files_beside(path)
    with read_only(path, file=False, folder=True):
        listed = run_cli("stories", "--db", url, "--json", unprivileged=True)
        ingest = run_cli("ingest", str(more), "--db", url, unprivileged=True)
        after = files_beside(path)
    assert listed.returncode == 0, listed.stderr
    assert listed.stderr.splitlines() == [f"{note} to write to it"]
    assert len(json.loads(listed.stdout)) == 3
    assert ingest.returncode == 1
    assert _flat(ingest.stderr) == (
        f"{note} to write to it error: cannot write to database {url}: it is in a read-only "
        "folder, so it is open read-only; make its folder writable to write to it"
    )
    assert after == files  # nothing written, no -wal or -shm made


def test_the_server_answers_reads_and_refuses_writes_on_a_database_from_a_newer_storyline(
    tmp_path,
):
    url, _ = build(tmp_path)
    _, refusal = _future_note(url, from_the_future(url))
    with live_server(url) as client:
        stories = client.get("/api/v1/stories").json()
        assert stories["total"] == 3
        story = stories["items"][0]["id"]
        assert client.get(f"/api/v1/stories/{story}").status_code == 200
        assert client.get(f"/api/v1/stories/{story}/brief").status_code == 200
        assert client.get("/api/v1/search", params={"q": "Brisk"}).json()["total"] >= 1
        assert client.get("/api/v1/health").json()["articles"] == len(CORPUS)
        for method, path, options in (
            ("POST", "/api/v1/ingest", {"data": {"urls": "https://www.northwire.example/x"}}),
            ("POST", "/api/v1/feeds", {"json": {"url": FEED}}),
            ("DELETE", "/api/v1/feeds", {"params": {"url": FEED}}),
            ("POST", "/api/v1/feeds/poll", {}),
        ):
            answer = client.request(method, path, **options)
            assert answer.status_code == 503, (path, answer.text)
            assert answer.json() == {"error": {"code": "read_only", "message": refusal}}
        assert "/ingest/jobs/" not in client.get("/ingest").text  # no job was started
        assert client.get("/api/v1/articles").json()["total"] == len(CORPUS)
