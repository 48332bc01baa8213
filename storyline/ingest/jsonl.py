"""Ingest stage: read JSONL files, one article per line (url, title, text or html, published)."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import IO

from storyline.config import Settings
from storyline.errors import IngestError
from storyline.ingest.dates import parse_source_date, precision_note
from storyline.ingest.decode import decode_bytes
from storyline.model import Article, IngestFailure, SourceKind


def _open(path: Path) -> IO[bytes]:
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    return gzip.open(path, "rb") if gzipped else path.open("rb")


def _with_note(source: str, note: str | None) -> str:
    return f"{source} ({note})" if note else source


def record_to_article(
    record: dict[str, object], source: str, kind: SourceKind = SourceKind.JSONL
) -> Article:
    """Build an Article from one record (a JSON line, a Parquet row); raise IngestError when it
    holds no text or HTML."""
    text, html = record.get("text"), record.get("html")
    body = html if isinstance(html, str) and html.strip() else text
    if not isinstance(body, str) or not body.strip():
        raise IngestError(f"{source}: the record has no 'text' or 'html' field with content")
    raw_format = "html" if body is html else "text"
    published_raw = record.get("published") or record.get("date")
    if isinstance(published_raw, datetime | date):  # Parquet timestamp and date columns
        published_raw = published_raw.isoformat()
    published = parse_source_date(published_raw)
    note = None
    if published_raw and published is None:
        note = f"the record's published value {str(published_raw)[:40]!r} is not a date"
    title = record.get("title")
    outlet = record.get("outlet") or record.get("source")
    url = record.get("url")
    language = record.get("language")
    return Article(
        source=source,
        source_kind=kind,
        raw=body,
        raw_format=raw_format,
        url=url if isinstance(url, str) and url else None,
        title=title.strip() if isinstance(title, str) and title.strip() else None,
        outlet=outlet if isinstance(outlet, str) and outlet else None,
        published=published,
        published_source=_with_note("record", precision_note(published_raw)) if published else None,
        published_note=note,
        language=language if isinstance(language, str) and language else None,
    )


def read_jsonl(path: Path, settings: Settings) -> Iterator[Article | IngestFailure]:
    """Yield one Article per good line and one IngestFailure per bad line; never stop early."""
    limit = settings.max_article_bytes
    try:
        yield from _read_lines(path, limit)
    except PermissionError as exc:
        yield IngestFailure(str(path), f"cannot read file ({exc.strerror}); check permissions")
    except (EOFError, OSError) as exc:  # a truncated or corrupt .jsonl.gz
        yield IngestFailure(
            f"{path}", f"file is truncated or corrupt ({exc}); lines before the damage were read"
        )


def _read_lines(path: Path, limit: int) -> Iterator[Article | IngestFailure]:
    with _open(path) as handle:
        for number, line in enumerate(handle, start=1):
            source = f"{path}:{number}"
            if not line.strip():
                continue
            if len(line) > limit:
                yield IngestFailure(
                    source, f"line is {len(line):,} bytes, over the {limit:,} limit"
                )
                continue
            try:
                text, _, _ = decode_bytes(line, source)
                record = json.loads(text)
            except IngestError as exc:
                yield IngestFailure(source, str(exc))
                continue
            except json.JSONDecodeError as exc:
                yield IngestFailure(
                    source,
                    f"line is not valid JSON ({exc.msg} at column {exc.colno}); fix the line",
                )
                continue
            if not isinstance(record, dict):
                yield IngestFailure(source, "line is JSON but not an object with url/title/text")
                continue
            try:
                yield record_to_article(record, source)
            except IngestError as exc:
                yield IngestFailure(source, str(exc))
