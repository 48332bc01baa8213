"""Fuse stage: the key quotes and the top figures of a brief, chosen for balance and news value.

Quotes: a brief that shows eight quotes of one article while other outlets quote other people
tells one side. Key quotes are chosen greedily: each pick prefers a speaker not yet heard, words
printed in quotation marks over reported speech, an outlet not yet heard, then the quote carried
by most articles; at most two quotes per speaker. Fragments (fewer
than MIN_QUOTE_WORDS words) and quotes whose marks do not balance are never key quotes.

Figures: ranked by what a reader needs first: a conflict between sources, then corroboration
(independent articles), then what is counted (people, troops, money before tables and sides), then
size. The first TOP_FIGURES are shown in every format.
"""

from __future__ import annotations

import math
import re
from dataclasses import replace

from storyline.counted import counted_kind
from storyline.fuse.facts import ClaimFact, FusedQuote
from storyline.fuse.sentences import balanced

MAX_PER_SPEAKER = 2
MIN_QUOTE_WORDS = 6
TOP_FIGURES = 5
# What is counted in the figures that make news, as `counted.counted_kind` names it (singular,
# synonyms folded: "soldiers" and "servicemen" are "troop", "fatalities" is "death").
NEWS_COUNTS = frozenset(
    """troop people death civilian refugee casualty victim child student worker protester
    migrant patient case infection vote voter seat job member resident employee prisoner
    hostage injured wounded killed missile drone tank aircraft""".split()
)
# Words a whole quote does not end on: the quote was cut in mid-clause.
_DANGLING = frozenset("and or but of to the a an that which with for in on by as".split())
_TRIM = re.compile(r"""^[\s,;:"“”'‘’]+|[\s,;:"“”'‘’]+$""")


def quote_text(text: str) -> str:
    """A quote's words without the marks and commas left at its ends by how it was cut."""
    return _TRIM.sub("", text)


def _whole(quote: FusedQuote) -> bool:
    text = quote_text(quote.text)
    if text.startswith(("to ", "and ", "or ", "but ")):  # the tail of a reported clause
        return False
    words = text.split()
    if len(words) < MIN_QUOTE_WORDS or words[-1].lower() in _DANGLING:  # "... non-starters and"
        return False
    return balanced(text)


def _outlets(quote: FusedQuote) -> set[str]:
    return {s.outlet or s.article_id for s in quote.sources}


def key_quotes(quotes: list[FusedQuote], limit: int = 8) -> list[FusedQuote]:
    """Up to ``limit`` of ``quotes`` (most carried first, as `fuse_quotes` orders them), chosen
    for coverage of speakers and outlets; returned in that order, each quote's words without the
    marks and commas left at its ends."""
    pool = [i for i, q in enumerate(quotes) if _whole(q)]
    said: dict[str, int] = {}
    heard: set[str] = set()
    chosen: list[int] = []
    while len(chosen) < limit:
        best, best_key = None, None
        for i in pool:
            if i in chosen:
                continue
            quote = quotes[i]
            speaker = (quote.speaker_entity_id or quote.speaker or "").lower()
            if speaker and said.get(speaker, 0) >= MAX_PER_SPEAKER:
                continue
            key = (
                bool(speaker) and speaker not in said,
                quote.direct,
                not _outlets(quote) <= heard,
                bool(speaker),
                quote.support,
                -i,
            )
            if best_key is None or key > best_key:
                best, best_key = i, key
        if best is None:
            break
        chosen.append(best)
        quote = quotes[best]
        speaker = (quote.speaker_entity_id or quote.speaker or "").lower()
        if speaker:
            said[speaker] = said.get(speaker, 0) + 1
        heard |= _outlets(quote)
    return [replace(quotes[i], text=quote_text(quotes[i].text)) for i in sorted(chosen)]


def figure_order(claims: list[ClaimFact]) -> list[int]:
    """Indexes of ``claims``, the figures a reader needs first at the front."""

    def key(i: int) -> tuple[bool, int, bool, float, int]:
        claim = claims[i]
        news = claim.unit is not None or counted_kind(claim.counted) in NEWS_COUNTS
        size = math.log10(abs(claim.quantity)) if claim.quantity else 0.0
        return (not claim.conflicts, -claim.support, not news, -size, i)

    return sorted(range(len(claims)), key=key)
