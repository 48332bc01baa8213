"""Assign stage: how common a word is in its language at large, for weights that do not hang on
the few articles seen so far.

A stream's own document frequencies say little until it holds thousands of articles: five
articles about NATO make "nato" look as common as "the". Word frequencies in each language come
from the `wordfreq` package (Wikipedia, subtitles, news, books and the web, 40+ languages,
bundled in the package: nothing is downloaded) and act as a prior of `PRIOR_DOCS` articles, which
the stream's own counts outweigh as it grows (`streaming.TermStats.idf`).
"""

from __future__ import annotations

import math
from functools import cache

from wordfreq import available_languages, get_frequency_dict

DOC_WORDS = 400  # words in a typical article: turns a word's frequency into a document's chance
FLOOR = 1e-8  # the frequency of a word wordfreq has not seen (rarer than anything it lists)
PRIOR_DOCS = 500.0  # how many of the stream's articles the background counts as
_LANGUAGES = frozenset(available_languages())


@cache
def _frequencies(language: str) -> dict[str, float]:
    return get_frequency_dict(language) if language in _LANGUAGES else {}


def _prior(frequency: float) -> float:
    return -PRIOR_DOCS * math.expm1(-DOC_WORDS * (frequency or FLOOR))


UNSEEN_PRIOR = _prior(0.0)  # the prior of a word wordfreq does not list


@cache
def background_priors(language: str) -> dict[str, float]:
    """For each word of ``language``, the articles of the prior that contain it: `PRIOR_DOCS`
    times `doc_chance` (computed once per language; words not listed: `UNSEEN_PRIOR`)."""
    return {word: _prior(frequency) for word, frequency in _frequencies(language).items()}


def language_of(code: str | None) -> str:
    """The wordfreq language for an article's language code ("en" when unknown)."""
    base = (code or "en").lower().replace("_", "-").split("-")[0]
    return base if base in _LANGUAGES else "en"


def doc_chance(word: str, language: str) -> float:
    """The chance that an article in ``language`` contains ``word`` (a lower-case word)."""
    frequency = _frequencies(language).get(word, 0.0) or FLOOR
    return -math.expm1(-DOC_WORDS * frequency)  # 1 - (1 - f)^L, for small f about L * f
