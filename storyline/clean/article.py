"""Clean stage: a raw Article becomes clean text with title, outlet, date, language and id."""

from __future__ import annotations

import hashlib

from storyline.clean.datelines import FoundDate, find_dates
from storyline.clean.html import extract_html
from storyline.clean.meta import canonical_url, content_hash, detect_language, outlet_from_url
from storyline.clean.text import clean_text
from storyline.config import Settings
from storyline.errors import ExtractionError
from storyline.ingest.dates import parse_source_date
from storyline.model import Article, Stage

# A dateline sits in the head of an article: after this many raw lines a date is article content.
_HEAD_LINES = 15
_HEAD_CHARS = 1500


def _weekday_date(text: str) -> FoundDate | None:
    """A date with its weekday stated near the top ("this Tuesday (01.25.2022)")."""
    for found in find_dates(text[:_HEAD_CHARS]):
        if found.weekday_stated:
            return found
    return None


def article_id(article: Article) -> str:
    """Stable id: the canonical URL when known, else the content hash, hashed to 16 hex digits."""
    key = (
        f"url:{article.canonical_url}" if article.canonical_url else f"hash:{article.content_hash}"
    )
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def _set_date(article: Article, text_datelines: list[FoundDate]) -> None:
    if article.published is not None:
        return
    found = text_datelines[0] if text_datelines else None
    how = "dateline"
    if found is None:
        found, how = _weekday_date(article.text), "weekday-date in text"
    if found is None:
        article.published_note = article.published_note or (
            "no publication date in the metadata, the record or a dateline"
        )
        return
    article.published = found.value
    article.published_source = how + (f" ({found.note})" if found.note else "")
    article.published_note = None


def clean_article(article: Article, settings: Settings) -> Article:
    """Clean ``article`` in place and return it; ExtractionError when no article text remains."""
    body, title = article.raw, article.title
    if article.raw_format == "html":
        page = extract_html(article.raw, article.url, article.source)
        # the page's own canonical link names the article across mobile/AMP/tracking variants
        if page.url and outlet_from_url(page.url) == outlet_from_url(article.url or page.url):
            article.canonical_url = canonical_url(page.url)
        article.url = article.url or page.url
        # trafilatura puts one newline between paragraphs; text articles use a blank line
        body, title = page.text.replace("\n", "\n\n"), title or page.title
        if article.published is None and page.date:
            article.published = parse_source_date(page.date)
            article.published_source = "html-meta" if article.published else None
        article.outlet = article.outlet or (None if article.url else page.sitename)
    cleaned = clean_text(body, title)
    article.title, article.text, article.removed_lines = (
        cleaned.title,
        cleaned.text,
        cleaned.removed,
    )
    if len(article.text) < settings.min_text_chars:
        raise ExtractionError(
            f"{article.source}: no article text (only {len(article.text)} characters remain after "
            f"removing boilerplate, minimum {settings.min_text_chars}); pass an article's own page"
        )
    _set_date(article, [found for line, found in cleaned.datelines if line < _HEAD_LINES])
    article.outlet = article.outlet or outlet_from_url(article.url)
    if article.language is None:
        article.language, article.language_score = detect_language(article.text)
    article.canonical_url = article.canonical_url or canonical_url(article.url)
    article.content_hash = content_hash(article.text)
    article.id = article_id(article)
    article.mark(Stage.INGESTED)
    article.mark(Stage.CLEANED)
    return article
