"""Ingest stage: turn the arguments a user gives (paths, URLs, feed URLs) into Articles."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from storyline.config import Settings
from storyline.errors import IngestError
from storyline.ingest.files import read_path
from storyline.ingest.unexpected import unexpected
from storyline.ingest.web import make_client, read_url
from storyline.model import Article, IngestFailure


def is_url(spec: str) -> bool:
    """True for http and https URLs."""
    return spec.lower().startswith(("http://", "https://"))


def read_sources(specs: Iterable[str], settings: Settings) -> Iterator[Article | IngestFailure]:
    """Yield every article (or failure) from every path, URL or feed URL in ``specs``."""
    client = None
    try:
        for spec in specs:
            if is_url(spec):
                client = client or make_client(settings)
                try:
                    yield from read_url(spec, client, settings)
                except IngestError as exc:
                    yield IngestFailure(spec, str(exc))
                except Exception as exc:  # one odd page or feed must not stop the batch
                    yield unexpected(spec, exc, "fetching")
            else:
                yield from read_path(Path(spec), settings)
    finally:
        if client is not None:
            client.close()
