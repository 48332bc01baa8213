"""Temporal expressions: span and value F1 on TempEval-3 and MEANTIME (../shared/bench/timex).

Scoring follows TempEval-3: strict span = same start and end; relaxed span = any overlap; value
and type count as correct when a relaxed match also has the same value (type). Precision is over
our expressions, recall over the gold ones. HeidelTime's published platinum figures are printed
beside ours.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._report import SHARED, record
from storyline.analyze.times import find_times

DATA = SHARED / "bench" / "timex"
HEIDELTIME = {"strict": 0.8178, "relaxed": 0.9071, "value": 0.7807, "type": 0.8327}


def f1(correct: int, predicted: int, gold: int) -> tuple[float, float, float]:
    p = correct / predicted if predicted else 0.0
    r = correct / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _anchor(dct: str | None) -> date | None:
    """The document date: ISO, or the month-day-year form a few MEANTIME files use."""
    if not dct:
        return None
    try:
        return date.fromisoformat(dct[:10])
    except ValueError:
        month, day, year = (int(x) for x in dct[:10].split("-"))
        return date(year, month, day)


def score(docs: list[dict]) -> dict[str, tuple[float, float, float]]:
    counts = {"strict": 0, "relaxed": 0, "value": 0, "type": 0}
    predicted = gold = 0
    for doc in docs:
        anchor = _anchor(doc.get("dct"))
        ours = find_times(doc["text"], anchor)
        golds = [g for g in doc["timexes"] if g["start"] is not None]  # empty (implicit) ones
        if doc.get("corpus", "").lower().startswith("meantime") and golds:
            # MEANTIME annotates only the opening sentences: score ours up to the last annotated one
            last = max(g["end"] for g in golds)
            stop = doc["text"].find(".", last)
            ours = [t for t in ours if t.span.end <= (stop if stop >= 0 else len(doc["text"]))]
        predicted += len(ours)
        gold += len(golds)
        used: set[int] = set()
        for g in golds:
            for i, t in enumerate(ours):
                if i in used or not (t.span.start < g["end"] and g["start"] < t.span.end):
                    continue
                used.add(i)
                counts["relaxed"] += 1
                counts["strict"] += (t.span.start, t.span.end) == (g["start"], g["end"])
                counts["value"] += t.value == g["value"]
                counts["type"] += t.kind == g["type"]
                break
    return {name: f1(n, predicted, gold) for name, n in counts.items()}


def main() -> int:
    sets = {
        "TempEval-3 platinum (test)": ("tempeval3_timex.jsonl", lambda d: d["split"] == "test"),
        "TimeBank+AQUAINT (train: tune here)": (
            "tempeval3_timex.jsonl",
            lambda d: d["split"] == "train",
        ),
        "MEANTIME (all)": ("meantime_timex.jsonl", lambda d: True),
    }
    rows = []
    for name, (file, keep) in sets.items():
        path = DATA / file
        if not path.exists():
            print(f"skipped {name}: {path} not found")
            continue
        docs = [d for d in map(json.loads, path.read_text("utf-8").splitlines()) if keep(d)]
        result = score(docs)
        cells = " | ".join(
            f"{result[k][0]:.3f} / {result[k][1]:.3f} / {result[k][2]:.3f}"
            for k in ("strict", "relaxed", "value", "type")
        )
        rows.append(f"| {name} ({len(docs)} docs) | {cells} |")
    if not rows:
        print("skipped: no timex data under", DATA)
        return 0
    published = " | ".join(
        f"F1 {HEIDELTIME[k]:.3f}" for k in ("strict", "relaxed", "value", "type")
    )
    body = (
        "Each cell: precision / recall / F1. Goal (issue 3 and the data README): value F1 ≥ 0.80 "
        "and relaxed span F1 ≥ 0.90 on platinum.\n\n"
        "| set | strict span | relaxed span | value | type |\n|---|---|---|---|---|\n"
        + "\n".join(rows)
        + f"\n| HeidelTime 2.2.1 on platinum (published) | {published} |"
    )
    record("timex.py", "Temporal expressions", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
