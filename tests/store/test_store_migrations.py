"""Migrations: several processes opening a new database at once each get a whole schema, and a
migration that fails part way leaves nothing half made (SQLite and PostgreSQL)."""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Connection, func, inspect, select, text

from storyline.errors import StorageError
from storyline.model import UNDATED_NOTE
from storyline.store import Store, schema
from storyline.store.schema import MIGRATIONS, schema_migrations
from tests.conftest import database_url


def _open(url: str, start: multiprocessing.synchronize.Barrier, results) -> None:
    start.wait()  # every process runs its migrations at the same moment
    try:
        Store(url).close()
        results.put("ok")
    except Exception as exc:
        results.put(f"{exc.__class__.__name__}: {exc}")


def test_processes_opening_a_new_database_at_once_all_succeed(db_url):
    context = multiprocessing.get_context("fork")
    for round_number in range(3):  # the race is a matter of timing: give it several chances
        url = _fresh(db_url, round_number) if round_number else db_url
        start, results = context.Barrier(4), context.Queue()
        workers = [context.Process(target=_open, args=(url, start, results)) for _ in range(4)]
        for worker in workers:
            worker.start()
        outcomes = [results.get(timeout=60) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)
        assert outcomes == ["ok"] * 4
        with Store(url).engine.connect() as conn:
            versions = conn.execute(select(func.count()).select_from(schema_migrations))
            assert versions.scalar_one() == len(MIGRATIONS)


def _fresh(url: str, round_number: int) -> str:
    """Another new database beside ``url``: a new SQLite file, or a new PostgreSQL schema."""
    if url.startswith("sqlite"):
        return url.replace(".db", f"-{round_number}.db")
    return database_url("postgres", Path("."))


def _broken(conn: Connection) -> None:
    conn.execute(text("CREATE TABLE half_made (id INTEGER PRIMARY KEY)"))
    raise RuntimeError("the disk went away")  # as if the process died here


def _with_steps(monkeypatch, steps: list[tuple[str, Callable[[Connection], None]]]) -> None:
    monkeypatch.setattr(schema, "MIGRATIONS", steps)


def test_a_migration_that_fails_part_way_leaves_nothing_behind(db_url, monkeypatch):
    _with_steps(monkeypatch, [*MIGRATIONS, ("broken", _broken)])
    with pytest.raises(RuntimeError, match="disk went away"):
        Store(db_url)
    monkeypatch.undo()
    store = Store(db_url)  # the real migrations, from scratch: nothing of the failed run is left
    with store.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        versions = conn.execute(select(func.count()).select_from(schema_migrations)).scalar_one()
    assert "half_made" not in tables
    assert versions == len(MIGRATIONS)
    assert store.count_articles() == 0
    store.close()


def test_a_failed_migration_keeps_an_existing_database_as_it_was(db_url, monkeypatch):
    Store(db_url).close()
    _with_steps(monkeypatch, [*MIGRATIONS, ("broken", _broken)])
    with pytest.raises(RuntimeError, match="disk went away"):
        Store(db_url)
    monkeypatch.undo()
    store = Store(db_url)
    with store.engine.connect() as conn:
        assert "half_made" not in inspect(conn).get_table_names()
    store.close()


def test_an_unreadable_database_file_is_a_clear_error(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"these are my notes, not a database" * 200)
    with pytest.raises(StorageError, match="check --db"):
        Store(f"sqlite:///{path}")
    assert path.read_bytes().startswith(b"these are my notes")  # nothing written over it


