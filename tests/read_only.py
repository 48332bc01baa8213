"""Read-only databases for tests: one a newer storyline wrote (a migration version this code does
not know), and SQLite files this process may not write. File permissions bind a normal user; a
test run as root reads through `reader`, which drops the capabilities that let root ignore them."""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from storyline.store.schema import MIGRATIONS, schema_migrations

# What root may do whatever the permission bits say: read-only files bind it without these.
_OVERRIDES = "-dac_override,-dac_read_search,-fowner"


def from_the_future(url: str) -> int:
    """Record in the database at ``url`` a migration newer than this code knows; its version."""
    newest = len(MIGRATIONS) + 3
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            schema_migrations.insert().values(
                version=newest, name="from a newer storyline", applied_at=datetime.now(UTC)
            )
        )
    engine.dispose()
    return newest


def reader(argv: list[str]) -> list[str]:
    """``argv`` run so that file permissions bind it (skips the test where that cannot be)."""
    if os.geteuid() != 0:
        return argv
    prefix = _unprivileged()
    if prefix is None:
        pytest.skip("run as root, and setpriv cannot drop root's file permission overrides here")
    return [*prefix, *argv]


@functools.cache
def _unprivileged() -> list[str] | None:
    """The setpriv prefix under which root cannot write a read-only file, if there is one."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    prefix = [setpriv, "--bounding-set", _OVERRIDES]
    with tempfile.NamedTemporaryFile() as probe:
        os.chmod(probe.name, 0o444)
        works = subprocess.run([*prefix, "sh", "-c", f"test ! -w {probe.name}"]).returncode == 0
    return prefix if works else None


def files_beside(path: Path) -> dict[str, str]:
    """The database file and its -wal/-shm/-journal companions that exist, with their hashes:
    equal before and after means nothing was written or created."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(path.parent.iterdir())
        if p.name.startswith(path.name)
    }


@contextmanager
def read_only(path: Path, file: bool = True, folder: bool = False) -> Iterator[None]:
    """``path`` made read-only (with ``file``) and its folder (with ``folder``) for the block,
    then writable again, so that the test goes on with them and their files can be removed."""
    if file:
        path.chmod(0o444)
    if folder:
        path.parent.chmod(0o555)
    try:
        yield
    finally:
        path.parent.chmod(0o755)
        path.chmod(0o644)
