"""Fuse stage: how much each concept (pair of adjacent words) of a story is worth to its briefing.

A concept's weight is the chance that a person summarising the story would use it, estimated from
what the articles show about it: the share and the number of independent articles that carry it,
how early it first appears in an article, how often it occurs in all, and whether it holds a stop
word or a digit. The chance is a logistic function of these features, squared (which favours the
concepts most likely to matter), with coefficients fitted by ``bench/fit_briefing_weights.py``
on the development half of DUC 2004 (even clusters: bigrams of the human reference summaries as
the concepts to find); the test half and the NeuS set were not used. Refit and paste its output
below when the features change.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from storyline.assign.streaming import STOP
from storyline.fuse.sourcing import Remembered

FEATURES = (
    "share of the story's independent articles carrying it",
    "log(1 + independent articles carrying it)",
    "1 / (1 + its earliest sentence position in an article)",
    "log(1 + sentences carrying it, copies included)",
    "holds a stop word",
    "holds a digit",
    "carried by two or more independent articles",
)
# Fitted by bench/fit_briefing_weights.py (logistic regression, C=1) on DUC 2004's even clusters.
COEFFICIENTS = (0.972, -0.428, 1.848, 1.716, 0.073, 0.336, 0.214)
INTERCEPT = -5.375
POWER = 2.0  # the chance is squared: gains favour concepts a summary very likely holds
_DIGITS = frozenset("0123456789")


def features(
    concepts: list[str],
    carriers: Mapping[str, int],
    lead: Mapping[str, int],
    occurrences: Mapping[str, int],
    articles: int,
) -> np.ndarray:
    """Feature rows of ``concepts`` (in the order of FEATURES).

    ``carriers``: independent articles carrying each concept; ``lead``: its earliest sentence
    position in any article; ``occurrences``: sentences carrying it; ``articles``: independent
    articles in the story."""
    size = len(concepts)
    rows = np.empty((size, len(FEATURES)))
    carried = np.fromiter(map(carriers.__getitem__, concepts), float, size)
    rows[:, 0] = carried / max(1, articles)
    rows[:, 1] = np.log1p(carried)
    rows[:, 2] = 1.0 / (1.0 + np.fromiter(map(lead.__getitem__, concepts), float, size))
    rows[:, 3] = np.log1p(np.fromiter(map(occurrences.__getitem__, concepts), float, size))
    rows[:, 4] = np.fromiter(map(_HAS_STOP_WORD.__getitem__, concepts), float, size)
    rows[:, 5] = np.fromiter(map(_HAS_DIGIT.__getitem__, concepts), float, size)
    rows[:, 6] = carried >= 2
    return rows


def weights(
    concepts: list[str],
    carriers: Mapping[str, int],
    lead: Mapping[str, int],
    occurrences: Mapping[str, int],
    articles: int,
) -> dict[str, float]:
    """The weight of each of ``concepts``: the fitted chance that a summary holds it, squared,
    times 100 (arguments as for `features`)."""
    if not concepts:
        return {}
    rows = features(concepts, carriers, lead, occurrences, articles)
    chance = 1.0 / (1.0 + np.exp(-(rows @ np.asarray(COEFFICIENTS) + INTERCEPT)))
    return dict(zip(concepts, (100.0 * chance**POWER).tolist(), strict=True))


def _has_stop_word(concept: str) -> bool:
    first, _, second = concept.partition(" ")
    return first in STOP or second in STOP


_HAS_STOP_WORD = Remembered(_has_stop_word)
_HAS_DIGIT = Remembered(lambda concept: not _DIGITS.isdisjoint(concept))
