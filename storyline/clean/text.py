"""Clean stage: remove furniture and spam lines from plain text, keeping each removal for audit.

Each line is judged by the rules in data/boilerplate.toml (clean/furniture.py): comment forms,
appeals and paywalls (split off a paragraph they are glued to), navigation, captions, related
videos, link lists, promotion, page markers, gambling adverts, bylines; then datelines, lines the
outlet repeats on its pages (clean/site_lines.py, when the caller keeps that memory), the title,
and a paragraph printed twice (the first is kept). Context decides the rest: a row of emoji-led
teasers, the blurb under a related video, and short fragments, which go at the edges of the text
and under a furniture heading but stay between paragraphs (subheadings, list items, names).
Article sentences are never removed silently: every removed line is returned with its reason.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from storyline.clean.datelines import FoundDate, dateline_date
from storyline.clean.furniture import (
    WORD,
    classify_line,
    emoji_led,
    is_fragment,
    is_sentence,
    list_item,
    split_glued,
    word_count,
)
from storyline.clean.site_lines import SitePage, line_key
from storyline.model import RemovedLine

__all__ = ["CleanText", "classify_line", "clean_text", "is_fragment"]

_TRUNCATED = re.compile(r"\s*(\.\.\.|…)$")
MAX_BLURB_WORDS = 30  # the one-line blurb under a related video
MIN_REPEAT_WORDS = 8  # a repeated line that is not a sentence must be this long to go
HEADLINE_LINES = 3  # the headline printed again is one of the text's first lines ...
HEADLINE_OVERLAP = 0.7  # ... sharing this share of its and the title's words (Jaccard)
_KEEP_BELOW = {None, "title", "dateline"}  # what does not make a heading a furniture heading


@dataclass(slots=True)
class CleanText:
    """Result of cleaning plain text: the title (if taken from the text), body and removals."""

    title: str | None
    text: str
    removed: list[RemovedLine] = field(default_factory=list)
    datelines: list[tuple[int, FoundDate]] = field(default_factory=list)  # (raw line, date)


@dataclass(slots=True)
class _Line:
    position: int  # index among the raw lines
    block: int  # paragraph (blank-line separated) it belongs to
    text: str
    key: str = ""  # the paragraph's words, case folded: what a repeat is recognised by
    reason: str | None = None
    split_off: list[tuple[str, str]] = field(default_factory=list)  # (part, reason)


def _looks_like_headline(line: str) -> bool:
    """Capitalised, 2-40 words, and not a long sentence ending in a full stop (a lead paragraph)."""
    words = WORD.findall(line)
    if not (2 <= len(words) <= 40 and line[:1].isupper()):
        return False
    return not (line.rstrip().endswith(".") and len(words) > 12)


def _lines(raw: str) -> list[_Line]:
    lines: list[_Line] = []
    block = 0
    for position, raw_line in enumerate(raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
        line = " ".join(raw_line.split())
        if line:
            lines.append(_Line(position, block, line, _paragraph_key(line)))
        elif lines and lines[-1].block == block:
            block += 1
    return lines


def _word_set(line: str) -> set[str]:
    return set(WORD.findall(line.casefold()))


def _restates(line: str, title_words: set[str]) -> bool:
    """``line`` is the headline again in other words: a line that does not end as a sentence
    (or is no longer than a headline) sharing HEADLINE_OVERLAP of its and the title's words
    ("Julian Assange: Sweden drops rape investigation" under "Sweden drops Assange rape
    investigation"). A lede restating the headline is a longer sentence and shares less."""
    words = _word_set(line)
    if len(words) < 3 or (is_sentence(line) and len(words) > len(title_words) + 3):
        return False
    return len(words & title_words) >= HEADLINE_OVERLAP * len(words | title_words)


def _paragraph_key(line: str) -> str:
    return " ".join(WORD.findall(line.casefold()))


def _printed_before(line: str, key: str, seen: set[str], copies: Counter[str]) -> bool:
    """The same paragraph was kept earlier (or this is its teaser, cut with "..."). A paragraph
    printed three times or more is the page's structure, not a fault: the same question to each
    person interviewed, the same line in each recipe."""
    if not (is_sentence(line) or word_count(line) >= MIN_REPEAT_WORDS):
        return False  # a short label or list item may repeat: "Serves 4", "- See it now"
    if key in seen:
        return copies[key] == 2
    if _TRUNCATED.search(line) and word_count(line) >= MIN_REPEAT_WORDS:
        stem = _paragraph_key(_TRUNCATED.sub("", line))
        return any(other.startswith(stem) for other in seen)
    return False


def clean_text(raw: str, title: str | None = None, site: SitePage | None = None) -> CleanText:
    """Clean plain text: take a headline when no ``title`` is given, drop furniture lines.

    ``site`` is this page in the outlet's memory of repeated lines (clean/site_lines.py);
    without it no line is judged by repetition across pages. Paragraphs (blocks separated by
    blank lines) are kept as ``\\n\\n``-separated blocks.
    """
    lines = _lines(raw)
    on_site = site.repeated([line.text for line in lines]) if site is not None else set()
    datelines: list[tuple[int, FoundDate]] = []
    seen: set[str] = set()
    copies = Counter(line.key for line in lines)
    want_title = title is None
    title_words = _word_set(title) if title else set()
    for index, entry in enumerate(lines):
        # an appeal glued to a paragraph is split off first, so the paragraph is judged alone
        rest, entry.split_off = split_glued(entry.text)
        if rest:
            if rest is not entry.text:
                entry.text, entry.key = rest, _paragraph_key(rest)
            line = rest
            reason = classify_line(line)
        else:
            line, reason, entry.split_off = entry.text, entry.split_off[0][1], []
        if reason is None and (found := dateline_date(line)) is not None:
            datelines.append((entry.position, found))
            reason = "dateline"
        if reason is None and on_site and line_key(line) in on_site:
            reason = "site_repeated"
        if reason is None and want_title and _looks_like_headline(line):
            title, want_title, reason = line, False, "title"
        if reason is None and title is not None and line.casefold() == title.casefold():
            reason = "title_repeated"
        if (
            reason is None
            and title_words
            and index < HEADLINE_LINES
            and _restates(line, title_words)
        ):
            reason = "title_repeated"  # the page's headline, worded a little unlike its title
        if reason is None and _printed_before(line, entry.key, seen, copies):
            reason = "repeated_paragraph"
        if reason is None and not is_fragment(line):
            seen.add(entry.key)
        entry.reason = reason
    _teaser_rows(lines)
    _video_blurbs(lines)
    _fragments(lines)
    return _result(lines, title, datelines)


def _teaser_rows(lines: list[_Line]) -> None:
    """Two or more emoji-led lines in a row are section teasers ("🔴 Live: …", "⚽ Sport: …")."""
    run: list[_Line] = []
    for entry in [*lines, None]:
        if entry is not None and emoji_led(entry.text):
            run.append(entry)
            continue
        if len(run) >= 2:
            for teaser in run:
                teaser.reason = teaser.reason or "navigation"
        run = []


def _video_blurbs(lines: list[_Line]) -> None:
    """A short line between two related videos (or after the last one, ending the page) is a
    video's blurb. One before article text is not: nothing tells it from the next paragraph."""
    for i, entry in enumerate(lines):
        if entry.reason is not None or i == 0 or lines[i - 1].reason != "related_video":
            continue
        after = lines[i + 1] if i + 1 < len(lines) else None
        if (after is None or after.reason == "related_video") and (
            word_count(entry.text) <= MAX_BLURB_WORDS
        ):
            entry.reason = "related_video"


def _fragments(lines: list[_Line]) -> None:
    """Short fragments go before the first and after the last paragraph of text, and when they
    head only furniture ("Most popular" over a list of links); between paragraphs they stay."""
    body = [i for i, e in enumerate(lines) if e.reason is None and not is_fragment(e.text)]
    first, last = (body[0], body[-1]) if body else (len(lines), -1)
    for i, entry in enumerate(lines):
        if entry.reason is None and is_fragment(entry.text):
            edge = (i < first or i > last) and not list_item(entry.text)  # a list ending the text
            if edge or _heads_furniture(lines, i):
                entry.reason = "fragment"


def _heads_furniture(lines: list[_Line], at: int) -> bool:
    below = False
    for entry in lines[at + 1 :]:
        if entry.reason is None:
            if is_fragment(entry.text):
                break
            return False  # article text under it: a subheading
        below = below or entry.reason not in _KEEP_BELOW
    return below


def _result(
    lines: list[_Line], title: str | None, datelines: list[tuple[int, FoundDate]]
) -> CleanText:
    removed: list[RemovedLine] = []
    blocks: dict[int, list[str]] = {}
    for entry in lines:
        removed.extend(RemovedLine(part, why, entry.position) for part, why in entry.split_off)
        if entry.reason is not None:
            removed.append(RemovedLine(entry.text, entry.reason, entry.position))
        else:
            blocks.setdefault(entry.block, []).append(entry.text)
    text = "\n\n".join("\n".join(block) for block in blocks.values())
    return CleanText(title=title, text=text, removed=removed, datelines=datelines)
