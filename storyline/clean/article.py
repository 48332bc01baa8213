"""Clean stage: a raw Article becomes clean text with title, outlet, date, language and id."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from storyline.clean.html import extract_html
from storyline.clean.meta import canonical_url, content_hash, detect_language, outlet_from_url
from storyline.clean.pubdate import settle_date
from storyline.clean.site_lines import SiteLines, host_of
from storyline.clean.text import clean_text
from storyline.clean.titles import strip_site_name
from storyline.config import Settings
from storyline.errors import ExtractionError
from storyline.ingest.dates import parse_source_date
from storyline.model import Article, Stage

# A dateline sits in the head of an article: after this many raw lines a date is article content.
_HEAD_LINES = 15
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}([-_][A-Za-z0-9]{2,8})?$")


def article_id(article: Article) -> str:
    """Stable id: the canonical URL when known, else the content hash, hashed to 16 hex digits."""
    key = (
        f"url:{article.canonical_url}" if article.canonical_url else f"hash:{article.content_hash}"
    )
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def clean_article(
    article: Article, settings: Settings, site_lines: SiteLines | None = None
) -> Article:
    """Clean ``article`` in place and return it; ExtractionError when no article text remains.

    With ``site_lines`` (the memory of one run) a line its outlet repeats on many pages goes too.
    """
    body, title, sitename = article.raw, article.title, None
    if article.raw_format == "html":
        page = extract_html(article.raw, article.url, article.source)
        # the page's own canonical link names the article across mobile/AMP/tracking variants;
        # a link to the site's front page is a CMS default, not the article's address
        page_url = page.url if page.url and urlsplit(page.url).path.strip("/") else None
        if page_url and outlet_from_url(page_url) == outlet_from_url(article.url or page_url):
            article.canonical_url = canonical_url(page_url)
        article.url = article.url or page_url
        # trafilatura puts one newline between paragraphs; text articles use a blank line
        body, title = page.text.replace("\n", "\n\n"), title or page.title
        if article.published is None and page.date:
            article.published = parse_source_date(page.date)
            article.published_source = "html-meta" if article.published else None
        article.outlet = article.outlet or (None if article.url else page.sitename)
        sitename = page.sitename
    body = body.replace("\x00", "")  # NUL is never text, and PostgreSQL refuses it
    article.raw = article.raw.replace("\x00", "")
    if title:
        title = strip_site_name(title.replace("\x00", ""), article.url, sitename)
    host = host_of(article.url)
    page = site_lines.page(host, article.url or "") if site_lines is not None and host else None
    cleaned = clean_text(body, title, page)
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
    settle_date(article, [found for line, found in cleaned.datelines if line < _HEAD_LINES])
    article.outlet = (article.outlet or outlet_from_url(article.url) or "")[:300] or None
    if article.language is not None and not _LANGUAGE_CODE.match(article.language):
        article.language = None  # a label such as "English (UK)": detect the code instead
    if article.language is None:
        article.language, article.language_score = detect_language(article.text)
    article.canonical_url = article.canonical_url or canonical_url(article.url)
    article.content_hash = content_hash(article.text)
    article.id = article_id(article)
    article.mark(Stage.INGESTED)
    article.mark(Stage.CLEANED)
    return article
