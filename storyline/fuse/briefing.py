"""Fuse stage: choose the sentences of a story's briefing, each with the articles that carry it.

Extractive, so every word is a source's. The sentences of all articles are split; sentences that
say the same thing in nearly the same words (one wire report in many outlets) collapse into one
with several sources. Then sentences are chosen greedily for the *concepts* they cover: pairs of
adjacent words (not two stop words), each weighted by the chance that a summary would use it
(`concept_weights`: mostly how many independent articles carry it, copies counted once, and how
early it appears), so a sentence scores for what many sources report first, and a chosen sentence
makes the next one with the same facts worth nothing (no repeats). Only concepts that two or more
independent articles carry count at first; what one source alone says fills up a briefing that
would be too short. This is the concept-coverage objective of ICSI's summariser (Gillick and Favre,
2009) with fitted concept weights, solved greedily by gain per word.
"""

from __future__ import annotations

import heapq
import itertools
import math
import operator
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

import numpy as np

from storyline.assign.streaming import STOP
from storyline.collector import collector_paused
from storyline.fuse import concept_weights
from storyline.fuse.body import (
    alone_on_line,
    leaning,
    names_within,
    not_body,
    with_antecedents,
)
from storyline.fuse.sourcing import (
    Remembered,
    TokenIndex,
    publication_order,
    split_sentences,
)
from storyline.model import Span

_TOKEN = re.compile(r"[^\W_][\w'’.-]*[^\W_]|[^\W_]", re.UNICODE)
MIN_WORDS = 6  # shorter "sentences" are headings, datelines and captions
MAX_WORDS = 60  # longer ones are run-on lists or text without stops
SAME_SENTENCE = 0.7  # content-word Jaccard at which two sentences are one
MIN_SUPPORT = 2  # articles that must carry a concept for it to count (with 3 or more articles)
LEAD_WEIGHT = 1.0  # a sentence's gain is raised by LEAD_WEIGHT / (1 + its position in the article)
# A story of thousands of articles is read from the top of each article down: news puts what
# matters first, background last. Each article gives at least MIN_POSITIONS sentences, and more
# while the story stays under SENTENCES_READ in all.
SENTENCES_READ = 20_000
MIN_POSITIONS = 10  # a story of 2,000 articles reads its 10 lead sentences each
# Up to EAGER_LIMIT distinct sentences, near-identical ones are grouped before choosing, so their
# sources count together; above it (stories of hundreds of articles), only the chosen sentences'
# near-identical ones are gathered, which keeps a brief of 2,000 articles within seconds.
EAGER_LIMIT = 20_000


Concept = str  # two adjacent normalised words, joined by a space


@dataclass(slots=True)
class Source:
    """An article as the briefing reads it."""

    id: str
    text: str
    published: datetime | None = None
    outlet: str | None = None
    duplicate_of: str | None = None  # a copy's original: copies count once as support
    title: str | None = None  # a line equal to it is a headline, not a briefing sentence
    # Pronoun speakers with a known antecedent: offset of the pronoun in ``text`` -> the name.
    antecedents: dict[int, str] = field(default_factory=dict)


@dataclass(slots=True)
class BriefSentence:
    """A chosen sentence: the words of one article, and every article that carries it."""

    text: str
    span: Span  # where the words are taken from
    sources: list[str]  # articles carrying this sentence, earliest first
    support: int  # independent articles among them (a copy and its original count once)
    score: float  # concept weight it added when chosen
    position: int = 0  # sentence index in its article


@dataclass(slots=True)
class _Group:
    """Sentences with the same content words across articles; the first member is the earliest.
    Near-identical groups are merged into a chosen one only when it is chosen (`_Pool.expand`)."""

    members: list[tuple[Source, int, tuple[int, int]]]  # (article, position, span)
    tokens: frozenset[str]
    concepts: set[Concept] = field(default_factory=set)
    origins: set[str] = field(default_factory=set)
    lead: int = 0  # the earliest position of the sentence in any of its articles
    near: list[int] = field(default_factory=list)  # groups merged into this one when chosen


def normalise(word: str) -> str:
    """Lower case without a plural or possessive ending, so variants count as one."""
    return _NORMALISED[word]


def _normalise(word: str) -> str:
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return word


_NORMALISED = Remembered(_normalise)  # each word's normalised form
_ZEROS = itertools.repeat(0)  # the default of every weight lookup
# Whether a normalised word is a content word (not a stop word, longer than a letter).
_IS_CONTENT = Remembered(lambda word: word not in STOP and len(word) > 1)


def content_tokens(sentence: str) -> list[str]:
    """Normalised content words and numbers of a sentence, in order."""
    return _content(_normalised_words(sentence))


def _normalised_words(sentence: str) -> list[str]:
    return list(map(_NORMALISED.__getitem__, _TOKEN.findall(sentence)))


