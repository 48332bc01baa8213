"""Ingest stage: fetch URLs over HTTP (httpx, under the policy of `outbound`) and hand pages or
feeds to their readers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from storyline.config import Settings
from storyline.errors import FetchError, TooLargeError
from storyline.ingest.decode import decode_bytes, maybe_gunzip
from storyline.ingest.feeds import articles_from_feed, looks_like_feed
from storyline.ingest.outbound import make_client
from storyline.model import Article, IngestFailure, SourceKind

__all__ = ["Fetched", "fetch", "make_client", "read_url"]

_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")


@dataclass(slots=True)
class Fetched:
    """A fetched HTTP body with what the response said about it."""

    url: str
    body: bytes
    content_type: str
    charset: str | None
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None


def fetch(
    url: str, client: httpx.Client, settings: Settings, headers: dict[str, str] | None = None
) -> Fetched:
    """GET ``url``; raise FetchError with the reason and a fix when it cannot be had. The body
    is bounded by ``max_article_bytes`` and the whole fetch by ``http_total_timeout``."""
    limit = settings.max_article_bytes
    deadline = time.monotonic() + settings.http_total_timeout
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:
        valid = False
    if not valid:
        raise FetchError(f"{url}: not a valid http(s) URL; check how it is written")
    try:
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:  # a conditional GET: nothing new
                return Fetched(str(response.url), b"", "", None, 304)
            if response.status_code >= 400:
                raise FetchError(
                    f"{url}: the server answered HTTP {response.status_code}; check the URL"
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise TooLargeError(f"{url}: response is over the {limit:,}-byte limit")
                if time.monotonic() > deadline:
                    raise FetchError(
                        f"{url}: still arriving after {settings.http_total_timeout:g} s; retry "
                        "later or raise STORYLINE_HTTP_TOTAL_TIMEOUT"
                    )
                chunks.append(chunk)
            content_type = response.headers.get("content-type", "")
            return Fetched(
                str(response.url),
                b"".join(chunks),
                content_type,
                response.charset_encoding,
                response.status_code,
                response.headers.get("etag"),
                response.headers.get("last-modified"),
            )
    except httpx.ConnectError as exc:
        raise FetchError(
            f"{url}: could not connect ({exc}); check the address and that the site is up"
        ) from exc
    except httpx.TimeoutException as exc:
        raise FetchError(
            f"{url}: timed out after {settings.http_timeout:g} s; retry later "
            "or raise STORYLINE_HTTP_TIMEOUT"
        ) from exc
    except httpx.TooManyRedirects as exc:
        raise FetchError(
            f"{url}: more than {settings.http_max_redirects} redirects; check the URL"
        ) from exc
    except httpx.InvalidURL as exc:
        raise FetchError(f"{url}: not a valid URL ({exc})") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: request failed ({exc}); retry later") from exc


def read_url(
    url: str, client: httpx.Client, settings: Settings
) -> Iterator[Article | IngestFailure]:
    """Fetch ``url`` and yield its article, or every entry's article when it is a feed."""
    fetched = fetch(url, client, settings)
    body = maybe_gunzip(fetched.body, url, settings.max_article_bytes)
    head = body.lstrip()[:512].decode("utf-8", errors="replace").lower()
    if fetched.content_type.lower().startswith(_FEED_TYPES) or looks_like_feed(head):
        yield from articles_from_feed(body, url, settings, client=client)
        return
    text, encoding, note = decode_bytes(body, url, fetched.charset)
    is_html = "html" in fetched.content_type.lower() or "<html" in head or "<!doctype" in head
    yield Article(
        source=url,
        source_kind=SourceKind.URL,
        raw=text,
        raw_format="html" if is_html else "text",
        url=fetched.url,
        encoding=encoding,
        encoding_note=note,
        fetched_at=datetime.now(UTC),
    )