def test_migration_11_stops_placing_by_ingest_time_and_reads_story_spans_again(db_url, monkeypatch):
    """A database placed by the earlier rule (undated articles placed by their ingest time)
    ends with those articles placed by content alone, spans from dated members only, and a
    confidence for every stored date."""
    _with_steps(monkeypatch, MIGRATIONS[:10])
    old = Store(db_url)
    dated, undated = datetime(2031, 3, 4, 9, tzinfo=UTC), datetime(2031, 5, 20, 12, tzinfo=UTC)
    with old.engine.begin() as conn:
        conn.execute(
            schema.stories.insert().values(
                id=1, title="Dam", first_seen=dated, last_seen=undated, article_count=2,
                created_at=undated, updated_at=undated,
            )
        )  # fmt: skip
        for aid, published, source, placed in (
            ("dated", dated, "record", dated),
            ("undated", None, None, undated),
        ):
            conn.execute(
                schema.articles.insert().values(
                    id=aid, locator=aid, source_kind="jsonl", raw="x", raw_format="text",
                    text="x", removed_lines=[], stages="ingested,cleaned,assigned",
                    content_hash=aid, ingested_at=undated, published=published,
                    published_source=source, story_id=1, placed_at=placed, assigned_at=undated,
                )
            )  # fmt: skip
    old.close()
    monkeypatch.undo()
    store = Store(db_url)
    first, second = store.get_article("dated"), store.get_article("undated")
    story = store.get_story(1)
    store.close()
    assert (first.placed_at, first.published_confidence) == (dated, "high")
    assert (second.placed_at, second.published_confidence) == (None, None)
    assert second.placement_note == UNDATED_NOTE
    assert story.first_seen == story.last_seen == dated


def test_migration_13_keys_outlets_by_registered_domain_and_keeps_names(db_url, monkeypatch):
    """Articles stored under a host (one outlet split by subdomains) or under a record's name end
    keyed by registered domain, the name kept to be shown, each with its outlet's source row."""
    _with_steps(monkeypatch, MIGRATIONS[:12])
    old = Store(db_url)
    now = datetime(2031, 3, 4, 9, tzinfo=UTC)
    with old.engine.begin() as conn:  # as migration 12 left it: no outlet_name column
        conn.execute(text("DROP INDEX ix_articles_outlet_name"))
        conn.execute(text("ALTER TABLE articles DROP COLUMN outlet_name"))
        source_ids = {
            name: conn.execute(
                schema.sources.insert().values(name=name, first_seen=now)
            ).inserted_primary_key[0]
            for name in ("edition.harbortimes.example", "harbortimes.example", "Kelmar Post",
                         "Quay Notes")
        }  # fmt: skip
        for aid, url, outlet in (
            ("a", "https://edition.harbortimes.example/a", "edition.harbortimes.example"),
            ("b", "https://www.harbortimes.example/b", "harbortimes.example"),
            ("c", "https://kelmarpost.example/c", "Kelmar Post"),
            ("d", None, "Quay Notes"),
            ("e", None, None),
        ):
            source_id = source_ids.get(outlet or "")
            conn.execute(
                schema.articles.insert().values(
                    id=aid, locator=aid, source_kind="jsonl", raw="x", raw_format="text",
                    text="x", removed_lines=[], stages="ingested,cleaned", content_hash=aid,
                    ingested_at=now, url=url, outlet=outlet, source_id=source_id,
                )
            )  # fmt: skip
    old.close()
    monkeypatch.undo()
    store = Store(db_url)
    found = {aid: store.get_article(aid) for aid in "abcde"}
    with store.engine.connect() as conn:
        source_names = dict(
            conn.execute(
                select(schema.articles.c.id, schema.sources.c.name).join(
                    schema.sources, schema.sources.c.id == schema.articles.c.source_id
                )
            ).all()
        )
        all_sources = set(conn.execute(select(schema.sources.c.name)).scalars())
    assert store.count_articles(outlet="harbortimes.example") == 2
    assert store.count_articles(outlet="Kelmar Post") == 1  # a name finds its outlet too
    store.close()
    assert {aid: (a.outlet, a.outlet_name) for aid, a in found.items()} == {
        "a": ("harbortimes.example", None),
        "b": ("harbortimes.example", None),
        "c": ("kelmarpost.example", "Kelmar Post"),
        "d": ("Quay Notes", "Quay Notes"),
        "e": (None, None),
    }
    assert source_names == {
        "a": "harbortimes.example",
        "b": "harbortimes.example",
        "c": "kelmarpost.example",
        "d": "Quay Notes",
    }
    assert all_sources == {"harbortimes.example", "kelmarpost.example", "Quay Notes"}