def _content(words: list[str]) -> list[str]:
    return list(filter(_IS_CONTENT.__getitem__, words))


@lru_cache(maxsize=1)
def _stop_pairs() -> frozenset[Concept]:
    return frozenset(f"{a} {b}" for a, b in itertools.product(STOP, repeat=2))


def _time_key(source: Source) -> tuple[int, float, str]:
    return publication_order(source.published, source.id)


def _groups(sources: list[Source]) -> list[_Group]:
    """Sentences of all sources, those with the same content words collapsed (a copy or a quoted
    line), earliest article first."""
    groups: list[_Group] = []
    exact: dict[frozenset[str], int] = {}
    positions = max(MIN_POSITIONS, SENTENCES_READ // max(1, len(sources)))
    for source in sorted(sources, key=_time_key):
        text, origin = source.text, source.duplicate_of or source.id
        for position, (start, end) in enumerate(split_sentences(text)[:positions]):
            sentence = text[start:end]
            words = len(sentence.split())
            if words < MIN_WORDS or words > MAX_WORDS or _not_body(text, start, end, source.title):
                continue
            words_in = _normalised_words(sentence)
            tokens = frozenset(_content(words_in))
            if len(tokens) < 3:
                continue
            index = exact.get(tokens)
            if index is None:
                index = exact[tokens] = len(groups)
                groups.append(_Group([], tokens, _concepts(words_in), lead=position))
            group = groups[index]
            group.members.append((source, position, (start, end)))
            group.lead = min(group.lead, position)
            group.origins.add(origin)
    return groups


def _not_body(text: str, start: int, end: int, title: str | None) -> bool:
    return not_body(text[start:end], title, alone_on_line(text, start, end)) is not None


def _merge_near(groups: list[_Group]) -> list[_Group]:
    """Each group joined to the closest earlier one whose words are near-identical (content-word
    Jaccard of at least SAME_SENTENCE), so that its sources count as one sentence's; the earlier
    group's words and concepts stand for both."""
    index = TokenIndex(Counter(t for g in groups for t in g.tokens), SAME_SENTENCE)
    merged: list[_Group] = []
    for group in groups:
        match = _closest(group.tokens, merged, index.candidates(group.tokens))
        if match is None:
            index.add(len(merged), group.tokens)
            merged.append(group)
            continue
        target = merged[match]
        target.members.extend(group.members)
        target.origins |= group.origins
        target.lead = min(target.lead, group.lead)
    for group in merged:
        group.members.sort(key=lambda m: (_time_key(m[0]), m[1]))
    return merged


def _closest(tokens: frozenset[str], groups: list[_Group], candidates: set[int]) -> int | None:
    """The candidate whose words are closest to ``tokens``, at a Jaccard of at least
    SAME_SENTENCE (the earliest on a tie)."""
    size = len(tokens)
    low, high = SAME_SENTENCE * size, size / SAME_SENTENCE  # sizes that can reach the Jaccard
    best, best_score = None, SAME_SENTENCE
    for index in sorted(candidates):
        other = groups[index].tokens
        if not low <= len(other) <= high:
            continue
        common = len(tokens & other)
        score = common / (size + len(other) - common)
        if score > best_score or (score == best_score and best is None):
            best, best_score = index, score
    return best


class _Pool:
    """The groups a briefing chooses from, and the near-identical ones of a chosen group.

    When the groups were not merged beforehand (``lazy``), near-identical sentences are found
    only for the dozen sentences chosen, not for all pairs: any such sentence shares one of the
    chosen sentence's rarest words (the prefix filter of Chaudhuri et al., 2006), so an index
    from each word to the groups holding it finds them all.
    """

    def __init__(self, groups: list[_Group], lazy: bool) -> None:
        self.groups = groups
        self.lazy = lazy
        self.postings: dict[str, list[int]] = defaultdict(list)
        for index, group in enumerate(groups if lazy else []):
            for token in group.tokens:
                self.postings[token].append(index)

    def near(self, index: int) -> list[int]:
        """Groups whose words are near-identical to group ``index``'s (itself included)."""
        if not self.lazy:
            return [index]
        tokens = self.groups[index].tokens
        size = len(tokens)
        rarest = sorted(tokens, key=lambda t: (len(self.postings[t]), t))
        prefix = rarest[: size - math.ceil(SAME_SENTENCE * size) + 1]
        low, high = SAME_SENTENCE * size, size / SAME_SENTENCE
        found = {index}
        for token in prefix:
            for other in self.postings[token]:
                if other in found:
                    continue
                words = self.groups[other].tokens
                if low <= len(words) <= high:
                    common = len(tokens & words)
                    if common >= SAME_SENTENCE * (size + len(words) - common):
                        found.add(other)
        return sorted(found)

    def expand(self, index: int) -> _Group:
        """Group ``index`` with its near-identical groups merged in, earliest member first."""
        near = self.near(index)
        if len(near) == 1:
            self.groups[index].near = near
            return self.groups[index]
        chosen = self.groups[index]
        members = sorted(
            (m for i in near for m in self.groups[i].members),
            key=lambda m: (_time_key(m[0]), m[1]),
        )
        merged = _Group(members, chosen.tokens, set(chosen.concepts), lead=chosen.lead)
        for i in near:
            merged.origins |= self.groups[i].origins
            merged.concepts |= self.groups[i].concepts
            merged.lead = min(merged.lead, self.groups[i].lead)
        merged.near = near
        return merged


def _concepts(words: list[str]) -> set[Concept]:
    """Pairs of adjacent (normalised) words, except pairs of two stop words ("of the")."""
    # Joined into one string, not a tuple: strings are not tracked by the garbage collector,
    # and a story of 2,000 articles has millions of concepts.
    spaced = [word + " " for word in words[:-1]]
    return set(map(operator.add, spaced, words[1:])).difference(_stop_pairs())


@collector_paused()  # also when called on its own (benchmarks, fitting)
def choose_sentences(
    sources: list[Source],
    max_sentences: int = 12,
    max_words: int | None = None,
    min_sentences: int = 5,
    since: datetime | None = None,
    overflow: bool = False,
) -> list[BriefSentence]:
    """The briefing's sentences in the order they were reported: at most ``max_sentences`` (and,
    when ``max_words`` is set, up to that many words), and at least ``min_sentences`` when the
    sources have them. With ``since``, only sentences first reported at or after it, and none that
    repeats what was reported before (an update). With ``overflow``, when room is left, the best
    sentence too long for it comes last and runs past ``max_words``: for evaluations that cut
    every summary to the same length."""
    groups = _groups(sources)
    if not groups:
        return []
    lazy = len(groups) > EAGER_LIMIT
    if not lazy:
        groups = _merge_near(groups)
    pool = _Pool(groups, lazy)
    carriers = _concept_carriers(groups)
    values = _ConceptValues(groups, carriers)
    floor = MIN_SUPPORT if values.articles >= 3 else 1
    covered: set[Concept] = set()
    candidates = list(range(len(groups)))
    if since is not None:
        known = [g for g in groups if not _is_new(g, since)]
        covered = set().union(*(g.concepts for g in known)) if known else set()
        candidates = [i for i, g in enumerate(groups) if _is_new(g, since)]
    alone = [i for i in candidates if any(map(_stands_alone, groups[i].members))]
    candidates = alone or candidates  # a story told only in leaning sentences keeps them
    budget = _Budget(max_sentences, max_words, since, overflow)
    weights = values([c for c, n in carriers.items() if n >= floor])
    _greedy(pool, candidates, weights, covered, budget)
    if len(budget.chosen) < min_sentences and floor > 1 and not (overflow and budget.spill):
        # Too little is corroborated: fill up with what single sources report, by the same rule
        # (unless a corroborated sentence is to run past the word budget: it comes first).
        budget.limit = min(min_sentences, max_sentences)
        left = [i for i in candidates if i not in budget.taken]
        weights |= values([c for c, n in carriers.items() if n < floor])
        _greedy(pool, left, weights, covered, budget)
    chosen = sorted(budget.chosen, key=_reading_order)
    spill = budget.spill
    if (
        overflow
        and spill is not None
        and not budget.full()
        and budget.taken.isdisjoint(spill[0].near)
    ):
        chosen.append(spill)  # last, so that cutting to length cuts only this one
    return [_sentence(group, score) for group, score in chosen]


def _is_new(group: _Group, since: datetime) -> bool:
    first = group.members[0][0].published
    return first is not None and first >= since


@dataclass(slots=True)
class _Budget:
    limit: int
    max_words: int | None
    since: datetime | None
    overflow: bool = False
    words: int = 0
    spill: tuple[_Group, float] | None = None  # with overflow: the sentence to run past the end
    chosen: list[tuple[_Group, float]] = field(default_factory=list)
    taken: set[int] = field(default_factory=set)

    def full(self) -> bool:
        return len(self.chosen) >= self.limit or (
            self.max_words is not None and self.words >= self.max_words
        )


def _greedy(
    pool: _Pool,
    candidates: list[int],
    weights: Mapping[Concept, float],
    covered: set[Concept],
    budget: _Budget,
) -> None:
    """Take the sentence with the best gain per word until the budget is spent. Gains only fall
    as concepts get covered, so a stale gain is an upper bound: the heap is lazily re-scored.
    A chosen sentence takes its near-identical ones with it: they are never chosen again."""
    groups = pool.groups

    def gain(index: int) -> float:
        group = groups[index]
        # fsum: exact whatever the order, so a briefing is the same under every hash seed
        value = math.fsum(map(weights.get, group.concepts - covered, _ZEROS))
        # Reporters put what matters first: a lead sentence of any of its articles counts more.
        return value * (1 + LEAD_WEIGHT / (1 + group.lead))

    heap = [(-gain(i) / len(groups[i].tokens), i) for i in candidates]
    heapq.heapify(heap)
    while heap and not budget.full():
        _, index = heapq.heappop(heap)
        if index in budget.taken:
            continue
        value = gain(index)
        ratio = value / len(groups[index].tokens)
        if heap and -ratio > heap[0][0]:
            heapq.heappush(heap, (-ratio, index))  # no longer the best: put back, re-scored
            continue
        if value <= 0:
            break
        group = pool.expand(index)
        if budget.since is not None and not _is_new(group, budget.since):
            budget.taken.update(group.near)  # reported before in other words: not news
            continue
        length = _words(group)
        if (
            budget.max_words is not None
            and budget.chosen
            and budget.words + length > budget.max_words
        ):
            if budget.overflow and budget.spill is None:
                budget.spill = (group, value)  # the best of those too long, for the end
            continue  # too long for what is left: a shorter one may still fit
        budget.chosen.append((group, value))
        budget.taken.update(group.near)
        budget.words += length
        covered |= group.concepts


def _concept_carriers(groups: list[_Group]) -> Counter[Concept]:
    """For each concept, how many independent articles (origins) carry it."""
    by_origin: dict[str, list[set[Concept]]] = defaultdict(list)
    for group in groups:
        for origin in group.origins:
            by_origin[origin].append(group.concepts)
    carriers: Counter[Concept] = Counter()
    for concepts in by_origin.values():
        carriers.update(set().union(*concepts))
    return carriers


class _ConceptValues:
    """Concept weights (`concept_weights.weights`), computed for the concepts asked for: a
    briefing that needs no filling up weighs only the corroborated ones."""

    def __init__(self, groups: list[_Group], carriers: Counter[Concept]) -> None:
        self.carriers = carriers
        self.articles = len({o for g in groups for o in g.origins})  # independent ones
        # The earliest position of each concept: later groups overwrite, so go latest first.
        self.lead: dict[Concept, int] = {}
        for group in sorted(groups, key=lambda g: -g.lead):
            self.lead.update(dict.fromkeys(group.concepts, group.lead))
        self.occurrences = Counter(
            itertools.chain.from_iterable(g.concepts for g in groups for _ in g.members)
        )

    def __call__(self, concepts: list[Concept]) -> dict[Concept, float]:
        return concept_weights.weights(concepts, *self._stats())

    def features(self, concepts: list[Concept]) -> np.ndarray:
        return concept_weights.features(concepts, *self._stats())

    def _stats(self) -> tuple[Counter[Concept], dict[Concept, int], Counter[Concept], int]:
        return self.carriers, self.lead, self.occurrences, self.articles


def concept_features(sources: list[Source]) -> tuple[list[Concept], np.ndarray]:
    """The concepts of a story and their features, as the briefing weighs them (for fitting the
    weights: bench/fit_briefing_weights.py)."""
    groups = _merge_near(_groups(sources))
    carriers = _concept_carriers(groups)
    concepts = list(carriers)
    return concepts, _ConceptValues(groups, carriers).features(concepts)


def concepts_of(text: str) -> set[Concept]:
    """The concepts of a text (of a reference summary, say)."""
    return _concepts(_normalised_words(text))


def _stands_alone(member: tuple[Source, int, tuple[int, int]]) -> bool:
    source, _, (start, end) = member
    return not leaning(source.text[start:end], frozenset(_names_in(source, start, end)))


def _names_in(source: Source, start: int, end: int) -> dict[int, str]:
    """The resolved pronoun speakers of ``source`` within ``start:end``, offsets made relative."""
    return names_within(source.antecedents, start, end) if source.antecedents else {}


def _shown(group: _Group) -> tuple[Source, int, tuple[int, int]]:
    """The member whose words the briefing shows: the earliest that stands alone."""
    return next(filter(_stands_alone, group.members), group.members[0])


def _words(group: _Group) -> int:
    source, _, (start, end) = _shown(group)
    return len(source.text[start:end].split())


def _reading_order(item: tuple[_Group, float]) -> tuple[tuple[int, float, str], int]:
    source, position, _ = item[0].members[0]
    return (_time_key(source), position)


def _sentence(group: _Group, score: float) -> BriefSentence:
    source, position, (start, end) = _shown(group)
    ids = list(dict.fromkeys(member[0].id for member in group.members))
    return BriefSentence(
        text=with_antecedents(source.text[start:end], _names_in(source, start, end)),
        span=Span(source.id, start, end),
        sources=ids,
        support=len(group.origins),
        score=float(score),
        position=position,
    )
