"""Ingest: the failure line for an exception no reader expected (a bug, or input no one thought
of). It is reported, never swallowed, and the batch, poll or watch goes on with the next item."""

from __future__ import annotations

from storyline.model import IngestFailure
from storyline.safe_text import quote


def unexpected(source: str, exc: BaseException, doing: str) -> IngestFailure:
    """The failure of ``source`` for ``exc``, raised while ``doing`` ("reading", "fetching")."""
    return IngestFailure(source, unexpected_reason(exc, doing))


def unexpected_reason(exc: BaseException, doing: str) -> str:
    """One line saying what was raised, with its message cut short, and what to do."""
    return (
        f"unexpected {type(exc).__name__} while {doing} ({quote(exc)}); the rest of this item "
        "was skipped: please report it with the input"
    )
