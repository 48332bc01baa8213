"""Store: a database a newer storyline wrote, and a SQLite file this process may not write, open
read-only: reads work, every write is refused with a `ReadOnlyError` that says why and what to
do, and nothing in the database changes (SQLite and PostgreSQL; read-only files on SQLite, read
in a process of their own that file permissions bind)."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from storyline import Storyline
from storyline.errors import ReadOnlyError, StorageError
from storyline.store import Store, schema
from storyline.store.bulk import COPY_MIN_ROWS, insert_rows
from storyline.store.schema import MIGRATIONS, registered_feeds
from tests.read_only import files_beside, from_the_future, read_only, reader
from tests.store.test_store import BODY, make_article

FEED = "https://www.harbortimes.example/feed.xml"
TABLES = ("articles", "sources", "stories", "registered_feeds", "schema_migrations")


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        counts = {
            name: conn.execute(
                select(func.count()).select_from(schema.metadata.tables[name])
            ).scalar_one()
            for name in TABLES
        }
    engine.dispose()
    return counts


def _stored(url: str) -> str:
    """A database holding one article and one registered feed; the article's id."""
    store = Store(url)
    article_id, _ = store.add_article(make_article())
    store.register_feed(FEED)
    store.close()
    return article_id


def _sqlite_file(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite") else None


def test_a_database_from_a_newer_storyline_is_read_but_never_written(db_url, caplog):
    article_id = _stored(db_url)
    newest = from_the_future(db_url)
    before, path = _counts(db_url), _sqlite_file(db_url)
    files = files_beside(path) if path else None
    with caplog.at_level(logging.WARNING, logger="storyline.store"):
        store = Store(db_url)
    assert [r.getMessage() for r in caplog.records] == [
        f"database {store.display_url} was written by a newer storyline (schema {newest}, "
        f"this version knows {len(MIGRATIONS)}): opened read-only; upgrade storyline to write "
        "to it"
    ]
    assert store.count_articles() == 1
    assert store.get_article(article_id).title == "Velmora to rebuild harbour wall"
    assert [url for url, _, _ in store.registered_feeds()] == [FEED]
    assert store.search_articles("harbour")[1] == 1
    other = make_article("https://www.northwire.example/wall", BODY + " The vote was close.")

    def raw_insert() -> None:  # a write that no store method guards: the connection refuses it
        with store.transaction() as conn:
            conn.execute(text("DELETE FROM registered_feeds"))

    def bulk_insert() -> None:  # COPY on PostgreSQL: a driver error, not SQLAlchemy's
        rows = [
            {"url": f"https://feeds.example/{n}", "added_at": datetime.now(UTC)}
            for n in range(COPY_MIN_ROWS)
        ]
        with store.transaction() as conn:
            insert_rows(conn, registered_feeds, rows)

    for write in (
        lambda: store.add_article(other),
        lambda: store.register_feed("https://www.northwire.example/feed.xml"),
        lambda: store.unregister_feed(FEED),
        raw_insert,
        bulk_insert,
    ):
        with pytest.raises(ReadOnlyError) as refused:
            write()
        assert str(refused.value) == (
            f"cannot write to database {store.display_url}: it was written by a newer storyline "
            f"(schema {newest}, this version knows {len(MIGRATIONS)}), so it is open read-only; "
            "upgrade storyline to write to it"
        )
    store.close()
    assert _counts(db_url) == before
    if path:
        assert files_beside(path) == files  # not a byte written, no -wal or -shm left behind


def test_commands_that_write_stop_before_reading_their_input(db_url, tmp_path):
    _stored(db_url)
    from_the_future(db_url)
    before = _counts(db_url)
    missing = str(tmp_path / "not-there.txt")  # writable code would report it as a failure
    with Storyline(db_url) as sl:
        for write in (
            lambda: sl.ingest([missing]),
            lambda: sl.backfill([missing]),
            sl.analyze,
            sl.assign,
            lambda: sl.merge_stories(1, 2),
            lambda: sl.split_event(1),
            lambda: sl.watcher([FEED]),
        ):
            with pytest.raises(ReadOnlyError, match="upgrade storyline to write to it"):
                write()
    assert _counts(db_url) == before


def test_older_migrations_are_never_applied_into_a_newer_schema(db_url):
    Store(db_url).close()
    from_the_future(db_url)
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM schema_migrations WHERE version = 5"))
    with engine.begin() as conn:
        assert schema.migrate(conn) == []
        assert 5 not in schema.recorded_versions(conn)
    engine.dispose()


def test_a_write_the_database_refuses_for_another_reason_is_a_read_only_error(db_url):
    """Read-only for a reason not seen on opening (a PostgreSQL standby, a disk remounted)."""
    store = Store(db_url)
    postgres = store.engine.dialect.name == "postgresql"
    with pytest.raises(ReadOnlyError) as refused, store.transaction() as conn:
        conn.execute(text("SET TRANSACTION READ ONLY" if postgres else "PRAGMA query_only=ON"))
        conn.execute(text("DELETE FROM registered_feeds"))
    store.close()
    assert str(refused.value).startswith(f"database {store.display_url} refused a write: it is ")
    assert str(refused.value).endswith("; point --db at a writable database")


# --- SQLite files this process may not write --------------------------------------------------

READ = """
import json, sys
from storyline.errors import ReadOnlyError
from storyline.store import Store

store = Store(sys.argv[1])
seen = {
    "note": getattr(store, "read_only", None) and store.read_only.note(store.display_url),
    "titles": [row["title"] for row in store.list_articles()],
}
try:
    store.register_feed("https://www.northwire.example/feed.xml")
except ReadOnlyError as exc:
    seen["refused"] = str(exc)
store.close()
print(json.dumps(seen))
"""


def _read(url: str) -> dict[str, object]:
    done = subprocess.run(
        reader([sys.executable, "-c", READ, url]), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _is_wal(path: Path) -> bool:
    return path.read_bytes()[18:20] == b"\x02\x02"


@pytest.mark.parametrize(
    ("folder", "reason", "advice"),
    [
        (False, "is a read-only file", "make the file writable to write to it"),
        (True, "is in a read-only folder", "make its folder writable to write to it"),
    ],
)
def test_a_read_only_sqlite_file_is_read_and_left_as_it_was(tmp_path, folder, reason, advice):
    path = tmp_path / "news.db"
    url = f"sqlite:///{path}"
    _stored(url)
    assert _is_wal(path) and not Path(f"{path}-wal").exists()  # closed cleanly, WAL mode
    files = files_beside(path)
    # the file alone could be written in the folder's case: the folder stops it
    with read_only(path, file=not folder, folder=folder):
        seen = _read(url)
        after = files_beside(path)
    assert seen == {
        "note": f"database {url} {reason}: opened read-only; {advice}",
        "titles": ["Velmora to rebuild harbour wall"],
        "refused": f"cannot write to database {url}: it {reason}, so it is open read-only; "
        f"{advice}",
    }
    # nothing created beside it: a -shm made here would be read-only and stop later writers
    assert after == files
    store = Store(url)  # writable again: it takes writes as before
    assert store.read_only is None
    assert store.register_feed("https://www.northwire.example/feed.xml") is True
    store.close()


def test_a_read_only_file_that_a_writer_has_open_is_read_with_its_latest_writes(tmp_path):
    """A writer that may write (the file's owner, say) has the database open, with writes still
    in its -wal: the reader sees them, through the writer's -shm index."""
    path = tmp_path / "news.db"
    url = f"sqlite:///{path}"
    writer = Store(url)
    writer.add_article(make_article())
    writer.add_article(make_article("https://www.northwire.example/wall", BODY + " Close vote."))
    assert Path(f"{path}-wal").stat().st_size > 0  # the writes are in the -wal only
    with read_only(path):
        seen = _read(url)
    writer.close()
    assert seen["note"] == (
        f"database {url} is a read-only file: opened read-only; make the file writable to "
        "write to it"
    )
    assert len(seen["titles"]) == 2  # type: ignore[arg-type]


def test_a_read_only_file_too_old_for_this_storyline_is_a_clear_error(tmp_path, monkeypatch):
    path = tmp_path / "news.db"
    url = f"sqlite:///{path}"
    monkeypatch.setattr(schema, "MIGRATIONS", MIGRATIONS[:10])
    Store(url).close()
    monkeypatch.undo()
    with read_only(path):
        done = subprocess.run(
            reader([sys.executable, "-c", READ, url]), capture_output=True, text=True
        )
    assert done.returncode != 0
    assert (
        f"{StorageError.__name__}: database {url} is a read-only file, and its schema (10) is "
        f"older than this storyline's ({len(MIGRATIONS)}): it must be written once to be "
        "upgraded; make the file writable to write to it"
    ) in done.stderr
