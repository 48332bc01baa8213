"""Clean stage: what a page says about itself in its head: title, site, address, authors, lead
image, language and publication date.

Read from one parsed tree in a single pass over its ``<meta>`` and ``<link>`` elements and its
JSON-LD blocks (schema.org ``NewsArticle`` and kin), in this order of trust: JSON-LD, Open Graph,
other meta names, then the document itself (``<title>``, one ``<h1>``, ``<html lang>``). The date
is htmldate's reading of the same tree (the page's markup, not dates in the article's text).
Values that cannot be what they claim (an author that is a web address, a title of 400
characters) are dropped, never guessed.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from htmldate import find_date
from lxml.html import HtmlElement

_AUTHOR_MAX = 120
_TITLE_MAX = 300
_JSON_MAX = 200_000  # characters of one JSON-LD block read; a bigger one is not metadata
_ARTICLE_TYPES = re.compile(r"(news|blog|report|scholarly|tech)?article|posting|webpage", re.I)
_NOT_A_NAME = re.compile(r"https?://|www\.|@\w+\.\w|^\W*$|\d{4}-\d{2}-\d{2}")
_BY = re.compile(r"^\s*(by|von|par|por|di|door)\s+", re.I)
_SPACE = re.compile(r"\s+")
_DATE_PARAMS: dict[str, Any] = {
    "extensive_search": False,  # body dates are events, not publication
    "original_date": True,
    "max_date": "2099-12-31",  # htmldate drops future dates; clock skew is judged later
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}


@dataclass(slots=True)
class PageMeta:
    """What the page's head says about the article (None: the page does not say)."""

    title: str | None = None
    sitename: str | None = None
    url: str | None = None  # the canonical address the page gives itself
    authors: list[str] = field(default_factory=list)
    image: str | None = None  # the lead image's address
    description: str | None = None
    language: str | None = None
    date: str | None = None  # ISO date as htmldate reports it


def _clean(value: object, limit: int = _TITLE_MAX) -> str | None:
    if not isinstance(value, str):
        return None
    if "&" in value and ";" in value:  # escaped twice by its page: "review &#8211; verdict"
        value = html.unescape(value)
    value = _SPACE.sub(" ", value).strip()
    return value if value and len(value) <= limit else None


def _author(value: object) -> str | None:
    name = _clean(value, _AUTHOR_MAX)
    if name is None or _NOT_A_NAME.search(name):
        return None
    return _BY.sub("", name).strip() or None


def _names(value: object) -> Iterator[str]:
    """Author names in a JSON-LD ``author`` value (a name, a Person, or a list of either)."""
    items = value if isinstance(value, list) else [value]
    for item in items[:20]:
        if isinstance(item, dict):
            item = item.get("name")
        if (name := _author(item)) is not None:
            yield name


def _image(value: object) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    url = _clean(value, 2000)
    return url if url and url.startswith(("http://", "https://", "//", "/")) else None


def _json_ld(tree: HtmlElement) -> Iterator[dict[str, Any]]:
    """The objects of the page's JSON-LD blocks (``@graph`` members included)."""
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        raw = script.text or ""
        if len(raw) > _JSON_MAX:
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        stack = data if isinstance(data, list) else [data]
        for item in stack[:50]:
            if not isinstance(item, dict):
                continue
            graph = item.get("@graph")
            if isinstance(graph, list):
                yield from (member for member in graph[:50] if isinstance(member, dict))
            yield item


def _kind(item: dict[str, Any]) -> str:
    kind = item.get("@type")
    if isinstance(kind, list):
        kind = " ".join(str(k) for k in kind)
    return str(kind or "")


def _from_json_ld(tree: HtmlElement, meta: PageMeta) -> None:
    for item in _json_ld(tree):
        if not _ARTICLE_TYPES.search(_kind(item)):
            continue
        if _kind(item).lower() == "webpage" and meta.title:
            continue  # a page's own record: weaker than an article's
        meta.title = meta.title or _clean(item.get("headline"))
        if not meta.authors:
            meta.authors = list(dict.fromkeys(_names(item.get("author"))))
        publisher = item.get("publisher")
        if isinstance(publisher, dict):
            meta.sitename = meta.sitename or _clean(publisher.get("name"))
        meta.image = meta.image or _image(item.get("image"))
        meta.description = meta.description or _clean(item.get("description"), 2000)


def _head_values(tree: HtmlElement) -> dict[str, str]:
    """``<meta>`` values by lower-case property or name (the first of each), and the
    canonical link as ``"canonical"``."""
    values: dict[str, str] = {}
    for element in tree.iter("meta", "link"):
        if element.tag == "link":
            rel = (element.get("rel") or "").lower().split()
            if "canonical" in rel and element.get("href"):
                values.setdefault("canonical", element.get("href", ""))
            continue
        key = element.get("property") or element.get("name") or element.get("itemprop") or ""
        content = element.get("content")
        if key and content:
            values.setdefault(key.strip().lower(), content)
    return values


def _document_title(tree: HtmlElement) -> str | None:
    headings = tree.findall(".//h1")
    if len(headings) == 1:
        return _clean(headings[0].text_content())
    element = tree.find(".//title")
    return _clean(element.text_content()) if element is not None else None


def read_page_meta(tree: HtmlElement, url: str | None) -> PageMeta:
    """The page's own metadata, read from ``tree`` (which is not changed)."""
    meta = PageMeta()
    _from_json_ld(tree, meta)
    head = _head_values(tree)
    meta.title = meta.title or _clean(head.get("og:title")) or _clean(head.get("twitter:title"))
    meta.title = meta.title or _document_title(tree)
    meta.sitename = (
        meta.sitename or _clean(head.get("og:site_name")) or _clean(head.get("application-name"))
    )
    meta.url = _clean(head.get("canonical"), 2000) or _clean(head.get("og:url"), 2000)
    if not meta.authors:
        for key in ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator"):
            if (name := _author(head.get(key))) is not None:
                meta.authors = [name]
                break
    meta.image = meta.image or _image(head.get("og:image")) or _image(head.get("twitter:image"))
    meta.description = meta.description or _clean(
        head.get("og:description") or head.get("description"), 2000
    )
    root = tree.getroottree().getroot()
    meta.language = _clean(root.get("lang") or head.get("content-language") or "", 16)
    try:
        meta.date = find_date(tree, url=url, **_DATE_PARAMS) or None
    except (ValueError, TypeError, AttributeError, RecursionError):
        meta.date = None
    return meta
