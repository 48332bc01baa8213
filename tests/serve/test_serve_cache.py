"""Answers kept until the database changes: a cached page is served again only while nothing
has been committed, whoever commits (this server's jobs or another process); and the job worker
process: jobs run there, and a worker that died is replaced for the next job."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from fastapi.testclient import TestClient

from storyline import Storyline, get_settings
from storyline.serve.api import create_app
from storyline.store.changes import STORIES_RECHECK, ChangeWatch
from storyline.store.store import Store

LAMPS = (
    "Lamps relit in Orlen Square\n\nThe council of Orlen relit the square's forty gas lamps on "
    "Friday after a year of repairs, its spokesman said, and the market will stay open late."
)
FERRY = (
    "Ferry to Lind Quay sails again\n\nThe ferry to Lind Quay sailed again on Tuesday after a "
    "week of repairs to its engine, the operator said, with the first crossing full."
)


def _ingest(url: str, folder: Path, name: str, text: str) -> None:
    (folder / name).write_text(text)
    with Storyline(url) as sl:
        assert len(sl.ingest([str(folder / name)]).ingested) == 1


def test_the_change_marker_moves_with_every_commit(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'marker.db'}"
    store = Store(url)
    watch = ChangeWatch(store.engine)
    before = watch.marker()
    assert watch.marker() == before  # reading changes nothing
    _ingest(url, tmp_path, "lamps.txt", LAMPS)
    assert watch.marker() != before
    watch.close()
    store.close()


def test_a_commit_by_another_process_ends_every_cached_answer(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cache.db'}"
    _ingest(url, tmp_path, "lamps.txt", LAMPS)
    with TestClient(create_app(get_settings(db_url=url))) as client:
        first = client.get("/api/v1/articles")
        again = client.get("/api/v1/articles")
        assert first.headers["x-cache"] == "miss" and again.headers["x-cache"] == "hit"
        assert again.json() == first.json() and again.json()["total"] == 1
        page = client.get("/")
        assert "Lamps relit" in page.text and client.get("/").headers["x-cache"] == "hit"
        _ingest(url, tmp_path, "ferry.txt", FERRY)  # another connection, as another process
        after = client.get("/api/v1/articles")
        assert after.headers["x-cache"] == "miss" and after.json()["total"] == 2
        time.sleep(STORIES_RECHECK + 0.1)  # story pages may lag a commit by this much
        assert "Ferry to Lind Quay" in client.get("/").text
        assert "x-cache" not in client.get("/api/v1/health").headers  # never cached


def test_story_pages_stay_cached_until_a_placement(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'placed.db'}"
    _ingest(url, tmp_path, "lamps.txt", LAMPS)
    with TestClient(create_app(get_settings(db_url=url))) as client:
        (story,) = client.get("/api/v1/stories").json()["items"]
        page = f"/stories/{story['id']}"
        assert client.get(page).headers["x-cache"] == "miss"
        (tmp_path / "ferry.txt").write_text(FERRY)
        with Storyline(url) as sl:  # stored, not yet placed: no story changed
            assert len(sl.ingest([str(tmp_path / "ferry.txt")], assign=False).ingested) == 1
        time.sleep(STORIES_RECHECK + 0.1)
        assert client.get(page).headers["x-cache"] == "hit"
        assert client.get("/api/v1/articles").json()["total"] == 2  # articles: not kept
        with Storyline(url) as sl:
            sl.assign()
        time.sleep(STORIES_RECHECK + 0.1)
        assert client.get(page).headers["x-cache"] == "miss"
        assert len(client.get("/api/v1/stories").json()["items"]) == 2


def test_jobs_run_in_a_worker_process_replaced_when_it_dies(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    app = create_app(get_settings(db_url=url, analyze_on_ingest=False))
    with TestClient(app) as client:
        runner = app.state.jobs
        first = client.post("/api/v1/ingest", files=[("files", ("l.txt", LAMPS.encode()))])
        _wait(client, first.json()["id"])
        worker = runner._worker._process  # the job ran in a process of its own
        assert worker is not None and worker.pid != os.getpid() and worker.is_alive()
        os.kill(worker.pid, signal.SIGKILL)
        worker.join(timeout=10)
        second = client.post("/api/v1/ingest", files=[("files", ("f.txt", FERRY.encode()))])
        job = _wait(client, second.json()["id"])
        assert job["status"] == "done" and len(job["ingested"]) == 1  # a new worker took it


def _wait(client: TestClient, job_id: str) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["finished"]:
            return job
        time.sleep(0.2)
    raise AssertionError("the job did not finish")
