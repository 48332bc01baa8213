"""Serve: a server over a read-only database (written by a newer storyline, or a file it may not
write) answers every read and refuses every write at once, in the one error shape (503), before
a form is read into a job: an ingest would otherwise be accepted and fail later on its job page.
Every route that does not only read takes another method than GET/HEAD/OPTIONS."""

from __future__ import annotations

from fastapi import Request

READS = frozenset({"GET", "HEAD", "OPTIONS"})


def refuse_writes_when_read_only(request: Request) -> None:
    """An app-wide dependency: `ReadOnlyError` for a write while the store is read-only."""
    if request.method not in READS:
        request.app.state.store.check_writable()
