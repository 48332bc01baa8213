"""The shortcuts that make fusing a big story fast never change what is found."""

from __future__ import annotations

import gc
import random
from collections import Counter

import pytest

from storyline.collector import collector_paused
from storyline.fuse.briefing import SAME_SENTENCE, Source, _groups, _Pool
from storyline.fuse.sentences import sentence_spans
from storyline.fuse.sourcing import TokenIndex, sentence_around

# Words drawn with a skewed frequency, as in text: a few common ones, many rare ones.
VOCABULARY = [f"w{n}" for n in range(60)]
WEIGHTS = [1 / (1 + n) for n in range(60)]


def _token_sets(count: int, seed: int) -> list[frozenset[str]]:
    """Random sets, a third of them edited copies of an earlier one (near and inside pairs)."""
    rng = random.Random(seed)
    sets: list[frozenset[str]] = []
    for _ in range(count):
        if sets and rng.random() < 0.35:
            base = set(rng.choice(sets))
            for _ in range(rng.randint(0, 2)):
                if len(base) > 1:
                    base.discard(rng.choice(sorted(base)))
            for _ in range(rng.randint(0, 2)):
                base.add(rng.choice(VOCABULARY))
            sets.append(frozenset(base))
        else:
            size = rng.randint(1, 14)
            sets.append(frozenset(rng.choices(VOCABULARY, WEIGHTS, k=size)))
    return sets


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b)


def _inside(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / min(len(a), len(b))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_token_index_finds_every_near_and_inside_set(seed: int) -> None:
    sets = _token_sets(400, seed)
    frequency = Counter(t for s in sets for t in s)
    index = TokenIndex(frequency, 0.6, inside=0.9)
    expected_pairs = 0
    for n, tokens in enumerate(sets):
        found = index.candidates(tokens)
        for earlier in range(n):
            other = sets[earlier]
            if _jaccard(tokens, other) >= 0.6 or _inside(tokens, other) >= 0.9:
                expected_pairs += 1
                assert earlier in found, (sorted(tokens), sorted(other))
        index.add(n, tokens)
    assert expected_pairs > 100  # the sets do contain near and inside pairs to find


def test_token_index_without_inside_only_finds_by_jaccard() -> None:
    sets = _token_sets(300, 7)
    frequency = Counter(t for s in sets for t in s)
    index = TokenIndex(frequency, 0.7)
    missed_inside = 0
    for n, tokens in enumerate(sets):
        found = index.candidates(tokens)
        for earlier in range(n):
            if _jaccard(tokens, sets[earlier]) >= 0.7:
                assert earlier in found
            elif _inside(tokens, sets[earlier]) >= 0.9 and earlier not in found:
                missed_inside += 1
        index.add(n, tokens)
    assert missed_inside > 0  # the prefix filter does prune: candidates are not all sets


def _sentence(tokens: frozenset[str]) -> str:
    return "Reporters noted that " + " ".join(sorted(tokens)) + " today."


def test_pool_near_equals_exhaustive_comparison() -> None:
    sets = [s for s in _token_sets(500, 11) if len(s) >= 3]
    sources = [Source(f"a{n}", _sentence(s)) for n, s in enumerate(sets)]
    groups = _groups(sources)
    pool = _Pool(groups, lazy=True)
    for index in range(0, len(groups), 7):
        mine = groups[index].tokens
        expected = [
            n
            for n, group in enumerate(groups)
            if n == index or _jaccard(mine, group.tokens) >= SAME_SENTENCE
        ]
        assert pool.near(index) == expected


def test_sentence_around_finds_the_sentence_of_any_offset() -> None:
    text = "First one here. Second one, Dr. Vell said.\nA heading\nThird one? Yes."
    spans = sentence_spans(text)
    for start, end in spans:
        for offset in range(start, end):
            assert sentence_around(text, offset, offset + 1) == (start, end)
    gap = text.index(" Second")  # the space between two sentences belongs to neither
    assert sentence_around(text, gap, gap + 1) == (gap, gap + 1)
    # A span running past its sentence stretches it.
    assert sentence_around(text, 0, spans[1][1]) == (0, spans[1][1])


def test_collector_paused_restores_the_collector_state() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("fusing failed")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()
