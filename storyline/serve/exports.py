"""Serve: whole-corpus exports of articles, entities, quotes, claims and events as CSV, JSON Lines
or Parquet, one flat record per row (lists and nested values as JSON text), shared by
`storyline export` and `GET /api/v1/export/{kind}`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from storyline.errors import StorylineError
from storyline.fuse.events import fuse_events
from storyline.serve.event_export import event_records
from storyline.serve.views import claim_row_json, entity_row_json, quote_row_json, summary_json
from storyline.store import Store

KINDS = ("articles", "entities", "quotes", "claims", "events")
FORMATS = ("csv", "jsonl", "parquet")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
}
PAGE = 1000  # rows read from the store at a time


def _pages(read: Callable[[int, int], list[dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    offset = 0
    while page := read(PAGE, offset):
        yield from page
        offset += len(page)
        if len(page) < PAGE:
            return


def export_records(store: Store, kind: str) -> Iterator[dict[str, Any]]:
    """Every record of ``kind``, flat and in the JSON shapes the API lists them in."""
    if kind == "articles":
        yield from (summary_json(r) for r in _pages(lambda n, o: store.list_articles(n, o)))
    elif kind == "entities":
        rows = _pages(lambda n, o: store.list_entities(limit=n, offset=o))
        yield from (entity_row_json(r) for r in rows)
    elif kind == "quotes":
        yield from (
            quote_row_json(r) for r in _pages(lambda n, o: store.list_quotes(limit=n, offset=o))
        )
    elif kind == "claims":
        yield from (
            claim_row_json(r) for r in _pages(lambda n, o: store.list_claims(limit=n, offset=o))
        )
    elif kind == "events":
        found = store.list_events(happened_only=False, limit=None)
        yield from event_records(fuse_events(found))
    else:
        raise StorylineError(f"unknown export {kind!r}; choose one of: {', '.join(KINDS)}")


def flat(record: dict[str, Any]) -> dict[str, Any]:
    """Lists and nested objects as JSON text, so every value fits a CSV cell or a Parquet column."""
    return {
        key: json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else value
        for key, value in record.items()
    }


def check_format(output_format: str) -> None:
    if output_format not in FORMATS:
        raise StorylineError(
            f"unknown export format {output_format!r}; choose one of: {', '.join(FORMATS)}"
        )


def text_chunks(records: Iterator[dict[str, Any]], output_format: str) -> Iterator[str]:
    """The CSV or JSON Lines export in pieces of about PAGE records, for streaming responses."""
    buffer = io.StringIO()
    writer: csv.DictWriter[str] | None = None
    for n, record in enumerate(records, start=1):
        if output_format == "jsonl":
            buffer.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            row = flat(record)
            if writer is None:
                writer = csv.DictWriter(buffer, fieldnames=list(row), lineterminator="\n")
                writer.writeheader()
            writer.writerow(row)
        if n % PAGE == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def parquet_bytes(records: Iterator[dict[str, Any]]) -> bytes:
    """The export as one Parquet file (types inferred over all records)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pylist([flat(r) for r in records])
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def write_export(store: Store, kind: str, output_format: str, path: Path) -> int:
    """Write an export to a file; return the records written."""
    check_format(output_format)
    count = 0

    def counted() -> Iterator[dict[str, Any]]:
        nonlocal count
        for record in export_records(store, kind):
            count += 1
            yield record

    if output_format == "parquet":
        path.write_bytes(parquet_bytes(counted()))
        return count
    with path.open("w", encoding="utf-8", newline="") as out:
        for chunk in text_chunks(counted(), output_format):
            out.write(chunk)
    return count
