"""Political event gold sets and their scoring, shared by bench/events.py and the floor test.

Every set is scored the same way (../shared/bench/events/README.md, "How to score"), on happened
events only (negated and hypothetical ones are not coded as happened):

- event-type accuracy: share of sentences whose set of coded PLOVER types equals the gold set
  (an empty set equals an empty set);
- triple precision / recall / F1 over the multiset of (actor, type, target), exact and at country
  level with :func:`coarse`.

Types-only sets (codebook and manual examples) give accuracy and recall per type; the synthetic
NGEC stories give the hit rate (the prompted type among the coded ones) and the mean number of
distinct types coded per story. The public files are read from ../shared at run time, never
copied: several are CC BY-SA or evaluation-only.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from bench._report import SHARED

DATA = Path(__file__).resolve().parent / "data"
GOLD = DATA / "events_gold.jsonl"
HELD_OUT = DATA / "events_heldout.jsonl"
SHARED_EVENTS = SHARED / "bench" / "events"
PETRARCH2 = SHARED_EVENTS / "petrarch2_validation.jsonl"
PETRARCH2_OUTPUT = SHARED_EVENTS / "reference" / "petrarch2_predictions.jsonl"
GSR = SHARED_EVENTS / "plover_gsr_cameo_manual.jsonl"
CODEBOOK = SHARED_EVENTS / "cameo_codebook_examples.jsonl"
MANUAL = SHARED_EVENTS / "plover_manual_examples.jsonl"
NGEC = SHARED_EVENTS / "ngec_synthetic_stories.jsonl"
# The published date of the bundled sets' sentences (they carry none).
PUBLISHED = datetime(2031, 5, 14, 12, 0, tzinfo=UTC)
# Sector suffixes of CAMEO-style codes (storyline's and the public gold's): "RUSGOV" is Russia's
# government; "UNICEF", "ECOWAS", "UNIFIL" are organisations whose names merely have six letters.
SECTORS = frozenset(
    "GOV MIL REB OPP PTY COP JUD SPY MED EDU BUS CVL LEG ELI LAB REL IGO NGO IMG CRM".split()
)

Triple = tuple[str | None, str, str | None]
Coder = Callable[[str, date | None], list[Triple]]


def coarse(code: str | None) -> str | None:
    """A state's sector code folded into the state (RUSGOV → RUS); every other code, such as an
    organisation's (UNICEF, ECOWAS, UNIFIL), unchanged."""
    if code and len(code) == 6 and code.isalpha() and code.isupper() and code[3:] in SECTORS:
        return code[:3]
    return code


def read_rows(path: Path) -> list[dict[str, object]]:
    """One JSON object per non-empty line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def split_of(source_id: str) -> str:
    """ "dev" or "test", fixed by a hash of the row's id: half of each public set to tune on."""
    return "dev" if hashlib.sha1(source_id.encode("utf-8")).digest()[0] % 2 == 0 else "test"


def storyline_coder(text: str, day: date | None) -> list[Triple]:
    """The happened events storyline codes in ``text`` as triples (analysis as in production)."""
    from storyline import analyze

    published = (
        datetime(day.year, day.month, day.day, 12, tzinfo=UTC) if day is not None else PUBLISHED
    )
    return [
        (e.actor.code if e.actor else None, e.plover, e.target.code if e.target else None)
        for e in analyze(text, published=published).events
        if not e.negated and not e.hypothetical
    ]


