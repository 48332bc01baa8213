"""Serve: ingest jobs run by the web server, one at a time, with progress a page or a client can
poll. A job ingests uploaded files and URLs, analyses and places them, and keeps the per-item
failures; its uploaded files are deleted when it ends. The work itself is done in a process of
its own (`job_worker`); a thread here queues the jobs and records what the worker reports."""

from __future__ import annotations

import queue
import re
import shutil
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storyline.config import Settings
from storyline.errors import NotFoundError, StorylineError
from storyline.facade import Storyline
from storyline.model import IngestReport
from storyline.serve.job_worker import JobFailed, JobWorker

MAX_KEPT = 200  # finished jobs remembered (oldest forgotten first)


@dataclass
class Job:
    """One ingest request and how far it has got."""

    id: str
    sources: list[str]
    folder: Path | None  # uploads, deleted when the job ends
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    status: str = "queued"  # queued, running, done, failed
    stage: str = "waiting"  # reading, analysing, placing in stories
    handled: int = 0  # items handled in the current stage
    current: str = ""
    ingested: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    failures: list[dict[str, str]] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)  # lines never read (not allowed)
    error: str | None = None
    finished: datetime | None = None
    kind: str = "ingest"  # or "poll": a round over the registered feeds
    feeds: list[dict[str, Any]] = field(default_factory=list)  # a poll's outcome per feed

    def public(self, text: str | None) -> str | None:
        """``text`` without the server path of the upload folder (an upload is named by its
        file name only: ``upload:notes.txt``)."""
        if text is None or self.folder is None:
            return text
        prefix = str(self.folder)
        text = re.sub(re.escape(prefix) + r"/\d{3}-", "upload:", text)
        return text.replace(prefix, "upload")

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "stage": self.stage,
            "handled": self.handled,
            "current": self.public(self.current),
            "sources": len(self.sources),
            "ingested": self.ingested,
            "duplicates": self.duplicates,
            "failed": [
                {"source": self.public(f["source"]), "reason": self.public(f["reason"])}
                for f in self.failures
            ],
            "error": self.public(self.error),
            "kind": self.kind,
            "feeds": self.feeds,
            "created": self.created.isoformat(),
            "finished": self.finished.isoformat() if self.finished else None,
        }


class JobRunner:
    """Runs jobs in order on one thread (spaCy and SQLite prefer one writer)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.jobs: dict[str, Job] = {}
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._lock = threading.Lock()
        self.polls_done = 0
        self._worker = JobWorker(settings)  # analysis off the server's threads
        self._thread = threading.Thread(target=self._work, name="storyline-jobs", daemon=True)
        self._thread.start()

    def submit(
        self,
        sources: list[str],
        folder: Path | None,
        kind: str = "ingest",
        refused: list[dict[str, str]] | None = None,
    ) -> Job:
        """Queue a job over ``sources``; ``refused`` are items listed as failed, never read."""
        job = Job(uuid.uuid4().hex, sources, folder, kind=kind)  # its address is its key
        job.refused = list(refused or [])
        job.failures = list(job.refused)
        with self._lock:
            self.jobs[job.id] = job
            done = [j for j in self.jobs.values() if j.finished is not None]
            for old in sorted(done, key=lambda j: j.created)[: max(0, len(done) - MAX_KEPT)]:
                del self.jobs[old.id]
        self._queue.put(job)
        return job

    def submit_poll(self, feeds: list[str]) -> Job | None:
        """Queue a round over ``feeds`` unless one is queued or running already."""
        with self._lock:
            if any(j.kind == "poll" and j.finished is None for j in self.jobs.values()):
                return None
        return self.submit(feeds, None, kind="poll")

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self.jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"no ingest job {job_id!r}; jobs are kept while the server runs")
        return job

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)
        self._worker.close()

    def _work(self) -> None:
        while (job := self._queue.get()) is not None:
            self._run(job)

    def _run(self, job: Job) -> None:
        job.status = "running"
        job.stage = "polling feeds" if job.kind == "poll" else "reading"

        def show(so_far: IngestReport) -> None:  # counts on the job page as they come
            job.ingested, job.duplicates = so_far.ingested, so_far.duplicates
            job.failures = job.refused + [
                {"source": f.source, "reason": f.reason}
                for f in so_far.failures + so_far.analysis_failures
            ]

        def on_message(message: tuple[Any, ...]) -> None:
            if message[0] == "tick":
                job.handled += 1
                job.current = message[1]
            elif message[0] == "stage":
                job.stage, job.handled = message[1], 0
                show(message[2])
            elif message[0] == "feed":
                feed = message[1]
                job.handled += 1
                job.current = feed["url"]
                job.feeds.append(feed)
                if feed["error"]:
                    job.failures.append({"source": feed["url"], "reason": feed["error"]})

        try:
            if job.kind != "poll" and not job.sources:  # every line was refused
                job.status = "failed"
                return
            report = self._worker.run(job.kind, job.sources, on_message)
            if report is not None:
                show(report)
            job.status = "done" if report is None or report.ok else "failed"
        except JobFailed as exc:
            job.status, job.error = "failed", str(exc)
        except Exception as exc:  # a bug must not kill the runner thread for later jobs
            job.status, job.error = "failed", f"unexpected {type(exc).__name__}: {exc}"
        finally:
            job.stage, job.current, job.finished = "finished", "", datetime.now(UTC)
            self.polls_done += job.kind == "poll"
            if job.folder is not None:
                shutil.rmtree(job.folder, ignore_errors=True)


class FeedPoller:
    """While the server runs: every few seconds, queue a round over the registered feeds when
    one of them is due (setting watch_interval; failing feeds back off as in `watch`)."""

    def __init__(self, settings: Settings, runner: JobRunner, period: float = 10.0) -> None:
        self.settings = settings
        self.runner = runner
        self.period = min(period, settings.watch_interval)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="storyline-feeds", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        with Storyline(settings=self.settings) as sl:
            while not self._stop.is_set():
                try:
                    feeds = [url for url, _, _ in sl.store.registered_feeds()]
                    if feeds and sl.watcher(feeds).due(datetime.now(UTC)):
                        self.runner.submit_poll(feeds)
                except StorylineError:
                    pass  # the database is busy or away: try again next period
                self._stop.wait(self.period)
