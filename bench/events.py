"""Political event coding quality: (actor, event type, target) triples against gold.

Gold sets:
- bench/data/events_gold.jsonl and events_heldout.jsonl, written for storyline: 40 and 30
  sentences (real states and organisations, invented happenings) with the events that happened
  in each, as (actor code, PLOVER type, target code or null). Negated, hypothetical and
  conditional sentences have none: coding them as happened is an error. The first was used while
  writing the coder; the second was written before the coder ever ran on it and is not tuned on.
  Both are small and written by the same hands as the coder: regression checks, not published
  benchmarks.
- ../shared/bench/events/ (PETRARCH validation records, PLOVER examples and published scores),
  scored when it is present; until then this says so and scores the bundled set only.

Prints, for happened events only: event-type accuracy (sentences whose set of coded types equals
the gold set), and triple precision, recall and F1, exact and at country level (RUSGOV counts as
RUS). Usage: python bench/events.py
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._report import SHARED, record
from storyline import analyze

GOLD = Path(__file__).resolve().parent / "data" / "events_gold.jsonl"
HELD_OUT = Path(__file__).resolve().parent / "data" / "events_heldout.jsonl"
SHARED_EVENTS = SHARED / "bench" / "events"
Triple = tuple[str | None, str, str | None]


def coarse(code: str | None) -> str | None:
    """A state's sector codes folded into the state (RUSGOV → RUS); others unchanged."""
    if code and len(code) == 6 and code[:3].isupper():
        return code[:3]
    return code


def prf(gold: Counter[Triple], found: Counter[Triple]) -> tuple[float, float, float]:
    hit = sum((gold & found).values())
    p = hit / sum(found.values()) if found else 1.0
    r = hit / sum(gold.values()) if gold else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(path: Path) -> dict[str, object]:
    """Event-type accuracy and triple P/R/F1 (exact and country level) on one gold file."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    published = datetime(2031, 5, 14, 12, 0, tzinfo=UTC)
    gold_all: Counter[Triple] = Counter()
    found_all: Counter[Triple] = Counter()
    gold_coarse: Counter[Triple] = Counter()
    found_coarse: Counter[Triple] = Counter()
    types_right = 0
    misses = []
    for row in rows:
        article = analyze(row["text"], published=published)
        found = [
            (e.actor.code if e.actor else None, e.plover, e.target.code if e.target else None)
            for e in article.events
            if not e.negated and not e.hypothetical
        ]
        gold = [tuple(g) for g in row["events"]]
        gold_all.update(gold)
        found_all.update(found)
        gold_coarse.update((coarse(a), t, coarse(b)) for a, t, b in gold)
        found_coarse.update((coarse(a), t, coarse(b)) for a, t, b in found)
        if {g[1] for g in gold} == {f[1] for f in found}:
            types_right += 1
        if Counter(gold) != Counter(found):
            misses.append((row["text"], gold, found))
    return {
        "sentences": len(rows),
        "accuracy": types_right / len(rows),
        "exact": prf(gold_all, found_all),
        "country": prf(gold_coarse, found_coarse),
        "misses": misses,
    }


def main() -> int:
    sets = [
        ("storyline's own, tuned on (bench/data/events_gold.jsonl)", GOLD),
        ("storyline's own, held out (bench/data/events_heldout.jsonl)", HELD_OUT),
    ]
    lines = [
        "| gold set | sentences | event-type accuracy | triples P / R / F1 (exact codes) | "
        "triples P / R / F1 (country level) |",
        "|---|---|---|---|---|",
    ]
    for name, path in sets:
        result = score(path)
        print(f"{name}: {len(result['misses'])} sentences differ from gold")  # type: ignore[arg-type]
        for text, gold, found in result["misses"]:  # type: ignore[attr-defined]
            print(f"- {text}\n    gold {gold}\n    got  {found}")
        exact, country = result["exact"], result["country"]
        lines.append(
            f"| {name} | {result['sentences']} | {result['accuracy']:.3f} | "
            f"{exact[0]:.3f} / {exact[1]:.3f} / {exact[2]:.3f} | "  # type: ignore[index]
            f"{country[0]:.3f} / {country[1]:.3f} / {country[2]:.3f} |"  # type: ignore[index]
        )
    shared_note = (
        f"{SHARED_EVENTS} is present, but its reader is not written yet: only the bundled sets "
        "were scored"
        if SHARED_EVENTS.exists()
        else f"The published set was skipped: {SHARED_EVENTS} is not there yet (being prepared), "
        "so there is no comparison with PETRARCH2's published figure yet"
    )
    body = "\n".join(lines) + (
        "\n\nHappened events only: a negated or hypothetical event coded as happened is a false "
        "positive. Both sets were written for storyline (real states, invented happenings); the "
        "first was used while writing the coder, the second was written before the coder was "
        "run on it. Its first score, before any change it prompted, was exact F1 0.741 "
        "(P 0.800, R 0.690); one change since came from its errors (bodies outside the "
        f'gazetteer such as "US Treasury" coded by the state they name). {shared_note}.'
    )
    record("events.py", "Political event coding (PLOVER/CAMEO)", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
