"""Serve: ingest jobs run by the web server, one at a time on a worker thread, with progress a
page or a client can poll. A job ingests uploaded files and URLs, analyses and places them, and
keeps the per-item failures; its uploaded files are deleted when it ends."""

from __future__ import annotations

import queue
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
    error: str | None = None
    finished: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "stage": self.stage,
            "handled": self.handled,
            "current": self.current,
            "sources": len(self.sources),
            "ingested": self.ingested,
            "duplicates": self.duplicates,
            "failed": self.failures,
            "error": self.error,
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
        self._thread = threading.Thread(target=self._work, name="storyline-jobs", daemon=True)
        self._thread.start()

    def submit(self, sources: list[str], folder: Path | None) -> Job:
        job = Job(uuid.uuid4().hex[:12], sources, folder)
        with self._lock:
            self.jobs[job.id] = job
            done = [j for j in self.jobs.values() if j.finished is not None]
            for old in sorted(done, key=lambda j: j.created)[: max(0, len(done) - MAX_KEPT)]:
                del self.jobs[old.id]
        self._queue.put(job)
        return job

    def get(self, job_id: str) -> Job:
        with self._lock:
            job = self.jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"no ingest job {job_id!r}; jobs are kept while the server runs")
        return job

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)

    def _work(self) -> None:
        while (job := self._queue.get()) is not None:
            self._run(job)

    def _run(self, job: Job) -> None:
        job.status = "running"

        def tick(current: str) -> None:
            job.handled += 1
            job.current = current[-120:]

        try:
            with Storyline(settings=self.settings) as sl:
                job.stage = "reading"
                report = sl.ingest(job.sources, assign=False, analyze=False, progress=tick)
                job.ingested, job.duplicates = report.ingested, report.duplicates
                job.failures = [{"source": f.source, "reason": f.reason} for f in report.failures]
                if self.settings.analyze_on_ingest:
                    job.stage, job.handled = "analysing", 0
                    analysis = sl.analyze(progress=tick)
                    job.failures += [
                        {"source": f.source, "reason": f.reason} for f in analysis.failures
                    ]
                job.stage, job.handled = "placing in stories", 0
                sl.assign(progress=tick)
            job.status = "done" if report.ok else "failed"
        except StorylineError as exc:
            job.status, job.error = "failed", str(exc)
        except Exception as exc:  # a bug must not kill the worker thread for later jobs
            job.status, job.error = "failed", f"unexpected {type(exc).__name__}: {exc}"
        finally:
            job.stage, job.current, job.finished = "finished", "", datetime.now(UTC)
            if job.folder is not None:
                shutil.rmtree(job.folder, ignore_errors=True)
