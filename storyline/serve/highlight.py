"""Serve: an article's clean text cut into runs for the article page, each run with the kinds of
annotation covering it (entity, quote, claim, date), and the cited span marked, so the page can
highlight everything analysis found without nesting tags by hand."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

LAYERS = ("entity", "quote", "claim", "date")


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of text and what covers it."""

    text: str
    kinds: tuple[str, ...]  # annotation kinds covering the whole run, in LAYERS order
    cited: bool  # inside the span a citation pointed to


def _spans(annotations: dict[str, Any]) -> dict[str, list[tuple[int, int]]]:
    pick = {
        "entity": [m for m in annotations.get("mentions", []) if m.get("entity_id")],
        "quote": annotations.get("quotes", []),
        "claim": annotations.get("claims", []),
        "date": annotations.get("times", []),
    }
    return {kind: [(a["start"], a["end"]) for a in items] for kind, items in pick.items()}


def runs(text: str, annotations: dict[str, Any], cited: tuple[int, int] | None) -> list[Run]:
    """The text as consecutive runs (joined, they give ``text`` back)."""
    layers = _spans(annotations)
    cuts = {0, len(text)}
    for spans in layers.values():
        for start, end in spans:
            if 0 <= start < end <= len(text):
                cuts.update((start, end))
    if cited:
        cuts.update(cited)
    points = sorted(c for c in cuts if 0 <= c <= len(text))
    found = []
    for start, end in pairwise(points):
        kinds = tuple(
            kind for kind in LAYERS if any(s <= start and end <= e for s, e in layers[kind])
        )
        inside = cited is not None and cited[0] <= start and end <= cited[1]
        found.append(Run(text[start:end], kinds, inside))
    return found
