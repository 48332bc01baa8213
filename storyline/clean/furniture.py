"""Clean stage: tell page furniture from article text, one line (or sentence) at a time.

The rules are data (data/boilerplate.toml): each category holds anchored regular expressions,
narrowed by a word limit and a guard against verbs of speech, so a rule describes the *shape* of
furniture (a comment form, an appeal, a menu, a caption, a related video, a paywall) rather than
words that news prose also uses. This module adds the shapes one expression cannot hold: a menu
of section names, a line led by an emoji, a short fragment, and appeals glued onto a paragraph
("…support our journalism.Subscribe now"), which are split off so the paragraph is kept.
clean/text.py applies all of it to a whole text, with the context rules (issue 21).
"""

from __future__ import annotations

import itertools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
ENDS_SENTENCE = re.compile(r"[.!?…:;\"”’»)。！？」]\s*$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")  # written without spaces: two a word
_ONLY_LINK = re.compile(
    r"^(https?://\S+|www\.\S+|@\w+|#\w+|[\w.+-]+@[\w-]+\.[\w.-]+)"
    r"(\s+(https?://\S+|@\w+|#\w+))*$",
    re.I,
)
# a sentence boundary inside a line, with or without the space: "journalism.Subscribe now"
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"”’)]?\s*(?=[\"“‘(]?[A-Z])")
_LEAD_SYMBOLS = re.compile(r"^[\W_]+(?=\w)")  # bullets, arrows, emoji before the first word
_MENU_TOKEN = re.compile(r"[^\s|•·/»>]+")  # a menu's items, between spaces and separators
MIN_KEPT_WORDS = 5  # a remainder shorter than this after splitting off an appeal goes with it


@dataclass(frozen=True, slots=True)
class Rule:
    """One category of furniture from data/boilerplate.toml."""

    category: str
    anchored: re.Pattern[str] | None  # the expressions starting with ^, as one alternation
    floating: re.Pattern[str] | None  # the others, as one alternation searched through the line
    max_words: int | None = None
    unless: re.Pattern[str] | None = None
    glued: bool = False
    requires: tuple[str, ...] = ()  # one of these must be in the line (case folded), if any

    def matches(self, line: str, words: int) -> bool:
        """True when ``line`` (of ``words`` words) is furniture of this category."""
        if self.max_words is not None and words > self.max_words:
            return False
        if self.requires and not any(part in line.casefold() for part in self.requires):
            return False  # a substring test is much cheaper than searching the line
        if (self.anchored is None or self.anchored.match(line) is None) and (
            self.floating is None or self.floating.search(line) is None
        ):
            return False
        return self.unless is None or self.unless.search(line) is None


@cache
def _data() -> dict[str, dict[str, Any]]:
    """The sections of data/boilerplate.toml, in file order."""
    text = files("storyline.data").joinpath("boilerplate.toml").read_text("utf-8")
    return tomllib.loads(text)


@cache
def rules() -> tuple[Rule, ...]:
    """The furniture rules, in the order of the data file (the first match names the line)."""
    found = []
    for category, section in _data().items():
        unless = section.get("unless")
        max_words = section.get("max_words")
        patterns = [str(p) for p in section["patterns"]]
        anchored = "|".join(f"(?:{p})" for p in patterns if p.startswith("^"))
        floating = "|".join(f"(?:{p})" for p in patterns if not p.startswith("^"))
        found.append(
            Rule(
                category,
                re.compile(anchored, re.IGNORECASE) if anchored else None,
                re.compile(floating, re.IGNORECASE) if floating else None,
                int(max_words) if isinstance(max_words, int) else None,
                re.compile(unless, re.IGNORECASE) if isinstance(unless, str) else None,
                bool(section.get("glued", False)),
                tuple(str(part).casefold() for part in section.get("requires", [])),
            )
        )
    return tuple(found)


@cache
def _section_words() -> frozenset[str]:
    words = _data().get("navigation", {}).get("section_words", [])
    return frozenset(str(w).casefold() for w in words)


@lru_cache(maxsize=4096)  # one line is counted by several rules and context checks in a row
def word_count(line: str) -> int:
    """Number of words in ``line`` (Chinese and Japanese characters count two to a word)."""
    cjk = len(_CJK.findall(line))
    return len(WORD.findall(line)) + cjk // 2 if cjk else len(WORD.findall(line))


def is_menu(line: str) -> bool:
    """A run of at least four section names ("Home World Politics Business Sport")."""
    names = _section_words()
    tokens = 0
    for token in _MENU_TOKEN.finditer(line.casefold()):
        if token.group() not in names:
            return False  # most lines stop at their first word
        tokens += 1
    return tokens >= 4


def classify_line(line: str) -> str | None:
    """The reason ``line`` is furniture, or None when it is (or may be) article text."""
    probe = _LEAD_SYMBOLS.sub("", line)  # "📩 Sign up for …", "▶ Video: …", "- Tags: …"
    words = word_count(probe)
    for rule in rules():
        if rule.matches(probe, words) or (probe is not line and rule.matches(line, words)):
            return rule.category
    if _ONLY_LINK.match(line):
        return "link_only"
    if is_menu(probe):
        return "navigation"
    return None


def is_fragment(line: str) -> bool:
    """A short line with no sentence structure: at most three words and no closing punctuation."""
    return not ENDS_SENTENCE.search(line) and word_count(line) <= 3


def is_sentence(line: str) -> bool:
    """Ends as a sentence does (full stop, question mark, closing quote ...)."""
    return bool(ENDS_SENTENCE.search(line))


def list_item(line: str) -> bool:
    """Starts with a bullet ("- ", "• ", "* ")."""
    return line[:2] in {"- ", "• ", "* ", "– ", "· "}


def emoji_led(line: str) -> bool:
    """Starts with a pictograph (an emoji-led teaser: "🔴 Live: …")."""
    first = line[:1]
    return bool(first) and (unicodedata.category(first) == "So" or 0x1F000 <= ord(first) <= 0x1FAFF)


def _glued_category(sentence: str) -> str | None:
    words = word_count(sentence)
    for rule in rules():
        if rule.glued and rule.matches(sentence, words):
            return rule.category
    return None


def split_glued(line: str) -> tuple[str, list[tuple[str, str]]]:
    """Split appeals and paywall notices off the start and end of a paragraph.

    Returns the article part (empty when nothing of it is left) and the parts split off, each
    with its category. Only whole sentences at either edge go; a line with no such sentence
    comes back as it was.
    """
    cuts = [0, *(m.end() for m in _BOUNDARY.finditer(line)), len(line)]
    spans = [(a, b) for a, b in itertools.pairwise(cuts) if line[a:b].strip()]
    if len(spans) < 2:
        return line, []
    sentences = [line[a:b].strip() for a, b in spans]
    labels: list[str | None] = [None] * len(sentences)  # only the edges are read
    start, end = 0, len(sentences)
    while start < end:
        labels[start] = _glued_category(sentences[start])
        if labels[start] is None:
            break
        start += 1
    while end > start:
        labels[end - 1] = _glued_category(sentences[end - 1])
        if labels[end - 1] is None:
            break
        end -= 1
    if start == 0 and end == len(sentences):
        return line, []
    kept = line[spans[start][0] : spans[end - 1][1]].strip() if start < end else ""
    removed = [(sentences[i], labels[i] or "") for i in [*range(start), *range(end, len(spans))]]
    if word_count(kept) < MIN_KEPT_WORDS:  # "Love local news? Become a member today."
        return "", [(line, removed[0][1])]
    return kept, removed
