"""Fit the briefing's concept weights (storyline/fuse/concept_weights.py) on DUC 2004's dev half.

Each concept (pair of adjacent words) of a cluster's articles is an example; it is positive when a
human reference summary of the cluster holds it. A logistic regression over the features of
`concept_weights.FEATURES` gives the coefficients, printed to paste into that module; the script
says whether the module's coefficients are those. Only the even clusters are read (the test half
and NeuS stay unseen). Usage: python bench/fit_briefing_weights.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.briefing import DATA, load_duc
from storyline.fuse import concept_weights
from storyline.fuse.briefing import Source, concept_features, concepts_of


def examples() -> tuple[np.ndarray, np.ndarray]:
    rows, labels = [], []
    for cluster in load_duc()[0::2]:
        sources = [Source(f"{cluster.id}/{n}", text) for n, text in enumerate(cluster.documents)]
        concepts, features = concept_features(sources)
        wanted = set().union(*(concepts_of(reference) for reference in cluster.references))
        rows.append(features)
        labels.extend(concept in wanted for concept in concepts)
    return np.vstack(rows), np.array(labels)


def main() -> int:
    if not (DATA / "duc2004.jsonl").exists():
        print(f"skipped: {DATA} not found (the summaries gold sets live in ../shared)")
        return 0
    from sklearn.linear_model import LogisticRegression

    features, labels = examples()
    model = LogisticRegression(max_iter=1000, C=1.0).fit(features, labels)
    coefficients = tuple(round(float(c), 3) for c in model.coef_[0])
    intercept = round(float(model.intercept_[0]), 3)
    print(f"{len(labels):,} concepts, {labels.mean():.1%} in a reference summary")
    for name, value in zip(concept_weights.FEATURES, coefficients, strict=True):
        print(f"  {value:+.3f}  {name}")
    print(f"COEFFICIENTS = {coefficients}\nINTERCEPT = {intercept}")
    same = coefficients == concept_weights.COEFFICIENTS and intercept == concept_weights.INTERCEPT
    print("the module holds these" if same else "the module holds others: paste the lines above")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
