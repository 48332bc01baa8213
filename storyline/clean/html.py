"""Clean stage: the article's text and metadata from an HTML page.

The page is parsed once. Its head is read for metadata (`page_meta`); trafilatura finds the
article's blocks (paragraphs, headings, lists, tables, quotes) in fast mode, and the blocks are
then judged by what the structure shows and plain text cannot: a list whose text is mostly links
(related stories), a short linked line, headings after the article's last paragraph (newsletter
boxes, widget titles), the standfirst under the headline. Each block dropped is kept with its
reason. When fast mode finds almost nothing (a page whose article is not the largest block),
trafilatura's slower comparison with its fallback extractors is asked, favouring precision, and
the longer answer is kept.
"""

from __future__ import annotations

import logging
import re
from copy import deepcopy
from dataclasses import dataclass, field
from functools import cache
from posixpath import basename
from urllib.parse import urlsplit

import trafilatura
from lxml.etree import ParserError
from lxml.html import HtmlElement, fromstring
from trafilatura.settings import MANUALLY_CLEANED, Extractor
from trafilatura.utils import load_html

from storyline.clean.page_meta import read_page_meta
from storyline.errors import ExtractionError

# trafilatura and htmldate log a page they cannot read; the caller's one-line error says it.
for _name in ("trafilatura", "htmldate"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
_WORD = re.compile(r"\w+")
_NO_TEXT = (
    "{source}: no article text found in the HTML (a front page, a login wall or an empty "
    "template?); pass the article's own page"
)
# A result with fewer words than this asks trafilatura's fallback extractors too.
SHORT_RESULT_WORDS = 60
# ... and so does one in which prose lines (see PROSE_WORDS) hold less than this share of words.
PROSE_SHARE = 0.3
# A list this much linked (share of its characters inside links) is a list of other stories.
LINK_LIST_SHARE = 0.6
# A paragraph or heading this much linked and shorter than LINKED_LINE_WORDS is navigation.
LINKED_LINE_SHARE = 0.8
LINKED_LINE_WORDS = 30
# ... and at any length when it is a run of short links (a menu): this many, this short.
MENU_LINKS = 5
MENU_WORDS_PER_LINK = 5
# A paragraph of at least this many words is article prose (the last one ends the article).
PROSE_WORDS = 12
# A page of more elements than this is cut down to its head and its article's container first.
LARGE_TREE = 20_000
# Containers whose class names an article's body, with paragraphs of their own.
_BODY_CHUNKS = "//p/parent::*[@class]"  # from the paragraphs up: fewer tests than every element
_BODY_CLASS = re.compile(
    r"(article|story|post|entry)[-_]{0,2}(body|content|text)|body__container|articlebody", re.I
)
# What trafilatura's tree cleaning deletes (a form it judges apart).
_CLEANED = frozenset(MANUALLY_CLEANED) - {"form"}


@dataclass(slots=True)
class HtmlExtract:
    """What was found in one page: the text, what the page says about itself, and the blocks
    left out with the reason for each."""

    text: str
    title: str | None
    date: str | None  # ISO date as htmldate reports it
    sitename: str | None
    url: str | None
    language: str | None
    authors: list[str] = field(default_factory=list)
    image: str | None = None  # the lead image's address
    image_caption: str | None = None
    description: str | None = None
    removed: list[tuple[str, str]] = field(default_factory=list)  # (block text, reason)


@dataclass(slots=True)
class _Block:
    tag: str
    text: str
    words: int
    linked: float  # share of the characters inside links
    links: int = 0


def _text(element: HtmlElement) -> str:
    """The element's text, spaces collapsed, one line per line break it holds."""
    lines = "".join(element.itertext()).split("\n")
    return "\n".join(joined for line in lines if (joined := " ".join(line.split())))


def _render(element: HtmlElement) -> str:
    """A block as text lines: list items as "- item", table rows as cells joined by " | "."""
    if element.tag == "list":
        items = (_text(item) for item in element.iter("item"))
        return "\n".join(f"- {item}" for item in items if item)
    if element.tag == "table":
        rows = ([_text(cell) for cell in row] for row in element.iter("row"))
        return "\n".join(" | ".join(c for c in cells if c) for cells in rows if any(cells))
    return _text(element)


def _blocks(body: HtmlElement) -> list[_Block]:
    for line_break in body.iter("lb"):
        line_break.tail = "\n" + (line_break.tail or "")
    blocks = []
    for element in body:
        text = _render(element)
        if not text.strip():
            continue
        refs = [len(_text(ref)) for ref in element.iter("ref")]
        plain = _text(element) if element.tag in ("list", "table") else text
        words = len(_WORD.findall(plain))
        blocks.append(_Block(element.tag, text, words, sum(refs) / len(plain), len(refs)))
    return blocks


def _judge(blocks: list[_Block], title: str | None) -> tuple[list[str], list[tuple[str, str]]]:
    """The blocks kept as text, and those left out with their reasons."""
    title_key = " ".join(_WORD.findall(title.casefold())) if title else None
    prose = [i for i, block in enumerate(blocks) if block.tag == "p" and block.words >= PROSE_WORDS]
    last_prose = prose[-1] if prose else len(blocks)
    first_prose = prose[0] if prose else len(blocks)
    kept: list[str] = []
    removed: list[tuple[str, str]] = []
    for index, block in enumerate(blocks):
        reason = None
        if block.tag == "list" and block.linked >= LINK_LIST_SHARE:
            reason = "link_list"
        elif block.tag in ("p", "head") and block.linked >= LINKED_LINE_SHARE:
            menu = block.links >= MENU_LINKS and block.words <= MENU_WORDS_PER_LINK * block.links
            reason = "linked_line" if block.words < LINKED_LINE_WORDS or menu else None
        if reason is None and block.tag == "head" and index > last_prose:
            reason = "heading_after_article"
        if reason is None and block.tag == "head" and index < first_prose and index > 0:
            before = " ".join(_WORD.findall(blocks[index - 1].text.casefold()))
            if title_key and before == title_key:
                reason = "standfirst"
        if reason is None:
            kept.append(block.text)
        else:
            removed.append((block.text, reason))
    return kept, removed


def _prose(blocks: list[str]) -> tuple[int, int]:
    """Words in lines of at least PROSE_WORDS words (what a menu or a list of names lacks),
    and words in all."""
    counts = [len(_WORD.findall(line)) for block in blocks for line in block.split("\n")]
    return sum(count for count in counts if count >= PROSE_WORDS), sum(counts)


def _better(other: tuple[int, int], first: tuple[int, int]) -> bool:
    """Whether the fallback's (prose, words) beats the first answer's: more prose, or most of
    its prose in a much cleaner text (the first one a dump of the whole page)."""
    if other[0] > first[0]:
        return True
    share = (other[0] / other[1] if other[1] else 0.0) - (first[0] / first[1] if first[1] else 0.0)
    return other[0] >= first[0] / 2 and share > 0.2


@cache
def _options(fast: bool) -> Extractor:
    """trafilatura's options for the first pass (fast) and the fallback (favouring precision),
    built once: building them reads trafilatura's configuration, a cost per page otherwise."""
    return Extractor(
        output_format="python",
        fast=fast,
        precision=not fast,
        comments=False,
        tables=True,
        links=True,  # kept in the blocks to measure how linked each one is
        with_metadata=False,
    )


def _extract(tree: HtmlElement, fast: bool) -> trafilatura.settings.Document | None:
    return trafilatura.bare_extraction(tree, options=_options(fast))  # type: ignore[return-value]


def _lead_caption(tree: HtmlElement, image: str | None) -> str | None:
    """The caption of the figure that shows the page's lead image, when one does."""
    if not image:
        return None
    name = basename(urlsplit(image).path)
    if len(name) < 5:
        return None
    for figure in tree.iterfind(".//figure"):
        sources = (
            img.get(attribute) or ""
            for img in figure.iter("img", "source")
            for attribute in ("src", "data-src", "srcset")
        )
        if any(name in source for source in sources):
            caption = figure.find(".//figcaption")
            text = _text(caption) if caption is not None else ""
            return text[:500] or None
    return None


def _parse(html: str, source: str) -> HtmlElement:
    try:
        tree = load_html(html)
    except (ValueError, TypeError, ParserError) as exc:
        raise ExtractionError(f"{source}: the HTML could not be parsed ({exc})") from exc
    if tree is None:
        raise ExtractionError(_NO_TEXT.format(source=source))
    return tree


def _container(tree: HtmlElement) -> HtmlElement | None:
    """The element holding the most paragraph text: an ``<article>``, ``<main>`` or
    ``articleBody`` element when one holds any, else the parent of the most paragraphs' text."""
    marked = tree.xpath("//article | //main | //*[@itemprop='articleBody']")
    scored = [(len(" ".join(el.xpath(".//p//text()"))), el) for el in marked[:50]]
    if not any(score for score, _ in scored):
        parents: dict[HtmlElement, int] = {}
        for paragraph in tree.iterfind(".//p"):
            parent = paragraph.getparent()
            if parent is not None:
                parents[parent] = parents.get(parent, 0) + len(paragraph.text_content())
        scored = [(score, el) for el, score in parents.items()]
    return max(scored, key=lambda pair: pair[0])[1] if scored else None


def _reduced(tree: HtmlElement) -> HtmlElement:
    """``tree``, or when it has more than LARGE_TREE elements, a page of its head and the
    element that holds its article (a page padded with thousands of teasers or widgets costs
    trafilatura and htmldate minutes, spent on what cannot be the article)."""
    if tree.xpath("count(//*)") <= LARGE_TREE:
        return tree
    container = _container(tree)
    if container is None:
        return tree
    page = fromstring("<html><head></head><body></body></html>")
    head = tree.find(".//head")
    if head is not None:
        page.replace(page.find("head"), deepcopy(head))
    page.find("body").append(deepcopy(container))
    return page


def _join_chunks(tree: HtmlElement) -> HtmlElement:
    """Article bodies split into several containers of one class (a body cut by adverts into
    chunks) joined into the first, in page order: trafilatura reads only one of them."""
    groups: dict[tuple[str, str], list[HtmlElement]] = {}
    for element in tree.xpath(_BODY_CHUNKS):
        if _BODY_CLASS.search(element.get("class", "")):
            groups.setdefault((element.tag, element.get("class", "")), []).append(element)
    for members in groups.values():
        if not 2 <= len(members) <= 50:
            continue
        first, *rest = members
        if any(first in other.iterancestors() or other in first.iterancestors() for other in rest):
            continue
        for other in rest:
            first.extend(list(other))
            parent = other.getparent()
            if parent is not None:
                parent.remove(other)
    return tree


def _surviving_paragraph(tree: HtmlElement) -> bool:
    """Whether a paragraph of ``tree`` lies outside everything trafilatura's cleaning deletes."""
    return any(
        not any(isinstance(up.tag, str) and up.tag in _CLEANED for up in paragraph.iterancestors())
        for paragraph in tree.iter("p")
    )


def _drop_unread(tree: HtmlElement) -> HtmlElement:
    """``tree`` without what every step of trafilatura deletes before it reads any text (its tree
    cleaning, its baseline and its page measure alike): scripts and style sheets, SVG drawings,
    ``<aside>`` and ``<footer>`` elements and the head's metadata, their tails kept. Each step
    first copies the whole tree, two or three times a page, and on news pages that is mostly this:
    megabytes of inline code, icon sprites, footers of links. Run once the page's own metadata is
    read. The answer cannot change: JSON-LD blocks stay (trafilatura's baseline and forum test read
    them); an aside or footer holding an ``<h1>`` stays (a raw-tree rule looks for one); and when
    no paragraph lies outside what trafilatura's cleaning deletes (its recall mode then keeps the
    whole tree) only code goes."""
    unread = [
        element
        for element in tree.iter("script", "style")
        if element.tag == "style" or "ld+json" not in (element.get("type") or "")
    ]
    if _surviving_paragraph(tree):
        unread += [el for el in tree.iter("aside", "footer") if el.find(".//h1") is None]
        unread += tree.iter("svg")
        head = tree.find("head")
        unread += [el for el in head if el.tag != "script"] if head is not None else []
    for element in unread:
        if element.getparent() is not None:
            element.drop_tree()  # its tail goes to the previous sibling or the parent
    return tree


def extract_html(html: str, url: str | None, source: str) -> HtmlExtract:
    """Extract the main text and metadata of an HTML page; ExtractionError when there is none."""
    tree = _join_chunks(_reduced(_parse(html, source)))
    meta = read_page_meta(tree, url)
    caption = _lead_caption(tree, meta.image)
    tree = _drop_unread(tree)
    kept: list[str] = []
    removed: list[tuple[str, str]] = []
    try:
        doc = _extract(tree, fast=True)
        if doc is not None and doc.body is not None:
            kept, removed = _judge(_blocks(doc.body), meta.title)
        prose, words = _prose(kept)
        if words < SHORT_RESULT_WORDS or prose < PROSE_SHARE * words:
            slow = _extract(_reduced(_parse(html, source)), fast=False)
            if slow is not None and slow.body is not None:
                more, more_removed = _judge(_blocks(slow.body), meta.title)
                if _better(_prose(more), (prose, words)):
                    kept, removed = more, more_removed
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        raise ExtractionError(f"{source}: the HTML could not be parsed ({exc})") from exc
    text = "\n".join(kept).strip()
    if not text:
        raise ExtractionError(_NO_TEXT.format(source=source))
    return HtmlExtract(
        text=text,
        title=meta.title,
        date=meta.date,
        sitename=meta.sitename,
        url=meta.url,
        language=meta.language,
        authors=meta.authors,
        image=meta.image,
        image_caption=caption,
        description=meta.description,
        removed=removed,
    )
