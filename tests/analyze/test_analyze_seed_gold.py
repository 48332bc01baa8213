"""The hand labels for ../shared/seeds (tests/analyze/gold/seeds.json) against the real files,
and the analysis of the seeds through ingest: labels point at real words, and the speakers the
bench scores are found at all. Skipped when ../shared/seeds is absent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline import Storyline
from tests.conftest import SHARED

SEEDS = SHARED / "seeds"
GOLD = json.loads((Path(__file__).parent / "gold" / "seeds.json").read_text(encoding="utf-8"))
MARKS = "“”\"«»„‘’'"
pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed corpus not found at {SEEDS}"),
]


@pytest.mark.parametrize("name", sorted(GOLD["articles"]))
def test_every_label_points_at_words_of_its_seed(name: str) -> None:
    text = (SEEDS / name).read_text(encoding="utf-8")
    labels = GOLD["articles"][name]
    for kind in ("quotes", "times", "claims"):
        for item in labels.get(kind, []):
            words = text[item["start"] : item["end"]]
            assert 0 <= item["start"] < item["end"] <= len(text), (kind, item)
            assert words.strip() == words and words, (kind, item)
            if kind == "quotes" and item["kind"] == "direct":
                assert words[0] not in MARKS and words[-1] not in MARKS, item


def test_the_main_speakers_of_the_seeds_are_found(tmp_path: Path) -> None:
    with Storyline(f"sqlite:///{tmp_path / 'seeds.db'}") as sl:
        sl.ingest([str(SEEDS)])
        speakers = {row["speaker"] for row in sl.quotes(limit=1000)}
        people = {row["name"] for row in sl.entities(entity_type="PERSON", limit=1000)}
    gold = {q["speaker"] for a in GOLD["articles"].values() for q in a["quotes"]}
    assert {"Jens Stoltenberg", "Vladimir Putin"} <= speakers & gold
    assert any(name in {"Dmitry Peskov", "Dmitri Peskov"} for name in speakers)
    assert "Jens Stoltenberg" in people  # one canonical person across the five articles
    assert "Stoltenberg" not in people
