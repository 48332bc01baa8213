"""Clean stage: remove boilerplate and spam lines from plain text, keeping each removal for audit.

Rules are general (data/boilerplate.toml holds the patterns): link lists ("Read: ..."), promotion
("Follow us"), page markers ("main img"), captions, gambling adverts, bylines, datelines and short
fragments without sentence structure. Article sentences are never removed silently: every removed
line is returned with the rule that removed it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from storyline.clean.datelines import FoundDate, dateline_date
from storyline.model import RemovedLine

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_ENDS_SENTENCE = re.compile(r"[.!?…:;\"”’»)]\s*$")
_ONLY_LINK = re.compile(r"^(https?://\S+|www\.\S+|@\w+|#\w+)(\s+(https?://\S+|@\w+|#\w+))*$", re.I)


@cache
def _rules() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Compiled boilerplate rules from the packaged data file, as (category, pattern) pairs."""
    data = tomllib.loads(files("storyline.data").joinpath("boilerplate.toml").read_text("utf-8"))
    return tuple(
        (category, re.compile(pattern, re.IGNORECASE))
        for category, section in data.items()
        for pattern in section["patterns"]
    )


@dataclass(slots=True)
class CleanText:
    """Result of cleaning plain text: the title (if taken from the text), body and removals."""

    title: str | None
    text: str
    removed: list[RemovedLine] = field(default_factory=list)
    datelines: list[tuple[int, FoundDate]] = field(default_factory=list)  # (raw line, date)


def classify_line(line: str) -> str | None:
    """The reason ``line`` is boilerplate, or None when it is (or may be) article text."""
    for category, pattern in _rules():
        if pattern.search(line):
            return category
    if _ONLY_LINK.match(line):
        return "link_only"
    return None


def is_fragment(line: str) -> bool:
    """A short line with no sentence structure: at most three words and no closing punctuation."""
    return len(_WORD.findall(line)) <= 3 and not _ENDS_SENTENCE.search(line)


def _looks_like_headline(line: str) -> bool:
    """Capitalised, 2-40 words, and not a long sentence ending in a full stop (a lead paragraph)."""
    words = _WORD.findall(line)
    if not (2 <= len(words) <= 40 and line[:1].isupper()):
        return False
    return not (line.rstrip().endswith(".") and len(words) > 12)


def clean_text(raw: str, title: str | None = None) -> CleanText:
    """Clean plain text: take a headline when no ``title`` is given, drop boilerplate lines.

    Paragraphs (blocks separated by blank lines) are kept as ``\\n\\n``-separated blocks.
    """
    removed: list[RemovedLine] = []
    datelines: list[tuple[int, FoundDate]] = []
    blocks: list[list[str]] = [[]]
    seen: set[str] = set()
    want_title = title is None
    for position, raw_line in enumerate(raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
        line = " ".join(raw_line.split())
        if not line:
            if blocks[-1]:
                blocks.append([])
            continue
        reason = classify_line(line)
        if reason is None and (found := dateline_date(line)) is not None:
            datelines.append((position, found))
            reason = "dateline"
        if reason is None and want_title and _looks_like_headline(line):
            title, want_title = line, False
            removed.append(RemovedLine(line, "title", position))
            continue
        if reason is None and title is not None and line.casefold() == title.casefold():
            reason = "title_repeated"
        if reason is None and is_fragment(line):
            reason = "fragment"
        if reason is None and line in seen and len(_WORD.findall(line)) < 15:
            reason = "repeated_line"  # repeated short lines are page furniture (share bars, menus)
        if reason is not None:
            removed.append(RemovedLine(line, reason, position))
            continue
        seen.add(line)
        blocks[-1].append(line)
    text = "\n\n".join("\n".join(block) for block in blocks if block)
    return CleanText(title=title, text=text, removed=removed, datelines=datelines)
