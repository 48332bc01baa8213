"""Store: writing many rows in few round trips. On PostgreSQL, rows go in with COPY and the
deletes of one article's annotations in one statement; on SQLite (in-process, no round trips)
plain executemany is as fast."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import JSON, Connection, Table, delete, text

COPY_MIN_ROWS = 8  # fewer rows than this: a multi-row INSERT is as quick as starting a COPY


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table``, inside the caller's
    transaction: by COPY on PostgreSQL, after the column types' own conversions."""
    if not rows:
        return
    if conn.dialect.name != "postgresql" or len(rows) < COPY_MIN_ROWS:
        conn.execute(table.insert(), list(rows))
        return
    names = list(rows[0])
    converters = [_converter(conn, table, name) for name in names]
    quote = conn.dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(name) for name in names)}) FROM STDIN"
    driver = conn.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [
                    value if convert is None else convert(value)
                    for convert, value in zip(converters, (row[n] for n in names), strict=True)
                ]
            )


def _converter(conn: Connection, table: Table, name: str) -> Callable[[Any], Any] | None:
    """What turns a Python value of column ``name`` into what COPY takes: the column type's own
    bind conversion, and JSON text for JSON columns (which the driver would otherwise send as
    a PostgreSQL array)."""
    column_type = table.c[name].type
    if isinstance(column_type, JSON):
        return lambda value: None if value is None else json.dumps(value)
    return column_type.bind_processor(conn.dialect)


def delete_for_article(conn: Connection, tables: Sequence[Table], article_id: str) -> None:
    """Delete an article's rows from each of ``tables``: one statement on PostgreSQL (deleting
    common table expressions), one per table elsewhere."""
    if conn.dialect.name != "postgresql":
        for table in tables:
            conn.execute(delete(table).where(table.c.article_id == article_id))
        return
    quote = conn.dialect.identifier_preparer.quote
    parts = ", ".join(
        f"d{n} AS (DELETE FROM {quote(t.name)} WHERE article_id = :article_id)"
        for n, t in enumerate(tables)
    )
    conn.execute(text(f"WITH {parts} SELECT 1"), {"article_id": article_id})
