"""Ingest stage: how implausible a decoded text looks, to choose between legacy encodings.

Bytes that are not UTF-8 decode under most single-byte code pages, and a wrong one still gives
letters, only not letters any language writes that way: Windows-1252 curly quotes read as cp775
give "countryÆs" and "ōWeÆre", Russian in cp1251 read as cp1252 gives "Ïðèâåò", Polish in cp1250
gives "gêœl¹" (issue 21). ``implausibility`` counts such signs in a decoded text; the decoding
with the lowest count is the likely one. The signs:

- a C1 control character or U+FFFD (a byte the code page does not define);
- a capital inside a lower-case word, or a lower-case letter before a capital ("yÆs", "ōWe");
- a symbol or an unusual punctuation mark between two Latin letters ("gêœl¹", "mo¿e");
- letters of two alphabetic scripts touching each other (Latin against Cyrillic or Greek);
- box-drawing characters, half-width katakana and rarely used symbols (DOS code pages and
  Shift-JIS misreadings are full of them);
- capitals for nearly every accented or non-Latin letter (Hebrew read as KOI8-R: "ЬЮЫ ДРИЬ");
- accented Latin letters that no one language writes together: the count of those left over
  once the language that covers most of them is taken (Czech read as cp1252 mixes "ø" and "ì");
- UTF-8 read as a legacy code page ("cafÃ©", "donâ€™t"), as ftfy's ``badness`` finds it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import cache

from ftfy.badness import badness

# The accented Latin letters of each language written in Latin script (lower case), from their
# alphabets; a text in one language, or in English naming people of one, stays inside one set.
_ALPHABETS: dict[str, frozenset[str]] = {
    name: frozenset(letters)
    for name, letters in {
        "french": "àâæçéèêëîïôœùûüÿ",
        "german": "äöüßé",
        "spanish": "áéíñóúü",
        "portuguese": "áâãàçéêíóôõú",
        "italian": "àèéìíîòóù",
        "catalan": "àçéèíïòóúü",
        "dutch": "áéèëíïóöúü",
        "danish-norwegian": "æøåéó",
        "swedish-finnish": "åäöéšž",
        "icelandic": "áðéíóúýþæö",
        "czech": "áčďéěíňóřšťúůýž",
        "slovak": "áäčďéíĺľňóôŕšťúýž",
        "polish": "ąćęłńóśźż",
        "hungarian": "áéíóöőúüű",
        "croatian-slovene": "čćđšž",
        "romanian": "ăâîșțşţ",
        "lithuanian": "ąčęėįšųūž",
        "latvian": "āčēģīķļņšūž",
        "estonian": "äöõüšž",
        "turkish": "âçğıîöşûü",
        "albanian": "çë",
    }.items()
}
# Non-ASCII characters that are ordinary in any Western text, wherever they stand.
_COMMON = frozenset("€£¥¢©®°±×÷½¼¾²³¹™§¶•·µºª¿¡«»…‰†‡\u00a0")
# Marks that may stand between two letters of one word: apostrophes, hyphens, dashes, dots.
_INNER = frozenset("’‘ʼ'·‧‐‑–—\u00ad")
# Scripts whose letters never touch letters of another inside a word; the CJK scripts mix with
# each other and with Latin ("NHKは") and are left out.
_ALPHABETIC = frozenset({"LATIN", "CYRILLIC", "GREEK", "ARMENIAN", "GEORGIAN", "HEBREW", "ARABIC"})
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_WORD = re.compile(r"[^\W\d_]+")
_SAMPLE_CHARS = 20_000  # non-ASCII characters looked at; enough to tell, and bounded in time
_SAMPLE_TEXT = 100_000
_MANY_CAPITALS = 20  # characters of a long text looked at: its lines that are not ASCII


@cache
def _script(char: str) -> str:
    """The script a letter belongs to, from its Unicode name: "LATIN", "CYRILLIC", ..."""
    if char.isascii():
        return "LATIN"
    return unicodedata.name(char, "UNKNOWN").split(" ", 1)[0]


def _latin_letter(char: str) -> bool:
    return char.isalpha() and _script(char) == "LATIN"


def _penalty(char: str, before: str, after: str) -> int:
    """How odd one non-ASCII character is between its neighbours (0: ordinary)."""
    if char == "\ufffd" or "\x80" <= char <= "\x9f":
        return 3
    if char.isalpha() and char not in _COMMON:
        odd = 1 if "\uff61" <= char <= "\uff9f" else 0  # half-width katakana: Shift-JIS misread
        if char.isupper() and before.isalpha() and before.islower():
            odd += 2  # "countryÆs", "wordŚword"
        elif char.islower() and after.isalpha() and after.isupper():
            odd += 2  # "ōWe"
        script = _script(char)
        if script in _ALPHABETIC and any(
            side.isalpha() and _script(side) != script and _script(side) in _ALPHABETIC
            for side in (before, after)
        ):
            odd += 2
        return odd
    category = unicodedata.category(char)
    if category[0] in "MZ" or char in _INNER:
        return 0
    if _latin_letter(before) and _latin_letter(after):
        return 2  # "gêœl¹", "mo¿e": a mark no word holds
    if category[0] == "P" or char in _COMMON:
        return 0
    if "\u2500" <= char <= "\u259f":
        return 2  # box drawing and blocks: DOS code pages
    return 1


def _misfit(letters: Counter[str]) -> int:
    """Accented Latin letters outside the alphabet of the language that covers most of them."""
    total = sum(letters.values())
    if not total:
        return 0
    covered = max(sum(n for c, n in letters.items() if c in abc) for abc in _ALPHABETS.values())
    return total - covered


def _sample(text: str) -> str:
    """``text``, or for a long one its first lines holding non-ASCII characters (the others
    read alike in every encoding), about ``_SAMPLE_TEXT`` characters in all."""
    if len(text) <= _SAMPLE_TEXT:
        return text
    kept, size = [], 0
    for line in text.splitlines(keepends=True):
        if not line.isascii():
            kept.append(line)
            size += len(line)
            if size >= _SAMPLE_TEXT:
                break
    return "".join(kept)


def implausibility(text: str) -> int:
    """How many signs of a wrong decoding ``text`` shows (0 for ordinary text); comparable
    between decodings of the same bytes."""
    if text.isascii():
        return 0
    text = _sample(text)
    score = 0
    letters: Counter[str] = Counter()
    cases: Counter[bool] = Counter()
    for count, match in enumerate(_NON_ASCII.finditer(text)):
        if count == _SAMPLE_CHARS:
            break
        at, char = match.start(), match.group()
        before = text[at - 1] if at else " "
        after = text[at + 1 : at + 2] or " "
        score += _penalty(char, before, after)
        if _latin_letter(char):
            letters[char.lower()] += 1
        if char.isupper() or char.islower():
            cases[char.isupper()] += 1
    if cases[True] >= _MANY_CAPITALS and cases[True] > 2 * cases[False]:
        score += cases[True] // 2  # a whole text in capitals is rare; a wrong code page makes one
    return score + _misfit(letters) + 2 * badness(text)


def written_in_words(text: str) -> bool:
    """Whether most non-ASCII letters of ``text`` stand in words of two letters or more, as a
    text written in their script has them; a wrong code page scatters single letters
    ("abc Б def") among the words of another script."""
    inside = alone = 0
    for word in _WORD.findall(_sample(text)):
        letters = sum(not char.isascii() for char in word)
        if len(word) > 1:
            inside += letters
        else:
            alone += letters
    return inside > 0 and alone <= inside / 4
