"""Bulk writes (COPY on PostgreSQL, executemany elsewhere) store exactly what a plain INSERT
would, awkward values included; an article's annotations are deleted and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from storyline.store import Store
from storyline.store.bulk import COPY_MIN_ROWS, delete_for_article, insert_rows
from storyline.store.schema import ANNOTATION_TABLES, entities, quotes
from tests.store.test_store import make_article

AWKWARD = ["tab\there", "new\nline", "back\\slash", "quote \" and '", "émigré ✓ 東京", "\\N", ""]


def _entities(count: int) -> list[dict]:
    when = datetime(2031, 4, 2, 9, 30, tzinfo=UTC)
    return [
        {
            "id": f"e{n:03d}",
            "key": f"key-{n}",
            "name": AWKWARD[n % len(AWKWARD)] or "empty alias next",
            "type": "PERSON",
            "country": None if n % 2 else "NLD",
            "aliases": [AWKWARD[(n + 1) % len(AWKWARD)], "plain"],
            "roles": [] if n % 3 else ['mayor of "Velmora"'],
            "first_seen": when + timedelta(minutes=n),
            "updated_at": when,
        }
        for n in range(count)
    ]


@pytest.mark.parametrize("count", [COPY_MIN_ROWS - 1, COPY_MIN_ROWS + 5])
def test_bulk_rows_read_back_as_written(db_url, count):
    store = Store(db_url)
    rows = _entities(count)
    with store.transaction() as conn:
        insert_rows(conn, entities, rows)
    with store.transaction() as conn:
        stored = [dict(r._mapping) for r in conn.execute(select(entities).order_by(entities.c.id))]
    assert stored == rows
    store.close()


def test_a_failed_transaction_keeps_none_of_the_copied_rows(db_url):
    store = Store(db_url)
    with pytest.raises(RuntimeError), store.transaction() as conn:
        insert_rows(conn, entities, _entities(COPY_MIN_ROWS + 2))
        raise RuntimeError("killed before commit")
    with store.transaction() as conn:
        assert conn.execute(select(entities)).first() is None
    store.close()


def test_deleting_an_articles_annotations_leaves_the_others(db_url):
    store = Store(db_url)
    first, _ = store.add_article(make_article("https://harbortimes.example/a"))
    other = make_article(
        "https://harbortimes.example/b",
        "The ferry to Orla island runs again from today, the harbour board said.",
    )
    second, _ = store.add_article(other)
    assert first != second
    rows = [
        {"article_id": article_id, "start_char": n, "end_char": n + 5, "text": f"said {n}",
         "speaker": "Mayor Ansel Brook", "kind": "direct"}
        for article_id in (first, second)
        for n in range(COPY_MIN_ROWS + 1)
    ]  # fmt: skip
    with store.transaction() as conn:
        insert_rows(conn, quotes, rows)
        delete_for_article(conn, ANNOTATION_TABLES, first)
    with store.transaction() as conn:
        left = {r.article_id for r in conn.execute(select(quotes.c.article_id))}
        count = len(list(conn.execute(select(quotes.c.id))))
    assert left == {second} and count == COPY_MIN_ROWS + 1
    store.close()