@dataclass(slots=True)
class Scores:
    """Event-type accuracy and triple counts over a set of sentences."""

    sentences: int = 0
    types_right: int = 0
    exact: tuple[int, int, int] = (0, 0, 0)  # hits, found, gold
    country: tuple[int, int, int] = (0, 0, 0)
    misses: list[tuple[str, list[Triple], list[Triple]]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.types_right / self.sentences if self.sentences else 0.0

    def prf(self, level: str = "exact") -> tuple[float, float, float]:
        hit, found, gold = self.exact if level == "exact" else self.country
        p = hit / found if found else 1.0
        r = hit / gold if gold else 1.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(pairs: Iterable[tuple[str, list[Triple], list[Triple]]]) -> Scores:
    """Scores of (text, gold triples, coded triples) rows."""
    result = Scores()
    exact = [0, 0, 0]
    country = [0, 0, 0]
    for text, gold, found in pairs:
        result.sentences += 1
        if {g[1] for g in gold} == {f[1] for f in found}:
            result.types_right += 1
        for counts, fold in ((exact, _same), (country, _country)):
            g = Counter(fold(t) for t in gold)
            f = Counter(fold(t) for t in found)
            counts[0] += sum((g & f).values())
            counts[1] += sum(f.values())
            counts[2] += sum(g.values())
        if Counter(gold) != Counter(found):
            result.misses.append((text, gold, found))
    result.exact = (exact[0], exact[1], exact[2])
    result.country = (country[0], country[1], country[2])
    return result


def _same(triple: Triple) -> Triple:
    return triple


def _country(triple: Triple) -> Triple:
    return (coarse(triple[0]), triple[1], coarse(triple[2]))


def triples(raw: object) -> list[Triple]:
    """Gold or coded events of a row as triples."""
    return [(a, t, b) for a, t, b in raw]  # type: ignore[attr-defined, misc]


def day_of(row: dict[str, object]) -> date | None:
    """The row's date when it is an ISO day (a few source dates are not: they give none)."""
    try:
        return date.fromisoformat(str(row.get("date") or ""))
    except ValueError:
        return None


@dataclass(slots=True)
class Coded:
    """A triple-gold row with storyline's coding."""

    row: dict[str, object]
    found: list[Triple]

    @property
    def text(self) -> str:
        return str(self.row["text"])

    @property
    def gold(self) -> list[Triple]:
        return triples(self.row["events"])

    @property
    def split(self) -> str:
        return split_of(str(self.row.get("source_id") or self.text))


def code_rows(path: Path, coder: Coder = storyline_coder) -> list[Coded]:
    """Every row of a triple-gold file with the events ``coder`` finds in it."""
    return [Coded(row, coder(str(row["text"]), day_of(row))) for row in read_rows(path)]


def score_coded(rows: Iterable[Coded]) -> Scores:
    return score((c.text, c.gold, c.found) for c in rows)


def petrarch2_output() -> dict[str, list[Triple]]:
    """PETRARCH2's own coding of the validation rows it can parse, by source id."""
    return {str(r["source_id"]): triples(r["events"]) for r in read_rows(PETRARCH2_OUTPUT)}


@dataclass(slots=True)
class TypeScores:
    """Types-only scoring: set-equality accuracy and recall per gold type."""

    sentences: int = 0
    right: int = 0
    per_type: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    @property
    def accuracy(self) -> float:
        return self.right / self.sentences if self.sentences else 0.0


def score_types(rows: Iterable[tuple[list[str], set[str]]]) -> TypeScores:
    """Accuracy (coded type set equals the gold set) and per-type recall of (gold, coded)."""
    result = TypeScores()
    for gold, found in rows:
        result.sentences += 1
        result.right += set(gold) == found
        for kind in set(gold):
            result.per_type[kind][0] += kind in found
            result.per_type[kind][1] += 1
    return result


def coded_types(text: str, coder: Coder = storyline_coder) -> set[str]:
    return {t for _, t, _ in coder(text, None)}


def gold_types(row: dict[str, object]) -> list[str]:
    raw = row["types"]
    if isinstance(raw, str):  # the NGEC file spells its list as Python text: "['PROTEST']"
        raw = [t.strip(" '\"") for t in raw.strip("[]").split(",") if t.strip(" '\"")]
    return [str(t) for t in raw]  # type: ignore[union-attr]


def ngec_sample(per_type: int | None) -> list[dict[str, object]]:
    """The synthetic stories, all of them or the first ``per_type`` of each prompted type."""
    rows = read_rows(NGEC)
    if per_type is None:
        return rows
    taken: Counter[str] = Counter()
    sample = []
    for row in rows:
        kind = gold_types(row)[0]
        if taken[kind] < per_type:
            taken[kind] += 1
            sample.append(row)
    return sample
