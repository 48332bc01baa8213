"""Serve: the process that does the web server's ingest and poll work (`JobWorker`).

Analysis (spaCy) and placement are CPU work in Python: run on a thread of the server, they hold
the interpreter's lock against every request thread, so readers wait while a job runs and the
job crawls while readers read (issue 20 measured 17 of 36 items in 30 s under 20 clients). The
worker is a child process started on the first job and kept (models load once, and the story
assigner's state is kept across feed polls as `storyline watch` keeps it): jobs run there on a
core of their own, and tell the server their progress through a pipe. A worker that dies (killed,
out of memory) fails its job with a one-line reason, and the next job starts a new one.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import sys
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from storyline.config import Settings

Message = tuple[Any, ...]


def _work(conn: Connection, settings: Settings) -> None:
    """The child's loop: run each job sent, streaming its messages back."""
    from storyline.errors import StorylineError
    from storyline.facade import Storyline
    from storyline.pipeline import AssignState

    state = AssignState()  # kept across polls
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        kind, sources = job
        try:
            with Storyline(settings=settings) as sl:
                if kind == "poll":
                    for outcome in sl.watcher(sources, state=state).cycle():
                        conn.send(("feed", {
                            "url": outcome.url, "status": outcome.status, "new": outcome.new,
                            "duplicates": outcome.duplicates, "failed": outcome.failed,
                            "error": outcome.error,
                        }))  # fmt: skip
                    conn.send(("done", None))
                else:
                    report = sl.ingest(
                        sources,
                        progress=lambda current: conn.send(("tick", current[-120:])),
                        stage=lambda name, so_far: conn.send(("stage", name, so_far)),
                    )
                    conn.send(("done", report))
        except StorylineError as exc:
            conn.send(("error", str(exc)))
        except Exception as exc:  # a bug: say so in the job, keep the traceback in the log
            traceback.print_exc(file=sys.stderr)
            conn.send(("error", f"unexpected {type(exc).__name__}: {str(exc)[:200]}"))


class JobWorker:
    """The parent's handle on the worker process (used from one thread: the job runner's)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def _ensure(self) -> Connection:
        if self._process is None or not self._process.is_alive() or self._conn is None:
            self.close()
            context = multiprocessing.get_context("spawn")  # no fork of a threaded server
            parent, child = context.Pipe()
            process = context.Process(
                target=_work, args=(child, self.settings), name="storyline-job", daemon=True
            )
            process.start()
            child.close()
            self._process, self._conn = process, parent
        return self._conn

    def run(self, kind: str, sources: list[str], on_message: Callable[[Message], None]) -> Any:
        """Run one job in the worker; hand each progress message to ``on_message``; return
        what the job gives (an IngestReport, or None for a poll).

        Raises:
            JobFailed: the job raised (its message), or the worker died.
        """
        conn = self._ensure()
        conn.send((kind, sources))
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                code = self._process.exitcode if self._process else None
                self.close()
                raise JobFailed(
                    f"the job's worker process stopped (exit code {code}); the next job starts "
                    "a new one"
                ) from None
            if message[0] == "done":
                return message[1]
            if message[0] == "error":
                raise JobFailed(message[1])
            on_message(message)

    def close(self) -> None:
        """Stop the worker (it finishes nothing: call between jobs)."""
        conn, process = self._conn, self._process
        self._conn = self._process = None
        if conn is not None:
            with contextlib.suppress(OSError, ValueError):
                conn.send(None)
            conn.close()
        if process is not None:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)


class JobFailed(Exception):
    """A job that ended in an error, with the one-line reason."""
