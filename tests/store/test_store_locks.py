"""A database locked by another process: writes wait (setting db_lock_timeout) and go through
when the lock goes; past the timeout they fail with an error that says so, writing nothing."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from storyline.config import get_settings
from storyline.errors import StorageError
from storyline.facade import Storyline
from tests.conftest import BACKENDS, database_url

ARTICLE = (
    "Harbour cranes idle in Port Venn\n\n"
    "Dockers in Port Venn stopped work on Monday over a dispute about night shifts, the union "
    "said. Some 400 workers joined the strike, which left six ships waiting outside the harbour."
)


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_url(request.param, tmp_path)


def _article(tmp_path: Path) -> str:
    path = tmp_path / "cranes.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return str(path)


class Lock:
    """Another process's write lock on the articles table, held until released."""

    def __init__(self, url: str, tmp_path: Path) -> None:
        if url.startswith("sqlite"):
            self.sqlite = sqlite3.connect(
                tmp_path / "test.db", isolation_level=None, check_same_thread=False
            )
            self.sqlite.execute("BEGIN EXCLUSIVE")
            self.pg = None
        else:
            self.sqlite = None
            self.engine = create_engine(url)
            self.pg = self.engine.connect()
            self.pg.execute(text("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE"))

    def release(self) -> None:
        if self.sqlite is not None:
            self.sqlite.execute("COMMIT")
            self.sqlite.close()
        elif self.pg is not None:
            self.pg.rollback()
            self.pg.close()
            self.engine.dispose()


def test_a_lock_held_past_the_timeout_fails_clearly_and_writes_nothing(db, tmp_path):
    source = _article(tmp_path)
    with Storyline(settings=get_settings(db_url=db, db_lock_timeout=0.5)) as sl:
        lock = Lock(db, tmp_path)
        try:
            start = time.monotonic()
            with pytest.raises(StorageError, match="locked by another process, wait and retry"):
                sl.ingest([source], analyze=False, assign=False)
            assert time.monotonic() - start < 10
        finally:
            lock.release()
        assert sl.store.count_articles() == 0
        report = sl.ingest([source], analyze=False, assign=False)  # the lock is gone: it works
        assert len(report.ingested) == 1 and sl.store.count_articles() == 1


def test_a_write_waits_for_a_short_lock_and_goes_through(db, tmp_path):
    source = _article(tmp_path)
    with Storyline(settings=get_settings(db_url=db, db_lock_timeout=30)) as sl:
        lock = Lock(db, tmp_path)
        releaser = threading.Timer(1.0, lock.release)
        releaser.start()
        try:
            start = time.monotonic()
            report = sl.ingest([source], analyze=False, assign=False)
            waited = time.monotonic() - start
        finally:
            releaser.join()
        assert len(report.ingested) == 1 and report.failures == []
        assert waited >= 0.9  # it waited for the lock rather than failing
