"""Ingest stage: read HTML responses out of WARC archives (warcio)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from storyline.config import Settings
from storyline.errors import IngestError
from storyline.ingest.bounded import BadRun
from storyline.ingest.dates import parse_source_date
from storyline.ingest.decode import decode_bytes
from storyline.ingest.warc_bounds import BoundedArchiveIterator, payload_stream
from storyline.model import Article, IngestFailure, SourceKind
from storyline.safe_text import quote

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip("\"' ")
    return None


def _truncated(record: object) -> bool:
    """True when the archive ended before the record's declared length was read."""
    remaining = getattr(getattr(record, "raw_stream", None), "limit", 0)
    return isinstance(remaining, int) and remaining > 0


def read_warc(path: Path, settings: Settings) -> Iterator[Article | IngestFailure]:
    """Yield an Article for each HTML response or resource record; other records are skipped.

    A truncated or malformed archive yields the records before the damage and one failure; so
    does one past the decompression bounds, or with ``max_bad_run`` failed records in a row.
    """
    position = _Position()
    try:
        with path.open("rb") as handle:
            yield from _records(handle, path, settings, position)
    except IngestError as exc:  # a header past its bound, a bomb, corrupt gzip
        yield IngestFailure(f"{path}#{position.index + 1}", str(exc))
        return
    # warcio raises anything from ArchiveLoadFailed to AttributeError on a malformed archive
    except (ArchiveLoadFailed, ValueError, OSError, EOFError, AttributeError, KeyError) as exc:
        yield IngestFailure(
            f"{path}#{position.index + 1}",
            f"WARC archive is malformed or truncated after record {position.index} "
            f"({_warcio_reason(exc)}); records before this point were read",
        )
        return
    if position.warc_records == 0 and position.index == 0:
        yield IngestFailure(
            str(path), "not a WARC archive (no WARC records found); check the file's format"
        )


_TRUNCATED = IngestFailure("", "the archive ends inside this record")


class _Position:
    """How far a WARC file was read: records seen, and how many of them were WARC records."""

    index = 0
    warc_records = 0


def _records(
    handle: BinaryIO, path: Path, settings: Settings, position: _Position
) -> Iterator[Article | IngestFailure]:
    limit = settings.max_article_bytes
    run = BadRun.of(settings)
    archive = BoundedArchiveIterator(handle, str(path), settings)
    for position.index, record in enumerate(archive, start=1):
        index = position.index
        position.warc_records += record.format.startswith("warc")
        if archive.err_count:  # the record before this one was longer than it said
            archive.err_count = 0
            yield _misplaced(path, index - 1)
        item = _record_item(record, f"{path}#{index}", limit)
        if item is _TRUNCATED:
            yield IngestFailure(
                f"{path}#{index}",
                f"WARC archive is truncated inside record {index}; records before it "
                "were read; re-download or re-crawl the archive",
            )
            return
        if item is None:
            continue
        if isinstance(item, Article):
            run.good()
        else:
            run.bad(0)
        yield item
        if run.over:
            yield IngestFailure(str(path), run.reason("HTML records"))
            return
    if archive.err_count:
        yield _misplaced(path, position.index)


def _misplaced(path: Path, index: int) -> IngestFailure:
    return IngestFailure(
        f"{path}#{index}",
        "record is not followed by the blank lines a WARC needs (a wrong Content-Length?); "
        "the records after it may be misread",
    )


def _record_item(record: ArcWarcRecord, source: str, limit: int) -> Article | IngestFailure | None:
    """The Article of one record, a failure, None for a record that holds no HTML page, or
    ``_TRUNCATED`` when the archive ends inside the record."""
    if record.rec_type not in ("response", "resource"):
        return None
    if record.rec_type == "response" and record.http_headers is not None:
        content_type = record.http_headers.get_header("Content-Type") or ""
        status = record.http_headers.get_statuscode()
        if status and not status.startswith("2"):
            return None
    else:
        content_type = record.rec_headers.get_header("Content-Type") or ""
    if not content_type.lower().startswith(_HTML_TYPES):
        return None
    try:
        payload = payload_stream(record, limit).read(limit + 1)
    except IngestError as exc:  # a chunk or an inflated payload over the limit, corrupt gzip
        return IngestFailure(source, str(exc))
    if len(payload) > limit:
        return IngestFailure(source, f"record is over the {limit:,}-byte article limit")
    if _truncated(record):
        return _TRUNCATED
    try:
        text, encoding, note = decode_bytes(payload, source, _charset(content_type))
    except IngestError as exc:
        return IngestFailure(source, str(exc))
    return Article(
        source=source,
        source_kind=SourceKind.WARC,
        raw=text,
        raw_format="html",
        url=record.rec_headers.get_header("WARC-Target-URI"),
        encoding=encoding,
        encoding_note=note,
        fetched_at=parse_source_date(record.rec_headers.get_header("WARC-Date")),
    )


def _warcio_reason(exc: Exception) -> str:
    """warcio's message made one short line (its gzip advice is a page of text)."""
    if "non-chunked gzip" in str(exc):
        return (
            "the archive is gzipped as one stream, not record by record; "
            "`warcio recompress` makes it readable"
        )
    return quote(exc)
