"""Assign stage: MinHash copies survive spam lines, cut paragraphs and new titles; others do not."""

from __future__ import annotations

from storyline.assign.dedup import CopyIndex, from_bytes, shingles, signature, to_bytes
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
