"""Ingest stage: fetch URLs over HTTP (httpx) and hand pages or feeds to their readers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from storyline.config import Settings
from storyline.errors import FetchError, TooLargeError
from storyline.ingest.decode import decode_bytes, maybe_gunzip
from storyline.ingest.feeds import articles_from_feed, looks_like_feed
from storyline.model import Article, IngestFailure, SourceKind

_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")


@dataclass(slots=True)
class Fetched:
    """A fetched HTTP body with what the response said about it."""

    url: str
    body: bytes
    content_type: str
    charset: str | None


def make_client(settings: Settings) -> httpx.Client:
    """An HTTP client with storyline's timeout, user agent and redirect policy."""
    return httpx.Client(
        timeout=settings.http_timeout,
        follow_redirects=True,
        headers={"User-Agent": settings.http_user_agent},
    )


def fetch(url: str, client: httpx.Client, settings: Settings) -> Fetched:
    """GET ``url``; raise FetchError with the reason and a fix when it cannot be had."""
    limit = settings.max_article_bytes
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:
        valid = False
    if not valid:
        raise FetchError(f"{url}: not a valid http(s) URL; check how it is written")
    try:
        with client.stream("GET", url) as response:
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
                chunks.append(chunk)
            content_type = response.headers.get("content-type", "")
            return Fetched(
                str(response.url), b"".join(chunks), content_type, response.charset_encoding
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
