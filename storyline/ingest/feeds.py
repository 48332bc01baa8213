"""Ingest stage: read RSS and Atom feeds (feedparser); fetch pages of summary-only entries."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import feedparser

from storyline.config import Settings
from storyline.errors import EmptyInputError, FeedError, IngestError
from storyline.ingest.feed_bounds import bounded_feed
from storyline.ingest.unexpected import unexpected
from storyline.model import Article, IngestFailure, SourceKind
from storyline.safe_text import quote, valid_or_none

if TYPE_CHECKING:
    import httpx

_TAG = re.compile(r"<[^>]+>")


def looks_like_feed(head: str) -> bool:
    """True when the first bytes of a document (lower-cased) look like RSS, Atom or RDF."""
    head = head.lstrip()
    if head.startswith(("<rss", "<feed", "<rdf:rdf")):
        return True
    return head.startswith("<?xml") and any(tag in head for tag in ("<rss", "<feed", "<rdf:rdf"))


def _entry_date(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, OSError):  # a year feedparser parsed but datetime lacks
        return None


def _entry_content(entry: Any) -> str:
    contents = entry.get("content") or []
    values = [c.get("value", "") for c in contents if c.get("value")]
    return max(values, key=len) if values else entry.get("summary", "") or ""


def articles_from_feed(
    data: bytes, source: str, settings: Settings, client: httpx.Client | None
) -> Iterator[Article | IngestFailure]:
    """Yield an Article per feed entry; raise FeedError when the data is not a feed at all."""
    # the feed's own address resolves relative entry links ("/world/story.html")
    base = source if source.lower().startswith(("http://", "https://")) else ""
    data = bounded_feed(data, source)
    try:
        parsed = feedparser.parse(
            data, response_headers={"content-location": base} if base else None
        )
    except Exception as exc:  # feedparser raises anything on hostile input; fail this feed only
        raise FeedError(
            f"{source}: the feed could not be parsed ({type(exc).__name__}: {quote(exc)}); "
            "check the feed URL"
        ) from exc
    if not parsed.entries:
        if not parsed.get("version"):  # no RSS/Atom root element was recognised
            reason = getattr(parsed, "bozo_exception", None) or "no RSS or Atom elements"
            raise FeedError(
                f"{source}: not a valid RSS/Atom feed ({quote(reason)}); check the feed URL"
            )
        raise EmptyInputError(f"{source}: the feed has no entries yet; try again later")
    for number, entry in enumerate(parsed.entries, start=1):
        try:
            yield from _entry_items(entry, number, base, source, settings, client)
        except Exception as exc:  # one odd entry must not cost the others
            yield unexpected(f"{source}#entry{number}", exc, "reading a feed entry")


def _entry_items(
    entry: Any,
    number: int,
    base: str,
    source: str,
    settings: Settings,
    client: httpx.Client | None,
) -> Iterator[Article | IngestFailure]:
    """The article of one feed entry: its content, or its page when the content is short."""
    link = urljoin(base, entry["link"]) if base and entry.get("link") else entry.get("link")
    item_source = link or f"{source}#entry{number}"
    content = _entry_content(entry)
    published = _entry_date(entry)
    title = valid_or_none(entry.get("title") or None)  # set on fetched pages after the fact
    short = len(_TAG.sub("", content).strip()) < settings.feed_min_content_chars
    if short and link and client is not None and settings.feed_fetch_links:
        from storyline.ingest.web import read_url  # here to avoid an import cycle

        try:
            for article in read_url(link, client, settings):
                if isinstance(article, Article):
                    article.source_kind = SourceKind.FEED
                    article.title = article.title or title
                    if published and not article.published:
                        article.published, article.published_source = published, "feed"
                yield article
            return
        except IngestError as exc:
            if not content.strip():
                yield IngestFailure(item_source, str(exc))
                return
            # the page is gone but the feed gave a summary: keep that, say so
    if not content.strip():
        yield IngestFailure(item_source, "feed entry has no content and no fetchable link")
        return
    yield Article(
        source=item_source,
        source_kind=SourceKind.FEED,
        raw=content,
        raw_format="html" if "<" in content else "text",
        url=link,
        title=title,
        published=published,
        published_source="feed" if published else None,
    )
