"""Store: a cheap answer to "has anything been committed since I last asked?", for caches.

SQLite counts commits of other connections in ``PRAGMA data_version`` (other processes too);
this module keeps one read-only connection of its own to ask it, so every write through the
store, the web server's jobs or a `storyline ingest` run in another process changes the answer.
PostgreSQL's write-ahead log position moves with every commit that wrote anything (in any database
of the cluster: a cache is then invalidated more often than needed, never less). Any other
database, or a failure to ask, gives a fresh marker every time: nothing is served from a cache.

`ChangeWatch.stories_marker` moves only when stories change (placement, merges, splits): what a
story page or brief shows stays the same while articles are stored and analysed and not yet
placed, so an ingest job does not make every story page be built again at each of its commits.
It is asked again at most every STORIES_RECHECK seconds while the database keeps changing.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time

from sqlalchemy import text
from sqlalchemy.engine import Engine

_unique = itertools.count()
STORIES_RECHECK = 0.25  # seconds
_STORIES = text(
    "SELECT (SELECT count(*) FROM stories), (SELECT max(updated_at) FROM stories), "
    "(SELECT max(updated_at) FROM story_events), (SELECT max(id) FROM story_changes)"
)


class ChangeWatch:
    """Markers that differ whenever the database behind ``engine`` may have changed."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._sqlite: sqlite3.Connection | None = None
        self.kind = engine.dialect.name
        self._stories: tuple[str, float, str] = ("", 0.0, "")  # (base marker, when, marker)
        database = engine.url.database
        if self.kind == "sqlite" and database and database != ":memory:":
            try:
                self._sqlite = sqlite3.connect(
                    f"file:{database}?mode=ro", uri=True, check_same_thread=False
                )
            except sqlite3.Error:
                self._sqlite = None

    def marker(self) -> str:
        """A value that changes whenever something is committed (or may have been)."""
        try:
            if self._sqlite is not None:
                with self._lock:
                    row = self._sqlite.execute("PRAGMA data_version").fetchone()
                return f"sqlite:{row[0]}"
            if self.kind == "postgresql":
                with self.engine.connect() as conn:
                    return f"pg:{conn.execute(text('SELECT pg_current_wal_lsn()')).scalar()}"
        except Exception:
            pass
        return f"unknown:{next(_unique)}"

    def stories_marker(self) -> str:
        """A value that changes whenever a story changes (and may lag STORIES_RECHECK)."""
        base = self.marker()
        seen, when, marker = self._stories
        now = time.monotonic()
        if marker and (base == seen or now - when < STORIES_RECHECK):
            return marker
        if base.startswith("unknown:"):
            return base
        try:
            with self.engine.connect() as conn:
                row = conn.execute(_STORIES).one()
            marker = "stories:" + "|".join(str(value) for value in row)
        except Exception:
            return f"unknown:{next(_unique)}"
        self._stories = (base, now, marker)
        return marker

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
