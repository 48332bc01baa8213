"""Ingest stage: read Parquet files, one article per row, with the columns JSONL records use
(text or html, and optionally url, title, outlet or source, published or date, language)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from storyline.config import Settings
from storyline.errors import IngestError, TooLargeError
from storyline.ingest.bounded import RATIO_FLOOR, BadRun, check_expansion
from storyline.ingest.jsonl import record_to_article
from storyline.model import Article, IngestFailure, SourceKind
from storyline.safe_text import quote

if TYPE_CHECKING:
    import pyarrow.parquet as pq

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
            str(path), f"not a readable Parquet file ({quote(exc)}); check that it is complete"
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
        run = BadRun.of(settings)
        number = 0
        try:
            for group in range(handle.num_row_groups):
                meta = handle.metadata.row_group(group)
                problem = _group_problem(meta, settings)
                if problem:
                    yield IngestFailure(
                        f"{path}:{number + 1}-{number + meta.num_rows}",
                        f"rows skipped: {problem}",
                    )
                    number += meta.num_rows
                    continue
                batches = handle.iter_batches(
                    batch_size=BATCH_ROWS, row_groups=[group], columns=present
                )
                for batch in batches:
                    for record in batch.to_pylist():
                        number += 1
                        item = _row_article(record, f"{path}:{number}", settings.max_article_bytes)
                        if isinstance(item, Article):
                            run.good()
                        else:
                            run.bad(0)
                        yield item
                        if run.over:
                            yield IngestFailure(str(path), run.reason("rows"))
                            return
        except (pa.ArrowException, OSError) as exc:
            yield IngestFailure(
                str(path),
                f"file is damaged after row {number:,} ({quote(exc)}); rows before were read",
            )


def _group_problem(meta: pq.RowGroupMetaData, settings: Settings) -> str | None:
    """Why a row group's text must not be decoded (it would not fit in memory, or it is a
    decompression bomb), judged from the sizes its metadata gives; None when it may be."""
    chunks = [meta.column(i) for i in range(meta.num_columns)]
    text = [c for c in chunks if c.path_in_schema in ("text", "html")]
    expanded = sum(c.total_uncompressed_size for c in text)
    packed = sum(c.total_compressed_size for c in text)
    # page headers and length prefixes add a little: the rule is for gigabytes, not bytes
    if expanded > max(RATIO_FLOOR, meta.num_rows * settings.max_article_bytes):
        return (
            f"their text is {expanded:,} bytes, more than {meta.num_rows:,} articles of at most "
            f"{settings.max_article_bytes:,} bytes can hold (setting max_article_bytes)"
        )
    try:
        check_expansion("their text", expanded, packed, settings)
    except TooLargeError as exc:
        return str(exc)
    return None


def _row_article(record: dict[str, object], source: str, limit: int) -> Article | IngestFailure:
    size = sum(len(v) for v in (record.get("text"), record.get("html")) if isinstance(v, str))
    if size > limit:
        return IngestFailure(source, f"row is {size:,} characters, over the {limit:,} limit")
    try:
        return record_to_article(record, source, SourceKind.PARQUET)
    except IngestError as exc:
        return IngestFailure(source, str(exc))
