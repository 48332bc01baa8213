"""Assign stage: MinHash copies survive spam lines, cut paragraphs and new titles; others do not."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from functools import cache

import numpy as np
import pytest
from datasketch import MinHash

from storyline.assign.columns import StateError
from storyline.assign.dedup import (
    CopyIndex,
    banding,
    from_bytes,
    shingles,
    signature,
    to_bytes,
)
from storyline.config import Settings

ORIGINAL = [
    "The Velmora harbour board approved a plan on Monday to rebuild the northern sea wall.",
    "Engineers said the wall had been weakened by three winter storms in a row.",
    "Work will begin in June and is expected to cost about 14 million crowns, the board said.",
    "Fishing crews welcomed the plan but asked for the harbour to stay open during the work.",
    "The board's chair, Ansel Brook, said the old wall had protected the town for 90 years.",
    "A public meeting on the timetable will be held at the town hall next Thursday evening.",
]
OTHER = [
    "The Greywick orchestra opened its winter season with a sold-out concert on Friday.",
    "The programme included two new works by local composers and a symphony by Lisk.",
    "Tickets for the rest of the season go on sale next week, the orchestra said.",
]


def _sig(paragraphs: list[str], settings: Settings):
    return signature("\n\n".join(paragraphs), settings)


def test_perturbed_copies_match_and_unrelated_text_does_not():
    settings = Settings()
    index = CopyIndex(settings)
    index.add("original", _sig(ORIGINAL, settings))
    index.add("other", _sig(OTHER, settings))
    cut_paragraph = ORIGINAL[:3] + ORIGINAL[4:]
    added_sentence = [*ORIGINAL, "Schools near the harbour will close early on Thursday."]
    reordered_tail = ORIGINAL[:4] + ORIGINAL[5:] + ORIGINAL[4:5]
    for variant in (ORIGINAL, cut_paragraph, added_sentence, reordered_tail):
        matches = index.matches(_sig(variant, settings))
        assert [m[0] for m in matches] == ["original"]
        assert matches[0][1] >= settings.dedup_threshold
    same_topic = [
        "The Velmora harbour board will meet again to discuss the sea wall budget.",
        "Critics said the plan was too expensive for a town of its size.",
    ]
    assert index.matches(_sig(same_topic, settings)) == []


def test_signatures_round_trip_through_bytes():
    settings = Settings()
    minhash = _sig(ORIGINAL, settings)
    restored = from_bytes(to_bytes(minhash), settings)
    assert restored is not None
    assert restored.jaccard(minhash) == 1.0
    assert from_bytes(to_bytes(minhash), Settings(dedup_num_perm=64)) is None


def test_shingles_ignore_case_and_punctuation_and_handle_short_text():
    assert shingles("One, two; THREE four five six", 5) == shingles(
        "one two three four five six", 5
    )
    assert shingles("Just three words", 5) == {b"just three words"}
    assert shingles("", 5) == set()


def _random_signatures(count: int, settings: Settings, seed: int) -> list[MinHash]:
    """Signatures of random texts, with every tenth a variant of an earlier one."""
    rng = random.Random(seed)
    vocabulary = [f"w{n}" for n in range(3000)]
    texts: list[str] = []
    for n in range(count):
        if n % 10 == 9:
            words = texts[rng.randrange(len(texts))].split()
            cut = rng.randint(0, len(words) // 5)
            texts.append(" ".join(words[cut:] + rng.choices(vocabulary, k=rng.randint(0, 8))))
        else:
            texts.append(" ".join(rng.choices(vocabulary, k=80)))
    return [signature(text, settings) for text in texts]


def test_the_compact_index_finds_what_an_exhaustive_comparison_finds():
    """Past several sorted-run merges, with removals and expiry in between, every indexed
    signature at or above the threshold is found (and nothing removed or expired is)."""
    settings = Settings()
    signatures = _random_signatures(3500, settings, seed=3)
    index = CopyIndex(settings)
    start = datetime(2031, 5, 1, tzinfo=UTC)
    kept: dict[str, MinHash] = {}
    for n, minhash in enumerate(signatures):
        when = start + timedelta(hours=n)
        if n % 10 == 9:
            expected = {
                aid
                for aid, other in kept.items()
                if np.mean(minhash.hashvalues == other.hashvalues) >= index.threshold
            }
            found = {aid for aid, _ in index.matches(minhash)}
            assert found == expected, n
            for aid in found:  # a copy's original stays; drop the copy's earlier copies
                if aid != min(found):
                    index.remove(aid)
                    del kept[aid]
        index.add(f"a{n}", minhash, when)
        kept[f"a{n}"] = minhash
        if n % 500 == 499:
            horizon = when - timedelta(hours=2000)
            index.expire(horizon)
            kept = {aid: m for aid, m in kept.items() if int(aid[1:]) >= n - 2000}
    assert len(index) == len(kept)
    assert any(index.matches(m) for m in signatures[-200:])  # the last check was not vacuous


def test_an_index_finds_nothing_in_an_article_it_has_expired_or_removed():
    settings = Settings()
    minhash = signature("the council approved the bridge over the northern river " * 5, settings)
    index = CopyIndex(settings)
    index.add("old", minhash, datetime(2031, 1, 1, tzinfo=UTC))
    index.add("undated", minhash)
    index.add("new", minhash, datetime(2031, 3, 1, tzinfo=UTC))
    assert {aid for aid, _ in index.matches(minhash)} == {"old", "undated", "new"}
    index.expire(datetime(2031, 2, 1, tzinfo=UTC))
    assert {aid for aid, _ in index.matches(minhash)} == {"undated", "new"}
    index.remove("new")
    assert index.matches(minhash) == [("undated", 1.0)]
    assert len(index) == 1


@cache
def _many_signatures() -> list[MinHash]:
    return _random_signatures(6000, Settings(), seed=5)


def _filled_index(settings: Settings) -> tuple[CopyIndex, list[MinHash]]:
    """An index past a few run merges (two runs left), with removals, expiry and unflushed
    recent keys."""
    signatures = _many_signatures()
    index = CopyIndex(settings)
    start = datetime(2031, 5, 1, tzinfo=UTC)
    for n, minhash in enumerate(signatures[:4400]):
        index.add(f"a{n}", minhash, start + timedelta(hours=n) if n % 7 else None)
        if n % 50 == 49:
            index.remove(f"a{n - 3}")
    index.expire(start + timedelta(hours=600))
    return index, signatures


def test_a_saved_index_finds_the_same_and_goes_on_the_same():
    settings = Settings()
    index, signatures = _filled_index(settings)
    assert index._buffer and len(index._runs) > 1  # recent keys and several runs saved
    copy = CopyIndex.from_state(settings, None, index.to_state())
    capacity = len(copy._alive)
    assert len(copy) == len(index)
    for minhash in signatures[::10]:
        assert copy.matches(minhash) == index.matches(minhash)
    later = datetime(2031, 9, 1, tzinfo=UTC)
    for n, minhash in enumerate(signatures[4400:], start=4400):
        for either in (index, copy):
            either.add(f"a{n}", minhash, later)
    assert copy._buffered < 1600 and len(copy._alive) > capacity  # flushed and grew since
    for either in (index, copy):
        either.expire(datetime(2031, 6, 1, tzinfo=UTC))
        either.remove("a4401")
    assert len(copy) == len(index)
    for minhash in signatures[::10]:
        assert copy.matches(minhash) == index.matches(minhash)


def test_a_saved_index_refuses_a_state_that_does_not_fit():
    settings = Settings()
    index, _ = _filled_index(settings)
    state = index.to_state()
    wrong: list[tuple[str, object]] = [
        ("signatures", state["signatures"][:, :64]),  # made with another permutation count
        ("signatures", state["signatures"].astype(np.uint32)),
        ("alive", np.full(len(state["alive"]), 2, dtype=np.uint8)),
        ("run_sequences", state["run_sequences"] + 10**9),  # articles never indexed
        ("run_keys", state["run_keys"][::-1].copy()),  # runs out of order
        ("buffer_counts", state["buffer_counts"] + 1),
        ("next", state["next"] + 1),  # one row more than saved
        ("base", -1),
    ]
    for key, value in wrong:
        with pytest.raises(StateError):
            CopyIndex.from_state(settings, None, dict(state, **{key: value}))
    other = Settings(dedup_num_perm=64)
    with pytest.raises(StateError):
        CopyIndex.from_state(other, None, state)


def test_banding_offers_a_pair_at_the_threshold_as_a_candidate_most_of_the_time():
    bands, rows = banding(0.6, 128)
    assert bands * rows <= 128
    assert 1 - (1 - 0.6**rows) ** bands > 0.8
    assert 1 - (1 - 0.2**rows) ** bands < 0.01
