"""Ingest stage: read local files and folders (text, HTML, JSONL, WARC, Parquet, feed XML) into
Articles."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from storyline.config import Settings
from storyline.errors import IngestError, TooLargeError
from storyline.ingest.decode import decode_bytes, maybe_gunzip
from storyline.ingest.feeds import articles_from_feed, looks_like_feed
from storyline.ingest.jsonl import read_jsonl
from storyline.ingest.parquet import read_parquet
from storyline.ingest.unexpected import unexpected
from storyline.ingest.warc import read_warc
from storyline.model import Article, IngestFailure, SourceKind

TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
WARC_SUFFIXES = {".warc", ".arc"}
PARQUET_SUFFIXES = {".parquet"}
FEED_SUFFIXES = {".rss", ".atom", ".xml"}
KNOWN_SUFFIXES = (
    TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES | WARC_SUFFIXES | FEED_SUFFIXES
) | PARQUET_SUFFIXES

Item = Article | IngestFailure


def _kind_suffix(path: Path) -> str:
    """The suffix that says what a file holds, looking through a trailing ``.gz``."""
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def iter_paths(root: Path, errors: list[OSError] | None = None) -> Iterator[Path]:
    """Yield ``root`` if it is a file, else every non-hidden file below it, in sorted order.

    Folders that cannot be listed are added to ``errors`` (when given) rather than skipped unseen.
    """
    if root.is_file():
        yield root
        return
    found = []
    for folder, subfolders, names in os.walk(
        root, onerror=None if errors is None else errors.append
    ):
        subfolders[:] = [d for d in subfolders if not d.startswith(".")]
        for name in names:
            path = Path(folder) / name
            if name.startswith(".") or not path.is_file():
                continue
            if _kind_suffix(path) in KNOWN_SUFFIXES or not path.suffix:
                found.append(path)
    yield from sorted(found)


def read_path(root: Path, settings: Settings) -> Iterator[Item]:
    """Yield an Article or an IngestFailure for every article found under ``root``."""
    if not root.exists():
        yield IngestFailure(str(root), "no such file or folder; check the path")
        return
    errors: list[OSError] = []
    for path in iter_paths(root, errors):
        try:
            yield from read_file(path, settings)
        except IngestError as exc:
            yield IngestFailure(str(path), str(exc))
        except OSError as exc:
            yield IngestFailure(str(path), f"cannot read file ({exc.strerror}); check permissions")
        except Exception as exc:  # a reader bug on one odd file must not stop the batch
            yield unexpected(str(path), exc, "reading")
    for error in errors:
        yield IngestFailure(
            str(error.filename or root), f"cannot list folder ({error.strerror}); check permissions"
        )


def _read_single(path: Path, settings: Settings) -> bytes:
    """Read a one-article file, refusing it before reading when it is over the size limit."""
    size = path.stat().st_size
    limit = settings.max_article_bytes
    if size > limit:
        raise TooLargeError(
            f"{path}: {size / 1e6:.1f} MB is larger than the {limit / 1e6:.1f} MB limit for one "
            "article; split it, or raise STORYLINE_MAX_ARTICLE_BYTES if it really is one article"
        )
    return maybe_gunzip(path.read_bytes(), str(path), limit)


def read_file(path: Path, settings: Settings) -> Iterator[Item]:
    """Yield the articles of one file, choosing the reader from its suffix (or its content)."""
    suffix = _kind_suffix(path)
    if suffix in JSONL_SUFFIXES:
        yield from read_jsonl(path, settings)
        return
    if suffix in WARC_SUFFIXES:
        yield from read_warc(path, settings)
        return
    if suffix in PARQUET_SUFFIXES:
        yield from read_parquet(path, settings)
        return
    data = _read_single(path, settings)
    text, encoding, note = decode_bytes(data, str(path))
    head = text.lstrip()[:512].lower()
    if suffix in FEED_SUFFIXES or (suffix not in HTML_SUFFIXES and looks_like_feed(head)):
        yield from articles_from_feed(data, str(path), settings, client=None)
        return
    is_html = suffix in HTML_SUFFIXES or (
        suffix not in TEXT_SUFFIXES and head.startswith(("<!doctype html", "<html"))
    )
    yield Article(
        source=str(path),
        source_kind=SourceKind.HTML if is_html else SourceKind.TEXT,
        raw=text,
        raw_format="html" if is_html else "text",
        encoding=encoding,
        encoding_note=note,
    )
