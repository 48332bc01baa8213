"""Name keys: fold spelling variants and transliterations so that equal names compare equal.

"Dmitri Peskov" and "Dmitry Peskov", "Zelensky" and "Zelenskyy", "Élysée" and "Elysee" get one
key. Keys are for matching only; display names keep the spelling the text used most.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache

_PUNCT = re.compile(r"[^\w\s-]+")
_SPACE = re.compile(r"[\s-]+")
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_LEADING_THE = re.compile(r"^(?:the)\s+", re.IGNORECASE)

# Romanisation variants of the same sound, applied in order to a lower-case ASCII word.
_TRANSLIT = [
    (re.compile(r"iy$|yy$|ij$"), "i"),
    (re.compile(r"(?<=.)y"), "i"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"ii+"), "i"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"(?<=.)w$"), "v"),
]


def strip_accents(text: str) -> str:
    """ASCII-fold Latin letters with diacritics: "Élysée" → "Elysee"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def clean_surface(text: str) -> str:
    """A mention as a name: no leading "the", no possessive ending, single spaces."""
    text = _POSSESSIVE.sub("", text.strip())
    text = _LEADING_THE.sub("", text)
    return " ".join(text.split())


@lru_cache(maxsize=1 << 16)  # called for every n-gram the gazetteer looks up; pure
def fold(text: str) -> str:
    """Case-, accent- and punctuation-free form of a name, for exact lookups."""
    text = strip_accents(clean_surface(text)).casefold()
    text = text.replace(".", "")
    text = _PUNCT.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def sound_key(text: str) -> str:
    """``fold`` plus transliteration folding for person names: Dmitry/Dmitri, Zelenskyy/Zelensky."""
    words = []
    for word in fold(text).split():
        for pattern, replacement in _TRANSLIT:
            word = pattern.sub(replacement, word)
        words.append(word)
    return " ".join(words)


def stable_id(key: str) -> str:
    """A short id that depends only on the canonical key, so every run and machine agrees."""
    return "E" + hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()
