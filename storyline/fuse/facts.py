"""Fuse stage: one fact, many sources. Numeric claims and quotes gathered across a story.

Claims are grouped by what they count (the counted noun and the unit). Two claims are the *same
fact* when they count the same kind of thing and their values agree (within 2%, or ranges and
approximations that overlap); they *conflict* when they are about the same thing (the words around
them agree), were reported within a day of each other and their values do not agree, as when two
outlets give different troop numbers for one deployment. Quotes are gathered by speaker and
wording: a shorter quote inside a longer one, or the same words give or take a few, is one quote.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from storyline.counted import counted_kind
from storyline.fuse.briefing import content_tokens
from storyline.fuse.sourcing import (
    Sourced,
    TokenIndex,
    earliest_first,
    first_published,
    jaccard,
    origin_of,
    sentence_around,
    sourced,
)
from storyline.model import Article, Claim, Quote

SAME_CONTEXT = 0.3  # word Jaccard of the words around two claims (numbers left out): same thing
SAME_TIME = timedelta(hours=24)  # reports further apart than this may both be right
MAX_CONTEXTS = 5  # mentions of a fact compared when looking for conflicts
WINDOW = 6  # words on each side of a claim, inside its sentence, that say what it is about
SAME_QUOTE = 0.6  # word Jaccard of two quotes by one speaker: one quote
INSIDE = 0.9  # share of a quote's words inside a longer quote by the speaker: a part of it
TOLERANCE = 0.02  # relative difference of two values that still agree


@dataclass(slots=True)
class ClaimFact:
    """A numeric claim as several articles state it."""

    counted: str | None
    unit: str | None
    quantity: float | None
    quantity_max: float | None
    approximate: bool
    text: str  # as the earliest source words it
    sources: list[Sourced] = field(default_factory=list)
    support: int = 0  # independent articles (a copy and its original count once)
    conflicts: list[int] = field(default_factory=list)  # indexes of facts it disagrees with
    contexts: list[frozenset[str]] = field(default_factory=list)  # words around each mention


@dataclass(slots=True)
class FusedQuote:
    """A quote as several articles carry it."""

    speaker: str | None
    speaker_entity_id: str | None
    text: str  # the longest wording carried
    sources: list[Sourced] = field(default_factory=list)
    support: int = 0
    direct: bool = False  # some article prints the words in quotation marks

    @property
    def first(self) -> datetime | None:
        return first_published(self.sources)


def _range(claim: Claim | ClaimFact) -> tuple[float, float] | None:
    if claim.quantity is None:
        return None
    low = claim.quantity
    high = claim.quantity_max if claim.quantity_max is not None else low
    if claim.approximate:  # "about", "more than", "some": allow the usual slack
        low, high = low * 0.9, high * 1.1
    return low * (1 - TOLERANCE), high * (1 + TOLERANCE)


def values_agree(a: Claim | ClaimFact, b: Claim | ClaimFact) -> bool:
    """Whether two quantities can be the same figure (ranges and approximations overlap)."""
    first, second = _range(a), _range(b)
    if first is None or second is None:
        return first is None and second is None
    return first[0] <= second[1] and second[0] <= first[1]


def counted_key(counted: str | None) -> str | None:
    """What a claim counts, reduced to one word: the head noun of the first counted phrase
    ("troops, 120 armoured vehicles and 30 aircraft" counts troops), singular ("allies" → ally),
    with words for one kind of thing folded ("soldiers" and "troops" are one kind; the words are
    data: storyline/data/claims.toml)."""
    return counted_kind(counted)


def _context(text: str, start: int, end: int, claim: Claim) -> frozenset[str]:
    """Content words near a claim in its sentence (``start:end``): what the figure is about
    ("were killed", "moved to the border"), without the claim's own words or other numbers."""
    before = text[start : claim.span.start].split()[-WINDOW:]
    after = text[claim.span.end : end].split()[:WINDOW]
    words = {w for w in content_tokens(" ".join(before + after)) if not w[0].isdigit()}
    return frozenset(words - set(content_tokens(claim.text)))


