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


def read_warc(path: Path, settings: Settings) -> Iterator[Article | IngestFailure]:
    """Yield an Article for each HTML response or resource record; other records are skipped."""
    limit = settings.max_article_bytes
    index = 0
    try:
        with path.open("rb") as handle:
            for index, record in enumerate(ArchiveIterator(handle), start=1):
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
                url = record.rec_headers.get_header("WARC-Target-URI")
                source = f"{path}#{index}"
                payload = record.content_stream().read(limit + 1)
                if len(payload) > limit:
                    yield IngestFailure(source, f"record is over the {limit:,}-byte article limit")
                    continue
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
                    url=url,
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
