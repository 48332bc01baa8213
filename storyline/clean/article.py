"""Clean stage: a raw Article becomes clean text with title, outlet, date, language and id."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlsplit

from storyline.clean.html import extract_html
from storyline.clean.meta import canonical_url, content_hash, detect_language
from storyline.clean.outlets import (
    names_site,
    outlet_from_url,
    outlet_key,
    outlet_name,
    site_keys,
)
from storyline.clean.pubdate import settle_date
from storyline.clean.site_lines import SiteLines, host_of
from storyline.clean.text import clean_text
from storyline.clean.titles import split_author, strip_site_name
from storyline.config import Settings
from storyline.errors import ExtractionError
from storyline.ingest.dates import parse_source_date
from storyline.model import Article, RemovedLine, Stage

# A dateline sits in the head of an article: after this many raw lines a date is article content.
_HEAD_LINES = 15
_BYLINE = re.compile(r"^\s*by\s+", re.I)
_AND = re.compile(r"\s+(?:and|&)\s+|\s*\|\s*", re.I)
# A byline crediting the newsroom: "<outlet> Web Team", "<outlet> Staff", "<outlet> News Desk".
_TEAM = re.compile(
    r"^(.{2,40}?)\s+(?:(?:web|news|digital|online|editorial|sports?)\s+)?"
    r"(?:team|desk|staff|bureau|newsroom)$",
    re.I,
)
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}([-_][A-Za-z0-9]{2,8})?$")


def byline_names(removed: list[RemovedLine], head_lines: int) -> list[str]:
    """The names of a byline line cleaning took from the head of the text ("By Anna Field and
    Tomas Brell, Harbor Times"): kept as the article's authors, not lost with the line."""
    for line in removed:
        if line.reason == "byline" and 0 <= line.position < head_lines:
            names = _BYLINE.sub("", line.line).split(",")[0]
            return [name.strip() for name in _AND.split(names) if name.strip()][:10]
    return []


def article_id(article: Article) -> str:
    """Stable id: the canonical URL when known, else the content hash, hashed to 16 hex digits."""
    key = (
        f"url:{article.canonical_url}" if article.canonical_url else f"hash:{article.content_hash}"
    )
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def team_name(authors: list[str], key: str | None) -> str | None:
    """The outlet's name in a byline that credits its newsroom, not a person ("WION Web Team",
    "Harbor Times Staff"), when that name names the site keyed ``key`` (issue 21)."""
    keys = site_keys(key)
    for author in authors:
        found = _TEAM.match(" ".join(author.split()))
        if found and keys and names_site(found.group(1), keys):
            return found.group(1)
    return None


def _settle_outlet(article: Article, sitename: str | None) -> None:
    """The outlet's key (the registered domain of the article's URL, else the name its record
    or page gives) and the name to show for it (that name, when it reads as one, else the
    newsroom's name in a byline such as "WION Web Team"; issue 21)."""
    given = article.outlet  # a record's own outlet field, when it has one
    key = outlet_from_url(article.url) or outlet_key(given) or outlet_key(sitename)
    name = outlet_name(given, key) or outlet_name(sitename, key)
    name = name or outlet_name(team_name(article.authors, key), key)
    article.outlet = (key or "")[:300] or None
    article.outlet_name = (name or "")[:300] or None


def clean_article(
    article: Article, settings: Settings, site_lines: SiteLines | None = None
) -> Article:
    """Clean ``article`` in place and return it; ExtractionError when no article text remains.

    With ``site_lines`` (the memory of one run) a line its outlet repeats on many pages goes too.
    """
    body, title, sitename = article.raw, article.title, None
    left_out: list[RemovedLine] = []  # blocks of the page left out before its text lines
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
        sitename = page.sitename
        article.authors = article.authors or page.authors
        article.image_url = article.image_url or page.image
        article.image_caption = article.image_caption or page.image_caption
        left_out = [RemovedLine(block, reason, -1) for block, reason in page.removed]
    # NUL is never text, and PostgreSQL refuses it (a test first: str.replace with nothing to
    # replace still walks a page of HTML slowly, and almost no page has one)
    if "\x00" in body:
        body = body.replace("\x00", "")
    if "\x00" in article.raw:
        article.raw = article.raw.replace("\x00", "")
    writer = None
    if title:
        title, writer = split_author(
            strip_site_name(title.replace("\x00", ""), article.url, sitename)
        )
    host = host_of(article.url)
    seen = site_lines.page(host, article.url or "") if site_lines is not None and host else None
    cleaned = clean_text(body, title, seen)
    article.title, article.text = cleaned.title, cleaned.text
    article.removed_lines = left_out + cleaned.removed
    if not article.authors:
        article.authors = byline_names(cleaned.removed, _HEAD_LINES)
    if not article.authors and writer:
        article.authors = [writer]  # named only after the headline: "… - By Anna Field"
    if len(article.text) < settings.min_text_chars:
        raise ExtractionError(
            f"{article.source}: no article text (only {len(article.text)} characters remain after "
            f"removing boilerplate, minimum {settings.min_text_chars}); pass an article's own page"
        )
    settle_date(article, [found for line, found in cleaned.datelines if line < _HEAD_LINES])
    _settle_outlet(article, sitename)
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
