"""Fuse stage: choose the sentences of a story's briefing, each with the articles that carry it.

Extractive, so every word is a source's. The sentences of all articles are split; sentences that
say the same thing in nearly the same words (one wire report in many outlets) collapse into one
with several sources. Then sentences are chosen greedily for the *concepts* they cover: pairs of
adjacent words (not two stop words), each weighted by how many independent articles (copies counted
once) contain it, so a sentence scores for what many sources report and a chosen sentence makes the
next one with the same facts worth nothing (no repeats). This is the concept-coverage objective of
ICSI's summariser (Gillick and Favre, 2009), solved greedily by gain per word.
"""

from __future__ import annotations

import heapq
import itertools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from storyline.assign.streaming import STOP
from storyline.fuse.sentences import sentence_spans
from storyline.fuse.sourcing import TokenIndex, publication_order
from storyline.model import Span

_TOKEN = re.compile(r"[^\W_][\w'’.-]*[^\W_]|[^\W_]", re.UNICODE)
MIN_WORDS = 6  # shorter "sentences" are headings, datelines and captions
MAX_WORDS = 60  # longer ones are run-on lists or text without stops
SAME_SENTENCE = 0.7  # content-word Jaccard at which two sentences are one
MIN_SUPPORT = 2  # articles that must carry a concept for it to count (with 3 or more articles)
LEAD_WEIGHT = 1.0  # a sentence's gain is raised by LEAD_WEIGHT / (1 + its position in the article)


@dataclass(slots=True)
class Source:
    """An article as the briefing reads it."""

    id: str
    text: str
    published: datetime | None = None
    outlet: str | None = None
    duplicate_of: str | None = None  # a copy's original: copies count once as support


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
    """Near-identical sentences across articles; the first member is the earliest."""

    members: list[tuple[Source, int, tuple[int, int]]]  # (article, position, span)
    tokens: frozenset[str]
    concepts: set[tuple[str, str]] = field(default_factory=set)
    origins: set[str] = field(default_factory=set)


@lru_cache(maxsize=200_000)
def normalise(word: str) -> str:
    """Lower case without a plural or possessive ending, so variants count as one."""
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return word


def content_tokens(sentence: str) -> list[str]:
    """Normalised content words and numbers of a sentence, in order."""
    return _content(_normalised_words(sentence))


def _normalised_words(sentence: str) -> list[str]:
    return [normalise(word) for word in _TOKEN.findall(sentence)]


def _content(words: list[str]) -> list[str]:
    return [w for w in words if w not in STOP and len(w) > 1]


def _time_key(source: Source) -> tuple[int, float, str]:
    return publication_order(source.published, source.id)


def _groups(sources: list[Source]) -> list[_Group]:
    """Sentences of all sources, near-identical ones collapsed (earliest article first)."""
    found: list[tuple[Source, int, tuple[int, int], frozenset[str], set[tuple[str, str]]]] = []
    for source in sorted(sources, key=_time_key):
        for position, (start, end) in enumerate(sentence_spans(source.text)):
            sentence = source.text[start:end]
            words = len(sentence.split())
            if words < MIN_WORDS or words > MAX_WORDS:
                continue
            words_in = _normalised_words(sentence)
            tokens = frozenset(_content(words_in))
            if len(tokens) >= 3:
                found.append((source, position, (start, end), tokens, _concepts(words_in)))
    frequency: Counter[str] = Counter(t for item in found for t in item[3])
    index = TokenIndex(frequency, SAME_SENTENCE)
    groups: list[_Group] = []
    exact: dict[frozenset[str], int] = {}
    seen_here: set[int] = set()
    current: str | None = None
    for source, position, (start, end), tokens, concepts in found:
        if source.id != current:
            current, seen_here = source.id, set()
        match = exact.get(tokens)  # the same words again: a copy or a quoted line
        if match is None or match in seen_here:
            match = _same(tokens, groups, index.candidates(tokens) - seen_here)
        if match is None:
            match = len(groups)
            groups.append(_Group([], tokens, concepts))
            index.add(match, tokens)
            exact.setdefault(tokens, match)
        group = groups[match]
        group.members.append((source, position, (start, end)))
        group.origins.add(source.duplicate_of or source.id)
        seen_here.add(match)
    return groups


def _same(tokens: frozenset[str], groups: list[_Group], candidates: set[int]) -> int | None:
    """The candidate group whose sentence is closest, at a content-word Jaccard of at least
    SAME_SENTENCE (the earliest group on a tie)."""
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