def fuse_claims(articles: list[Article]) -> list[ClaimFact]:
    """Numeric claims of ``articles`` fused into facts, with conflicts marked both ways."""
    facts: list[ClaimFact] = []
    origins: list[set[str]] = []
    by_kind: dict[tuple[str | None, str | None], list[int]] = {}  # what is counted, in what unit
    for article in earliest_first(articles):
        for claim in article.claims:
            start, end = sentence_around(article.text, claim.span.start, claim.span.end)
            context = _context(article.text, start, end, claim)
            counted = counted_key(claim.counted)
            match = None
            kind = by_kind.setdefault((counted, claim.unit), [])
            for index in kind:
                fact = facts[index]
                if values_agree(fact, claim):
                    match = index
                    break
            if match is None:
                facts.append(
                    ClaimFact(
                        counted,
                        claim.unit,
                        claim.quantity,
                        claim.quantity_max,
                        claim.approximate,
                        claim.text,
                    )
                )
                origins.append(set())
                match = len(facts) - 1
                kind.append(match)
            if len(facts[match].contexts) < MAX_CONTEXTS:
                facts[match].contexts.append(context)
            facts[match].sources.append(sourced(article, claim.span.start, claim.span.end))
            origins[match].add(origin_of(article))
    for fact, found in zip(facts, origins, strict=True):
        fact.support = len(found)
    for indexes in by_kind.values():
        _mark_conflicts(facts, origins, indexes)
    return facts


def _mark_conflicts(facts: list[ClaimFact], origins: list[set[str]], indexes: list[int]) -> None:
    """Mark disagreeing facts among ``indexes`` (facts that count the same thing)."""
    for n, i in enumerate(indexes):
        first = facts[i]
        for j in indexes[n + 1 :]:
            second = facts[j]
            if first.quantity is None or second.quantity is None:
                continue  # "thousands of troops" does not contradict a figure
            if origins[i] & origins[j]:
                continue  # an article giving both figures presents them as different things
            about_one_thing = any(
                jaccard(a, b) >= SAME_CONTEXT for a in first.contexts for b in second.contexts
            )
            if about_one_thing and _same_time(first, second) and not values_agree(first, second):
                first.conflicts.append(j)
                second.conflicts.append(i)


def _same_time(first: ClaimFact, second: ClaimFact) -> bool:
    """Whether two facts were reported within a day of each other: a figure that changes from one
    day to the next is a development (troops arriving, a death toll rising), not a conflict."""
    for a in first.sources:
        for b in second.sources:
            if a.published is None or b.published is None:
                return True
            if abs(a.published - b.published) <= SAME_TIME:
                return True
    return False


def fuse_quotes(articles: list[Article]) -> list[FusedQuote]:
    """Quotes of ``articles`` gathered across outlets, most carried first."""
    said = [
        (article, quote, frozenset(content_tokens(quote.text)))
        for article in earliest_first(articles)
        for quote in article.quotes
    ]
    frequency: Counter[str] = Counter(t for *_, tokens in said for t in tokens)
    fused: list[FusedQuote] = []
    words: list[frozenset[str]] = []
    origins: list[set[str]] = []
    by_speaker: dict[str, TokenIndex] = {}
    for article, quote, mine in said:
        if not mine:
            continue
        index = by_speaker.setdefault(
            _speaker_key(quote), TokenIndex(frequency, SAME_QUOTE, INSIDE)
        )
        match = None
        for candidate in sorted(index.candidates(mine)):
            theirs = words[candidate]
            common = len(mine & theirs)
            inside = common >= INSIDE * min(len(mine), len(theirs))
            if inside or common >= SAME_QUOTE * (len(mine) + len(theirs) - common):
                match = candidate
                break
        if match is None:
            fused.append(FusedQuote(quote.speaker, quote.speaker_entity_id, quote.text))
            words.append(mine)
            origins.append(set())
            match = len(fused) - 1
            index.add(match, mine)
        item = fused[match]
        item.direct = item.direct or quote.direct
        item.sources.append(sourced(article, quote.span.start, quote.span.end))
        if len(quote.text) > len(item.text):
            item.text = quote.text
            words[match] = words[match] | mine
            index.add(match, words[match])  # found by its longer wording too
        origins[match].add(origin_of(article))
    for item, found in zip(fused, origins, strict=True):
        item.support = len(found)
    # Most carried first; a quote with a known speaker before one attributed to words only.
    return sorted(fused, key=lambda q: (-q.support, q.speaker_entity_id is None))


def _speaker_key(quote: Quote) -> str:
    return quote.speaker_entity_id or (quote.speaker or "").lower()
