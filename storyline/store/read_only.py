"""Store: databases opened read-only, and why.

A database is opened read-only when it records a migration newer than this code knows (a newer
storyline wrote it, and older code writing to it could corrupt what the newer code expects), or
when it is a SQLite file this process may not write (the file itself, or the folder where SQLite
keeps its -wal, -shm and -journal files). Reads work as usual. The connections themselves refuse
every write (SQLite `query_only` or a read-only open, PostgreSQL `default_transaction_read_only`),
so no write path can slip past; `Store.transaction` turns the refusal into a `ReadOnlyError`
that says why and what to do.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import URL

# PostgreSQL's SQLSTATE for a write in a read-only transaction (read_only_sql_transaction).
_PG_READ_ONLY = "25006"


@dataclass(frozen=True)
class ReadOnly:
    """Why a database is open read-only (a clause after its name) and what would let it be
    written."""

    reason: str
    advice: str

    def note(self, where: str) -> str:
        """The one line said when the database is opened."""
        return f"database {where} {self.reason}: opened read-only; {self.advice}"

    def refusal(self, where: str) -> str:
        """The message of each refused write."""
        return (
            f"cannot write to database {where}: it {self.reason}, so it is open read-only; "
            f"{self.advice}"
        )


def newer_schema(newest: int, known: int) -> ReadOnly:
    """A database whose newest recorded migration is ``newest``; this code knows ``known``."""
    return ReadOnly(
        f"was written by a newer storyline (schema {newest}, this version knows {known})",
        "upgrade storyline to write to it",
    )


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL given as a plain path (not in memory, not already a URI)."""
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:") or url.query.get("uri"):
        return None  # the caller chose the open mode: leave it as given
    return Path(database)


def unwritable(path: Path) -> ReadOnly | None:
    """Why this process cannot write the existing SQLite file ``path``; None when it can (or
    when there is no file yet: creating one is the usual open, and fails as it always did)."""
    if not path.is_file():
        return None
    # SQLite creates its -wal/-shm (or -journal) files beside the database to write, and in WAL
    # mode even to read unless they are there already
    file_ok = os.access(path, os.W_OK)
    folder_ok = os.access(path.absolute().parent, os.W_OK | os.X_OK)
    if file_ok and folder_ok:
        return None
    if not (file_ok or folder_ok):
        return ReadOnly(
            "is a read-only file in a read-only folder",
            "make the file and its folder writable to write to it",
        )
    if not file_ok:
        return ReadOnly("is a read-only file", "make the file writable to write to it")
    return ReadOnly("is in a read-only folder", "make its folder writable to write to it")


def read_only_url(url: URL, path: Path) -> URL:
    """``url`` as a SQLite URI that opens ``path`` read-only. A WAL database that no process
    has open (no -shm file) and that holds nothing in its -wal file is opened `immutable`: then
    SQLite reads the file alone and creates no -wal/-shm files (it could not in a read-only
    folder, and ones it made beside a read-only file would be read-only and stop later writers).
    Otherwise, a writer may be at work: `mode=ro` reads through its -shm index and -wal."""
    query = {**url.query, "mode": "ro", "uri": "true"}
    wal = Path(f"{path}-wal")
    pending = wal.is_file() and wal.stat().st_size > 0
    if _wal_mode(path) and not Path(f"{path}-shm").exists() and not pending:
        query["immutable"] = "1"
    return URL.create("sqlite", database=f"file:{quote(str(path.absolute()))}", query=query)


def _wal_mode(path: Path) -> bool:
    """Whether the file's header marks it as a WAL database (format versions 2 at bytes 18-19)."""
    try:
        with path.open("rb") as file:
            header = file.read(20)
    except OSError:
        return False  # unreadable: SQLite says why when it opens it
    return header[18:20] == b"\x02\x02"


def refused_write(exc: BaseException) -> bool:
    """Whether ``exc`` is the database refusing a write because the connection or the file is
    read-only (a SQLAlchemy error, or a driver error raised outside SQLAlchemy, as COPY is)."""
    error = getattr(exc, "orig", None) or exc
    if getattr(error, "sqlstate", None) == _PG_READ_ONLY:
        return True
    return isinstance(error, sqlite3.Error) and "readonly database" in str(error)
