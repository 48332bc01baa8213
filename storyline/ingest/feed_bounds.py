"""Ingest: bounds on a feed before feedparser reads it, which holds the whole parse at once.

feedparser spends about 500 bytes per open element and a few KB per entry, and raises on a
character reference to no character (``&#xD800;``). So a 10 MB feed of 2 million nested tags
took a gigabyte and minutes, 330,000 empty entries 536 MB, and one bad reference failed every
entry of its feed. Here such a feed is refused with one line, or its bad references replaced.
"""

from __future__ import annotations

import re

from storyline.errors import FeedError

# Feeds nest a few levels, and XHTML content a few dozen more; feedparser spends about 500 bytes
# per open element, so 2 million nested tags in a 10 MB feed took a gigabyte (and minutes).
MAX_FEED_DEPTH = 200
# feedparser holds every entry of a feed at once, a few KB each (330,000 empty entries in a
# 10 MB file took 536 MB); real feeds carry tens to hundreds.
MAX_FEED_ENTRIES = 10_000
# A CDATA section or comment (skipped whole: HTML in them is text), or an element tag.
_XML_TAGS = re.compile(
    rb"<!\[CDATA\[.*?(?:\]\]>|\Z)|<!--.*?(?:-->|\Z)|<(/?)([A-Za-z_][^\s/<>]*)[^<>]*?(/?)>", re.S
)
# HTML elements that never hold others, so never nest (a feed's <br> is seldom closed)
_VOID = {b"br", b"hr", b"img", b"input", b"meta", b"wbr", b"area", b"col", b"embed", b"param"}
# HTML elements that a second one of the same name closes (<p>one<p>two)
_IMPLIED_END = {b"p", b"li", b"dt", b"dd", b"tr", b"td", b"th", b"option"}
# A numeric character reference; digits are capped so that int() never parses a huge number.
_CHAR_REF = re.compile(rb"&#([xX][0-9a-fA-F]{1,16}|[0-9]{1,20});?")


def bounded_feed(data: bytes, source: str) -> bytes:
    """``data`` ready for feedparser; raise FeedError when it has too many entries or nests too
    deep to parse within bounded memory."""
    entries = data.count(b"<item") + data.count(b"<entry")
    if entries > MAX_FEED_ENTRIES:
        raise FeedError(
            f"{source}: the feed has about {entries:,} entries, over the {MAX_FEED_ENTRIES:,} "
            "storyline reads from one feed; split it, or write the articles as JSONL"
        )
    if _nesting_over(data, MAX_FEED_DEPTH):
        raise FeedError(
            f"{source}: the feed nests elements deeper than {MAX_FEED_DEPTH} levels; it is not a "
            "feed storyline can read safely"
        )
    return _valid_char_refs(data)


def _valid_char_refs(data: bytes) -> bytes:
    """``data`` with numeric character references to no character (a surrogate such as
    ``&#xD800;``, zero, or past U+10FFFF) made ``&#xFFFD;``: feedparser raises on them, which
    would fail the whole feed for one bad reference."""
    if b"&#" not in data:
        return data
    return _CHAR_REF.sub(_char_ref, data)


def _nesting_over(data: bytes, depth: int) -> bool:
    """True when the elements of ``data`` (XML, perhaps malformed) nest deeper than ``depth``.

    Unclosed tags are read as HTML parsers read them, so that sloppy HTML in a feed does not add
    up: a closing tag closes every element opened after its own, a ``<p>`` or ``<li>`` closes
    the one before, and ``<br>`` holds nothing."""
    if data.count(b"<") <= depth:  # the usual small case: no scan at all
        return False
    open_names: list[bytes] = []
    for tag in _XML_TAGS.finditer(data):
        closing, name, empty = tag.groups()
        if name is None or empty:  # CDATA, a comment, or <br/>
            continue
        name = name.lower()
        if name in _VOID:
            continue
        if (closing or name in _IMPLIED_END) and name in open_names:
            del open_names[len(open_names) - 1 - open_names[::-1].index(name) :]
        if not closing:
            open_names.append(name)
            if len(open_names) > depth:
                return True
    return False


def _char_ref(match: re.Match[bytes]) -> bytes:
    digits = match.group(1)
    try:
        code = int(digits[1:], 16) if digits[:1] in (b"x", b"X") else int(digits)
    except ValueError:
        return match.group()
    if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return b"&#xFFFD;"
    return match.group()
