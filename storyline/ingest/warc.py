"""Ingest stage: read HTML responses out of WARC archives (warcio)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from storyline.config import Settings
from storyline.errors import IngestError
from storyline.ingest.dates import parse_source_date
from storyline.ingest.decode import decode_bytes
from storyline.model import Article, IngestFailure, SourceKind

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

    A truncated or malformed archive yields the records before the damage and one failure.
    """
    limit = settings.max_article_bytes
    index, warc_records = 0, 0
    try:
        with path.open("rb") as handle:
            for index, record in enumerate(ArchiveIterator(handle), start=1):
                warc_records += record.format.startswith("warc")
                if record.rec_type not in ("response", "resource"):
                    continue
                if record.rec_type == "response" and record.http_headers is not None:
                    content_type = record.http_headers.get_header("Content-Type") or ""
                    status = record.http_headers.get_statuscode()
                    if status and not status.startswith("2"):
                        continue
                else:
                    content_type = record.rec_headers.get_header("Content-Type") or ""
                if not content_type.lower().startswith(_HTML_TYPES):
                    continue
                source = f"{path}#{index}"
                payload = record.content_stream().read(limit + 1)
                if len(payload) > limit:
                    yield IngestFailure(source, f"record is over the {limit:,}-byte article limit")
                    continue
                if _truncated(record):
                    yield IngestFailure(
                        source,
                        f"WARC archive is truncated inside record {index}; records before it "
                        "were read; re-download or re-crawl the archive",
                    )
                    return
                try:
                    text, encoding, note = decode_bytes(payload, source, _charset(content_type))
                except IngestError as exc:
                    yield IngestFailure(source, str(exc))
                    continue
                yield Article(
                    source=source,
                    source_kind=SourceKind.WARC,
                    raw=text,
                    raw_format="html",
                    url=record.rec_headers.get_header("WARC-Target-URI"),
                    encoding=encoding,
                    encoding_note=note,
                    fetched_at=parse_source_date(record.rec_headers.get_header("WARC-Date")),
                )
    # warcio raises anything from ArchiveLoadFailed to AttributeError on a malformed archive
    except (ArchiveLoadFailed, ValueError, OSError, EOFError, AttributeError, KeyError) as exc:
        yield IngestFailure(
            f"{path}#{index + 1}",
            f"WARC archive is malformed or truncated after record {index} ({exc}); "
            "records before this point were read",
        )
        return
    if warc_records == 0:
        yield IngestFailure(
            str(path), "not a WARC archive (no WARC records found); check the file's format"
        )
