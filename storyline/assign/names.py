"""Assign stage: the names an article mentions, read from capitals alone (no parser needed).

A story is one chain of happenings among the same people, places and bodies; a topic shares only
vocabulary. Names are what tell them apart, so they are features of their own, beside the
words. They are found by capitalisation, which works for every article (analysed or not, in
any language written with capitals): a capitalised word inside a sentence, a run of them, or a
sentence's first word when the article also capitalises it elsewhere. Headlines written in title
case capitalise everything: their words count as names only when the text does the same.
"""

from __future__ import annotations

from collections import Counter

import regex

from storyline.assign.streaming import STOP

# A capitalised word, in any script with capitals.
_CAPITAL = regex.compile(r"(?<![\p{L}\p{N}_'’])\p{Lu}(?:[\p{L}\p{N}'’.-]*[\p{L}\p{N}])?")
_OPENERS = "\"“'‘(«"
_ENDS = '.!?:;»"”'
_BULLETS = "-–—•|"
_TOKEN = regex.compile(r"[\p{L}][\w'’.-]*[^\W_]|[\p{L}]")
_MONTHS_AND_DAYS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday "
    "saturday sunday".split()
)
# Capitalised in running text without naming anyone (titles, pronouns, interjections).
_NOT_NAMES = (
    STOP
    | _MONTHS_AND_DAYS
    | frozenset(
        "i mr mrs ms dr st he she it we they you this that these those the a an but and or".split()
    )
)


def _key(token: str) -> str | None:
    word = token.lower().replace("’", "'").removesuffix("'s").removesuffix("'").rstrip(".")
    if len(word) < 2 or word in _NOT_NAMES:
        return None
    return word


def _starts_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` begins a sentence: the text's start, a line's, or after a
    full stop (or the like), or a dash or bullet between spaces, and any opening quotes."""
    i = start
    while i > 0 and text[i - 1] in _OPENERS:
        i -= 1
    j = i
    while j > 0 and text[j - 1] in " \t":
        j -= 1
    if j == 0 or text[j - 1] == "\n":
        return True
    if j == i:  # no space before it: inside a word or a name ("al-Assad")
        return False
    return text[j - 1] in _ENDS or (text[j - 1] in _BULLETS and j > 1 and text[j - 2].isspace())


def _runs(text: str) -> tuple[Counter[str], set[str]]:
    """Name words inside sentences, and the sentence-initial capitalised words (kept apart: a
    sentence's first word is capitalised whatever it is)."""
    inside: Counter[str] = Counter()
    initial: set[str] = set()
    for match in _CAPITAL.finditer(text):
        key = _key(match.group())
        if key is None:
            continue
        if _starts_sentence(text, match.start()):
            initial.add(key)
        else:
            inside[key] += 1
    return inside, initial


def _title_case(title: str) -> bool:
    """Whether a headline capitalises most of its content words (as many English ones do)."""
    tokens = [t for t in _TOKEN.findall(title) if t.lower() not in STOP]
    return len(tokens) >= 3 and sum(t[0].isupper() for t in tokens) > 0.6 * len(tokens)


def names(title: str | None, text: str) -> Counter[str]:
    """The lower-cased name words of an article, with how often it uses them."""
    found, initial = _runs(text)
    for key in initial:  # a first word that is a name elsewhere in the article
        if key in found:
            found[key] += 1
    if title:
        heading, heading_initial = _runs(title)
        allowed = set(found) if _title_case(title) else None  # title case: the text's names
        for key, count in heading.items():
            if allowed is None or key in allowed:
                found[key] += count
        for key in heading_initial:
            if key in found:
                found[key] += 1
    return found