def _concepts(words: list[str]) -> set[tuple[str, str]]:
    """Pairs of adjacent (normalised) words, except pairs of two stop words ("of the")."""
    return {(a, b) for a, b in itertools.pairwise(words) if a not in STOP or b not in STOP}


def choose_sentences(
    sources: list[Source],
    max_sentences: int = 12,
    max_words: int | None = None,
    min_sentences: int = 5,
    since: datetime | None = None,
) -> list[BriefSentence]:
    """The briefing's sentences in the order they were reported: at most ``max_sentences`` (and,
    when ``max_words`` is set, up to that many words), and at least ``min_sentences`` when the
    sources have them. With ``since``, only sentences first reported at or after it, and none that
    repeats what was reported before (an update)."""
    groups = _groups(sources)
    if not groups:
        return []
    origins = _concept_origins(groups)
    floor = MIN_SUPPORT if len({o for g in groups for o in g.origins}) >= 3 else 1
    covered: set[tuple[str, str]] = set()
    candidates = list(range(len(groups)))
    if since is not None:
        known = [g for g in groups if not _is_new(g, since)]
        covered = set().union(*(g.concepts for g in known)) if known else set()
        candidates = [i for i, g in enumerate(groups) if _is_new(g, since)]
    budget = _Budget(max_sentences, max_words)
    weights = {c: len(o) for c, o in origins.items() if len(o) >= floor}
    _greedy(groups, candidates, weights, covered, budget)
    if len(budget.chosen) < min_sentences and floor > 1:
        # Too little is corroborated: fill up with what single sources report, by the same rule.
        budget.limit = min(min_sentences, max_sentences)
        left = [i for i in candidates if i not in budget.taken]
        _greedy(groups, left, {c: len(o) for c, o in origins.items()}, covered, budget)
    return [_sentence(group, score) for group, score in sorted(budget.chosen, key=_reading_order)]


def _is_new(group: _Group, since: datetime) -> bool:
    first = group.members[0][0].published
    return first is not None and first >= since


@dataclass(slots=True)
class _Budget:
    limit: int
    max_words: int | None
    words: int = 0
    chosen: list[tuple[_Group, float]] = field(default_factory=list)
    taken: set[int] = field(default_factory=set)

    def full(self) -> bool:
        return len(self.chosen) >= self.limit or (
            self.max_words is not None and self.words >= self.max_words
        )


def _greedy(
    groups: list[_Group],
    candidates: list[int],
    weights: dict[tuple[str, str], int],
    covered: set[tuple[str, str]],
    budget: _Budget,
) -> None:
    """Take the sentence with the best gain per word until the budget is spent. Gains only fall
    as concepts get covered, so a stale gain is an upper bound: the heap is lazily re-scored."""

    def gain(index: int) -> float:
        group = groups[index]
        value = sum(weights.get(c, 0) for c in group.concepts - covered)
        # Reporters put what matters first: a lead sentence of any of its articles counts more.
        return value * (1 + LEAD_WEIGHT / (1 + min(member[1] for member in group.members)))

    heap = [(-gain(i) / len(groups[i].tokens), i) for i in candidates]
    heapq.heapify(heap)
    while heap and not budget.full():
        _, index = heapq.heappop(heap)
        value = gain(index)
        ratio = value / len(groups[index].tokens)
        if heap and -ratio > heap[0][0]:
            heapq.heappush(heap, (-ratio, index))  # no longer the best: put back, re-scored
            continue
        if value <= 0:
            break
        group = groups[index]
        length = _words(group)
        if (
            budget.max_words is not None
            and budget.chosen
            and budget.words + length > budget.max_words
        ):
            continue  # too long for what is left: a shorter one may still fit
        budget.chosen.append((group, value))
        budget.taken.add(index)
        budget.words += length
        covered |= group.concepts


def _concept_origins(groups: list[_Group]) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for group in groups:
        if len(group.origins) == 1:
            (origin,) = group.origins
            for concept in group.concepts:
                found[concept].add(origin)
        else:
            for concept in group.concepts:
                found[concept] |= group.origins
    return found


def _words(group: _Group) -> int:
    source, _, (start, end) = group.members[0]
    return len(source.text[start:end].split())


def _reading_order(item: tuple[_Group, float]) -> tuple[tuple[int, float, str], int]:
    source, position, _ = item[0].members[0]
    return (_time_key(source), position)


def _sentence(group: _Group, score: float) -> BriefSentence:
    source, position, (start, end) = group.members[0]
    ids = list(dict.fromkeys(member[0].id for member in group.members))
    return BriefSentence(
        text=source.text[start:end],
        span=Span(source.id, start, end),
        sources=ids,
        support=len(group.origins),
        score=float(score),
        position=position,
    )
