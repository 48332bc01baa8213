"""Ingest stage: read Parquet files, one article per row, with the columns JSONL records use
(text or html, and optionally url, title, outlet or source, published or date, language)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from storyline.config import Settings
from storyline.errors import IngestError
from storyline.ingest.jsonl import record_to_article
from storyline.model import Article, IngestFailure, SourceKind

COLUMNS = ("text", "html", "url", "title", "outlet", "source", "published", "date", "language")
BATCH_ROWS = 256  # rows decoded at a time: memory stays flat however large the file


def read_parquet(path: Path, settings: Settings) -> Iterator[Article | IngestFailure]:
    """Yield one Article per good row and one IngestFailure per bad row (or per unreadable
    file); rows before a damaged part of the file are kept."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        yield IngestFailure(
            str(path), f"not a readable Parquet file ({exc}); check that it is complete"
        )
        return
    with handle:
        present = [c for c in COLUMNS if c in handle.schema_arrow.names]
        if "text" not in present and "html" not in present:
            yield IngestFailure(
                str(path),
                f"the Parquet file has no 'text' or 'html' column (it has: "
                f"{', '.join(handle.schema_arrow.names[:12])}); rename the column with the article",
            )
            return
        number = 0
        try:
            for batch in handle.iter_batches(batch_size=BATCH_ROWS, columns=present):
                for record in batch.to_pylist():
                    number += 1
                    yield _row_article(record, f"{path}:{number}", settings.max_article_bytes)
        except (pa.ArrowException, OSError) as exc:
            yield IngestFailure(
                str(path), f"file is damaged after row {number:,} ({exc}); rows before were read"
            )


def _row_article(record: dict[str, object], source: str, limit: int) -> Article | IngestFailure:
    size = sum(len(v) for v in (record.get("text"), record.get("html")) if isinstance(v, str))
    if size > limit:
        return IngestFailure(source, f"row is {size:,} characters, over the {limit:,} limit")
    try:
        return record_to_article(record, source, SourceKind.PARQUET)
    except IngestError as exc:
        return IngestFailure(source, str(exc))
