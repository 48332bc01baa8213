"""Political event coding quality: (actor, event type, target) triples against gold.

Gold sets (scoring in bench/_events_sets.py):
- bench/data/events_gold.jsonl and events_heldout.jsonl, written for storyline: 40 and 30
  sentences (real states and organisations, invented happenings). The first was used while
  writing the coder; the second was written before the coder ever ran on it. Small, and written
  by the same hands as the coder: regression checks, not published benchmarks.
- ../shared/bench/events/ (read there, never copied; see its README and LICENSES.md): PETRARCH-2's
  validation records (beside PETRARCH2's own output on the 54 it parses), the PLOVER-coded records
  (GSR), the CAMEO codebook and PLOVER manual examples (types only) and NGEC's synthetic stories
  (hit rate of the prompted type). Each public set is split in halves by a hash of its source id:
  changes to the coder were made looking at the dev halves only; the test halves are reported.

Usage: python bench/events.py [--ngec N] [--misses petrarch2|gsr|own|heldout|codebook] [--quick]
  --ngec N   score the first N synthetic stories of each prompted type (default: all 4,500)
  --quick    skip the synthetic stories
  --misses   print the dev-half sentences of a set that differ from gold (never the test half)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._events_sets import (
    CODEBOOK,
    GOLD,
    GSR,
    HELD_OUT,
    MANUAL,
    PETRARCH2,
    SHARED_EVENTS,
    Coded,
    Scores,
    code_rows,
    coded_types,
    gold_types,
    ngec_sample,
    petrarch2_output,
    read_rows,
    score,
    score_coded,
    score_types,
)
from bench._report import record

# PETRARCH2 on its 54 parseable validation rows (README of ../shared/bench/events, measured there
# and reproduced here by scoring reference/petrarch2_predictions.jsonl with the same code).
ANCHOR = {"accuracy": 0.926, "exact": 0.867, "country": 0.933}


def _row(name: str, s: Scores) -> str:
    e, c = s.prf("exact"), s.prf("country")
    return (
        f"| {name} | {s.sentences} | {s.accuracy:.3f} | {e[0]:.3f} / {e[1]:.3f} / {e[2]:.3f} | "
        f"{c[0]:.3f} / {c[1]:.3f} / {c[2]:.3f} |"
    )


def _misses(rows: list[Coded]) -> None:
    for c in rows:
        if c.split == "dev" and sorted(c.gold, key=str) != sorted(c.found, key=str):
            print(f"- [{c.row.get('source_id')}] {c.text}\n    gold {c.gold}\n    got  {c.found}")


def triple_sets(show: str | None) -> tuple[list[str], dict[str, Scores]]:
    """Table rows for every triple-gold set, and the scores the goals are read from."""
    lines = [
        "| gold set | sentences | event-type accuracy | triples P / R / F1 (exact codes) | "
        "triples P / R / F1 (country level) |",
        "|---|---|---|---|---|",
    ]
    own = code_rows(GOLD)
    held = code_rows(HELD_OUT)
    lines.append(_row("storyline's own, tuned on (bench/data/events_gold.jsonl)", score_coded(own)))
    lines.append(
        _row("storyline's own, held out (bench/data/events_heldout.jsonl)", score_coded(held))
    )
    for name, rows in (("own", own), ("heldout", held)):
        if show == name:
            for c in rows:
                if sorted(c.gold, key=str) != sorted(c.found, key=str):
                    print(f"- {c.text}\n    gold {c.gold}\n    got  {c.found}")
    goals: dict[str, Scores] = {}
    if not SHARED_EVENTS.exists():
        return lines, goals
    p2 = code_rows(PETRARCH2)
    theirs = petrarch2_output()
    parsed = [c for c in p2 if str(c.row["source_id"]) in theirs]

    def anchor(rows: list[Coded]) -> Scores:
        return score((c.text, c.gold, theirs[str(c.row["source_id"])]) for c in rows)

    clean_parsed = [c for c in parsed if c.row["clean"]]
    goals["petrarch2 parseable"] = score_coded(parsed)
    lines += [
        _row("PETRARCH-2 validation, all", score_coded(p2)),
        _row("PETRARCH-2 validation, `clean`", score_coded(c for c in p2 if c.row["clean"])),
        _row("PETRARCH-2 validation, test half", score_coded(c for c in p2 if c.split == "test")),
        _row("**PETRARCH-2 validation, parseable: storyline**", goals["petrarch2 parseable"]),
        _row("PETRARCH-2 validation, parseable: PETRARCH2", anchor(parsed)),
        _row("PETRARCH-2 validation, parseable and `clean`: storyline", score_coded(clean_parsed)),
        _row("PETRARCH-2 validation, parseable and `clean`: PETRARCH2", anchor(clean_parsed)),
        _row(
            "PETRARCH-2 validation, parseable, test half: storyline",
            score_coded(c for c in parsed if c.split == "test"),
        ),
        _row(
            "PETRARCH-2 validation, parseable, test half: PETRARCH2",
            anchor([c for c in parsed if c.split == "test"]),
        ),
    ]
    gsr = code_rows(GSR)
    goals["gsr"] = score_coded(gsr)
    lines += [
        _row("**PLOVER GSR records, all**", goals["gsr"]),
        _row("PLOVER GSR records, `clean`", score_coded(c for c in gsr if c.row["clean"])),
        _row("PLOVER GSR records, dev half", score_coded(c for c in gsr if c.split == "dev")),
        _row("PLOVER GSR records, test half", score_coded(c for c in gsr if c.split == "test")),
    ]
    if show == "petrarch2":
        _misses(p2)
    if show == "gsr":
        _misses(gsr)
    return lines, goals


def types_sets(show: str | None) -> list[str]:
    """Table rows for the types-only example sets, with recall per type."""
    lines = [
        "| types-only set | sentences | event-type accuracy | recall per gold type (found/gold) |",
        "|---|---|---|---|",
    ]
    for name, path in (
        ("CAMEO codebook examples", CODEBOOK),
        ("PLOVER manual examples", MANUAL),
    ):
        rows = read_rows(path)
        coded = [(gold_types(r), coded_types(str(r["text"]))) for r in rows]
        if show == "codebook" and path == CODEBOOK:
            for r, (gold, found) in zip(rows, coded, strict=True):
                if set(gold) != found and split_dev(r):
                    print(f"- [{r['source_id']}] {r['text']}\n    gold {gold}\n    got  {found}")
        s = score_types(coded)
        recall = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(s.per_type.items()))
        lines.append(f"| {name} | {s.sentences} | {s.accuracy:.3f} | {recall} |")
    return lines


def split_dev(row: dict[str, object]) -> bool:
    from bench._events_sets import split_of

    return split_of(str(row["source_id"])) == "dev"


def ngec(per_type: int | None) -> tuple[list[str], str]:
    """Per prompted type: stories, hit rate, mean distinct types coded per story."""
    rows = ngec_sample(per_type)
    started = time.perf_counter()
    by_type: dict[str, list[tuple[bool, int]]] = defaultdict(list)
    failed: list[str] = []
    for row in rows:
        (label,) = gold_types(row)
        try:
            found = coded_types(str(row["text"]))
        except Exception as exc:  # a crash elsewhere in analysis: counted as a miss, named
            failed.append(f"{row['source_id']} ({type(exc).__name__}: {str(exc)[:60]})")
            found = set()
        by_type[label].append((label in found, len(found)))
    seconds = time.perf_counter() - started
    lines = [
        "| prompted type | stories | hit rate | mean distinct types coded |",
        "|---|---|---|---|",
    ]
    every = [x for v in by_type.values() for x in v]
    for kind in [*sorted(by_type), "all"]:
        items = every if kind == "all" else by_type[kind]
        hits = sum(h for h, _ in items) / len(items)
        mean = sum(n for _, n in items) / len(items)
        label = "**all**" if kind == "all" else kind
        lines.append(f"| {label} | {len(items)} | {hits:.3f} | {mean:.2f} |")
    how = (
        "all 4,500 stories"
        if per_type is None
        else f"the first {per_type} stories of each prompted type ({len(rows)})"
    )
    note = f"{how}, coded in {seconds:.0f} s"
    if failed:
        note += f"; analysis raised on {len(failed)} (counted as misses): " + ", ".join(failed[:3])
    return lines, note


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ngec", type=int, default=None, help="stories per prompted type")
    parser.add_argument("--quick", action="store_true", help="skip the synthetic stories")
    parser.add_argument("--misses", default=None, help="print the dev misses of one set")
    args = parser.parse_args()
    lines, goals = triple_sets(args.misses)
    body = "\n".join(lines)
    body += (
        "\n\nHappened events only: a negated or hypothetical event coded as happened is a false "
        "positive. Country level folds a state's sector codes into the state (RUSGOV → RUS; "
        "organisation codes such as UNICEF or ECOWAS stay whole)."
    )
    if not goals:
        body += f"\n\nThe public sets were skipped: {SHARED_EVENTS} is not there."
        record("events.py", "Political event coding (PLOVER/CAMEO)", body)
        return 0
    p2, gsr = goals["petrarch2 parseable"], goals["gsr"]
    checks = [
        (
            f"PETRARCH-2 parseable rows ({p2.sentences}): event-type accuracy {p2.accuracy:.3f}"
            f" > PETRARCH2 {ANCHOR['accuracy']}",
            p2.accuracy > ANCHOR["accuracy"],
        ),
        (
            f"PETRARCH-2 parseable rows: exact triple F1 {p2.prf('exact')[2]:.3f}"
            f" > PETRARCH2 {ANCHOR['exact']}",
            p2.prf("exact")[2] > ANCHOR["exact"],
        ),
        (
            f"PETRARCH-2 parseable rows: country-level triple F1 {p2.prf('country')[2]:.3f}"
            f" > PETRARCH2 {ANCHOR['country']}",
            p2.prf("country")[2] > ANCHOR["country"],
        ),
        (
            f"PLOVER GSR records ({gsr.sentences}): event-type accuracy {gsr.accuracy:.3f} ≥ 0.80"
            f" (triple F1 exact {gsr.prf('exact')[2]:.3f}, country {gsr.prf('country')[2]:.3f})",
            gsr.accuracy >= 0.80,
        ),
    ]
    body += "\n\nGoals (issue 27):\n\n" + "\n".join(
        f"- {'met' if ok else 'NOT met'}: {text}" for text, ok in checks
    )
    body += "\n\n" + "\n".join(types_sets(args.misses))
    body += (
        "\n\nTypes-only sets: accuracy is set equality of coded and gold types (one code per "
        "codebook sentence, so strict where a sentence holds several events)."
    )
    if not args.quick:
        table, how = ngec(args.ngec)
        body += "\n\nNGEC synthetic stories (document level; " + how + "):\n\n" + "\n".join(table)
        body += (
            "\n\nHit rate: the prompted type is among the types coded in the story (the stories "
            "report further events, so this is not a precision)."
        )
    body += (
        "\n\nWhat was tuned on what: the coder's rules and actor data were changed looking at "
        "the misses of the dev halves (a hash of `source_id`) of the PETRARCH-2 validation "
        "records and the GSR records, and at storyline's own tuned set; the test halves, the "
        "held-out set, the codebook and manual examples and the synthetic stories were only "
        "scored. Before issue 27's changes the same bench gave: PETRARCH-2 parseable 0.315 / "
        "exact F1 0.033 / country F1 0.066; GSR all 0.278 / 0.104 / 0.137; codebook 0.256; "
        "held out 0.900 / 0.778 / 0.815. The held-out set's very first score was exact F1 "
        "0.741; one earlier change came from its errors (bodies outside the gazetteer such as "
        '"US Treasury" coded by the state they name). The synthetic stories are sampled '
        "(`--ngec 40`): all 4,500 took over 15 minutes on these shared cores. The PETRARCH2 "
        "rows score its own output (reference/"
        "petrarch2_predictions.jsonl, joined on `source_id`) with the same code; that gold was "
        "made from PETRARCH-2's output, so the anchor flatters it."
    )
    record("events.py", "Political event coding (PLOVER/CAMEO)", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
