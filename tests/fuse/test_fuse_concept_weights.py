"""Concept weights: what many sources report early weighs more than what one reports late."""

from __future__ import annotations

import pytest

from storyline.fuse import concept_weights
from storyline.fuse.briefing import Source, concept_features, concepts_of


def _weigh(carriers: int, lead: int, occurrences: int, articles: int = 10) -> float:
    concept = "dam road"
    weights = concept_weights.weights(
        [concept], {concept: carriers}, {concept: lead}, {concept: occurrences}, articles
    )
    return weights[concept]


def test_more_independent_articles_give_more_weight():
    assert _weigh(1, 0, 1) < _weigh(3, 0, 3) < _weigh(8, 0, 8)


def test_an_earlier_first_appearance_gives_more_weight():
    assert _weigh(3, 0, 3) > _weigh(3, 4, 3) > _weigh(3, 20, 3)


def test_weights_are_chances_squared_times_100():
    for carriers in (1, 5, 10):
        assert 0.0 < _weigh(carriers, 0, carriers) < 100.0
    assert concept_weights.weights([], {}, {}, {}, 0) == {}


def test_features_of_a_story_follow_the_declared_order():
    sources = [
        Source("a", "The regional water board closed the Easthaven dam road on Tuesday.", None),
        Source(
            "b",
            "Officials met the mayor in the town hall at noon. "
            "The water board closed the dam road on Tuesday.",
            None,
        ),
    ]
    concepts, rows = concept_features(sources)
    assert rows.shape == (len(concepts), len(concept_weights.FEATURES))
    row = dict(zip(concepts, rows.tolist(), strict=True))
    carried_by_both, only_b = row["dam road"], row["town hall"]
    assert carried_by_both[0] == pytest.approx(1.0) and only_b[0] == pytest.approx(0.5)
    assert carried_by_both[2] == pytest.approx(1.0)  # first sentence of article a
    assert only_b[2] == pytest.approx(1.0) and row["the mayor"][4] == 1.0  # "the": a stop word
    assert row["closed the"][6] == 1.0 and only_b[6] == 0.0
    assert "dam road" in concepts_of("They closed the dam road.")
