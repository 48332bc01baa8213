"""Analysis quality: quotes and speakers, numeric claims, date values and entity linking.

Gold sets:
- fixtures: tests/analyze/gold/fixtures.jsonl, fictional articles hand-labelled for this project;
- seeds: tests/analyze/gold/seeds.json, hand labels (offsets only) for ../shared/seeds, read
  through storyline's own ingest and cleaning, so spam-line removal is part of the test;
- PolNeAR test split (../shared/bench/quotes), when present: quote spans and speakers.

Matching: a predicted item matches a gold one when their overlap covers at least 30% of each
(one-to-one, largest overlap first). Speaker accuracy is over matched gold quotes; "end to end"
counts every gold quote, unmatched ones as wrong. Date value accuracy is over matched gold
expressions; value P/R/F1 counts a hit only when the value is also right. Dates are normalised
against the gold publication date. Usage: python bench/quality_analysis.py [--no-polnear]
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._report import SHARED, record
from storyline.analyze.annotate import analyze_articles
from storyline.analyze.names import fold, sound_key
from storyline.clean.article import clean_article
from storyline.config import get_settings
from storyline.ingest.sources import read_sources
from storyline.model import Article, IngestFailure, SourceKind

GOLD = Path(__file__).resolve().parents[1] / "tests" / "analyze" / "gold"
SPEECH_CUES = {"said", "says", "say", "according to", "told", "wrote", "tell", "telling",
               "saying", "writes", "write"}  # fmt: skip


@dataclass
class GoldDoc:
    """One gold document, spans into ``text`` (the clean text storyline analyses)."""

    name: str
    text: str
    published: date | None
    quotes: list[dict] = field(default_factory=list)  # start, end, speaker, kind, cue, sspans
    times: list[dict] = field(default_factory=list)  # start, end, value
    claims: list[dict] = field(default_factory=list)  # start, end, quantity, quantity_max
    entities: list[dict] = field(default_factory=list)  # name, type, mentions


def prf(correct: int, predicted: int, gold: int) -> tuple[float, float, float]:
    p = correct / predicted if predicted else 0.0
    r = correct / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def match(gold: list[tuple[int, int]], pred: list[tuple[int, int]]) -> dict[int, int]:
    """Gold index → predicted index, one to one, when the overlap is ≥30% of both."""
    pairs = []
    for gi, (gs, ge) in enumerate(gold):
        for pi, (ps, pe) in enumerate(pred):
            overlap = min(ge, pe) - max(gs, ps)
            if overlap > 0 and overlap >= 0.3 * (ge - gs) and overlap >= 0.3 * (pe - ps):
                pairs.append((overlap, gi, pi))
    used_g: set[int] = set()
    used_p: set[int] = set()
    result = {}
    for _, gi, pi in sorted(pairs, reverse=True):
        if gi not in used_g and pi not in used_p:
            result[gi] = pi
            used_g.add(gi)
            used_p.add(pi)
    return result


def same_speaker(gold: str | None, names: list[str]) -> bool:
    """A gold speaker name equals a predicted one (spelling- and transliteration-folded),
    or their surnames agree."""
    if not gold:
        return not any(names)
    g = sound_key(gold)
    for name in names:
        if not name:
            continue
        n = sound_key(name)
        if n == g or (n.split() and g.split() and n.split()[-1] == g.split()[-1]):
            return True
    return False


# --- loading gold --------------------------------------------------------------------------


def _find_all(text: str, needle: str, start: int = 0) -> int:
    return text.find(needle, start) if needle else -1


def load_fixtures() -> list[GoldDoc]:
    docs = []
    path = GOLD / "fixtures.jsonl"
    if not path.exists():
        return docs
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        text = rec["text"]
        doc = GoldDoc(rec["id"], text, date.fromisoformat(rec["published"]))
        cursor: dict[str, int] = {}
        for kind, items, field_name in (("quotes", rec.get("quotes", []), "quote"),
                                        ("times", rec.get("times", []), "text"),
                                        ("claims", rec.get("claims", []), "text")):  # fmt: skip
            for item in items:
                needle = item[field_name]
                at = _find_all(text, needle, cursor.get(f"{kind}:{needle}", 0))
                if at < 0:
                    at = _find_all(text, needle)
                if at < 0:
                    continue
                cursor[f"{kind}:{needle}"] = at + 1
                getattr(doc, kind).append({**item, "start": at, "end": at + len(needle)})
        doc.entities = rec.get("entities", [])
        docs.append(doc)
    return docs


def _clean_seed(path: Path) -> Article | None:
    settings = get_settings()
    for item in read_sources([str(path)], settings):
        if isinstance(item, IngestFailure):
            return None
        return clean_article(item, settings)
    return None


def load_seeds() -> list[GoldDoc]:
    gold_path = GOLD / "seeds.json"
    seeds = SHARED / "seeds"
    if not gold_path.exists() or not seeds.is_dir():
        return []
    gold = json.loads(gold_path.read_text(encoding="utf-8"))["articles"]
    docs = []
    for name, labels in sorted(gold.items()):
        raw_path = seeds / name
        if not raw_path.exists():
            continue
        raw = raw_path.read_text(encoding="utf-8")
        article = _clean_seed(raw_path)
        if article is None:
            continue
        text = article.text
        published = date.fromisoformat(labels["published"]) if labels.get("published") else None
        doc = GoldDoc(name, text, published)

        def locate(start: int, end: int, raw: str = raw, text: str = text) -> int:
            needle = raw[start:end]
            guess = start * len(text) / max(len(raw), 1)
            best, at = -1, text.find(needle)
            while at >= 0:
                if best < 0 or abs(at - guess) < abs(best - guess):
                    best = at
                at = text.find(needle, at + 1)
            return best

        for kind in ("quotes", "times", "claims"):
            for item in labels.get(kind, []):
                at = locate(item["start"], item["end"])
                if at < 0:
                    continue  # the cleaner removed or rewrote that line: scored as missed
                span = {"start": at, "end": at + item["end"] - item["start"]}
                getattr(doc, kind).append({**item, **span})
        docs.append(doc)
    return docs


def load_polnear() -> list[GoldDoc]:
    path = SHARED / "bench" / "quotes" / "polnear_quotes.jsonl"
    if not path.exists():
        return []
    docs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["split"] != "test":
            continue
        published = (
            date.fromisoformat(rec["publication_date"][:10])
            if rec.get("publication_date")
            else None
        )
        doc = GoldDoc(rec["doc_id"], rec["text"], published)
        for q in rec["quotes"]:
            spans = q.get("quote_spans") or []
            if not spans:
                continue
            doc.quotes.append({
                "start": min(s[0] for s in spans), "end": max(s[1] for s in spans),
                "speaker": q.get("speaker"), "kind": q.get("type"),
                "cue": (q.get("cue") or "").lower(),
                "speaker_spans": q.get("speaker_spans") or [],
            })  # fmt: skip
        docs.append(doc)
    return docs


# --- scoring -------------------------------------------------------------------------------


def _noon(day: date | None) -> datetime | None:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC) if day else None


def analyse(docs: list[GoldDoc]) -> tuple[list[Article], float]:
    settings = get_settings()
    articles = [
        Article(
            source=d.name, source_kind=SourceKind.TEXT, raw="", text=d.text, id=f"doc{i}",
            published=_noon(d.published),
            language="en",
        )
        for i, d in enumerate(docs)
    ]  # fmt: skip
    started = time.perf_counter()
    done = list(analyze_articles(articles, settings))
    return done, time.perf_counter() - started


def score_quotes(docs: list[GoldDoc], arts: list[Article], only_speech: bool = False) -> dict:
    found = gold_n = pred_n = speaker_ok = 0
    for doc, art in zip(docs, arts, strict=True):
        golds = [q for q in doc.quotes if not only_speech or q.get("cue") in SPEECH_CUES]
        preds = art.quotes
        names = {e.id: [e.name, *e.aliases] for e in art.entities}
        pairs = match(
            [(g["start"], g["end"]) for g in golds], [(p.span.start, p.span.end) for p in preds]
        )
        gold_n += len(golds)
        pred_n += len(preds)
        found += len(pairs)
        for gi, pi in pairs.items():
            g, p = golds[gi], preds[pi]
            candidates = [p.speaker or "", *names.get(p.speaker_entity_id or "", [])]
            if g.get("speaker") is None:  # gold: no identifiable speaker; ours must name no one
                ok = p.speaker_entity_id is None
            else:
                ok = same_speaker(g.get("speaker"), candidates)
            if not ok and g.get("speaker_spans") and p.speaker_span is not None:
                ok = any(
                    s[0] < p.speaker_span.end and p.speaker_span.start < s[1]
                    for s in g["speaker_spans"]
                )
            speaker_ok += ok
    p, r, f = (
        prf(found, pred_n, gold_n)
        if not only_speech
        else (float("nan"), found / gold_n if gold_n else 0, float("nan"))
    )
    return {"gold": gold_n, "pred": pred_n, "matched": found, "P": p, "R": r, "F1": f,
            "speaker_acc": speaker_ok / found if found else 0.0,
            "speaker_e2e": speaker_ok / gold_n if gold_n else 0.0}  # fmt: skip


def score_times(docs: list[GoldDoc], arts: list[Article]) -> dict:
    matched = value_ok = gold_n = pred_n = 0
    for doc, art in zip(docs, arts, strict=True):
        golds, preds = doc.times, art.times
        pairs = match(
            [(g["start"], g["end"]) for g in golds], [(t.span.start, t.span.end) for t in preds]
        )
        gold_n += len(golds)
        pred_n += len(preds)
        matched += len(pairs)
        value_ok += sum(1 for gi, pi in pairs.items() if preds[pi].value == golds[gi]["value"])
    p, r, f = prf(value_ok, pred_n, gold_n)
    sp, sr, sf = prf(matched, pred_n, gold_n)
    accuracy = value_ok / matched if matched else 0.0
    return {"gold": gold_n, "pred": pred_n, "span_F1": sf, "span_P": sp, "span_R": sr,
            "value_acc": accuracy, "P": p, "R": r, "F1": f}  # fmt: skip


def score_claims(docs: list[GoldDoc], arts: list[Article]) -> dict:
    matched = qty_ok = gold_n = pred_n = 0
    for doc, art in zip(docs, arts, strict=True):
        golds, preds = doc.claims, art.claims
        pairs = match(
            [(g["start"], g["end"]) for g in golds], [(c.span.start, c.span.end) for c in preds]
        )
        gold_n += len(golds)
        pred_n += len(preds)
        matched += len(pairs)
        for gi, pi in pairs.items():
            g, c = golds[gi], preds[pi]
            same = (g.get("quantity") is None and c.quantity is None) or (
                g.get("quantity") is not None
                and c.quantity is not None
                and abs(float(g["quantity"]) - c.quantity) < 1e-6
            )
            qty_ok += same and (g.get("quantity_max") or None) == (c.quantity_max or None)
    p, r, f = prf(matched, pred_n, gold_n)
    return {"gold": gold_n, "pred": pred_n, "P": p, "R": r, "F1": f,
            "quantity_acc": qty_ok / matched if matched else 0.0}  # fmt: skip


def score_entities(docs: list[GoldDoc], arts: list[Article]) -> dict:
    """Mention recall, within-article linking (pairwise P/R/F1) and cross-article id agreement."""
    found = total = 0
    tp = fp = fn = 0
    ids_by_name: dict[str, set[str]] = {}
    articles_by_name: dict[str, int] = {}
    for doc, art in zip(docs, arts, strict=True):
        by_text: dict[str, str] = {}
        for m in art.mentions:
            by_text.setdefault(fold(m.text), m.entity_id or "")
        labelled: list[tuple[str, str]] = []  # (gold entity, predicted id)
        for ent in doc.entities:
            gold_ids = set()
            for mention in ent.get("mentions", []):
                total += 1
                pid = by_text.get(fold(mention))
                if pid:
                    found += 1
                    labelled.append((ent["name"], pid))
                    gold_ids.add(pid)
            if gold_ids:
                articles_by_name[ent["name"]] = articles_by_name.get(ent["name"], 0) + 1
                ids_by_name.setdefault(ent["name"], set()).update(gold_ids)
        for i in range(len(labelled)):
            for j in range(i + 1, len(labelled)):
                same_gold = labelled[i][0] == labelled[j][0]
                same_pred = labelled[i][1] == labelled[j][1]
                tp += same_gold and same_pred
                fp += same_pred and not same_gold
                fn += same_gold and not same_pred
    p, r, f = prf(tp, tp + fp, tp + fn)
    recurring = [n for n, k in articles_by_name.items() if k > 1]
    one_id = sum(1 for n in recurring if len(ids_by_name[n]) == 1)
    return {"mentions": total, "mention_recall": found / total if total else 0.0,
            "link_P": p, "link_R": r, "link_F1": f, "recurring": len(recurring),
            "recurring_one_id": one_id}  # fmt: skip


def fmt(x: float) -> str:
    return "–" if x != x else f"{x:.3f}"


def row(*cells: object) -> str:
    """One markdown table row; floats are printed with three decimals."""
    return "| " + " | ".join(fmt(c) if isinstance(c, float) else str(c) for c in cells) + " |"


def rows_for(label: str, docs: list[GoldDoc], arts: list[Article]) -> list[str]:
    q = score_quotes(docs, arts)
    speakers = f"{fmt(q['speaker_acc'])} / {fmt(q['speaker_e2e'])}"
    out = [
        row(label, len(docs), "quote spans (30% overlap)", q["gold"], q["pred"],
            q["P"], q["R"], q["F1"], ""),
        row("", "", "quote speakers (matched / end to end)", "", "", "", "", "", speakers),
    ]  # fmt: skip
    if label.startswith("PolNeAR"):
        s = score_quotes(docs, arts, only_speech=True)
        speech = f"{fmt(s['speaker_acc'])} / {fmt(s['speaker_e2e'])}"
        out.append(
            row("", "", "speech-cue quotes: recall; speakers (matched / e2e)", s["gold"], "",
                "", s["R"], "", speech)
        )  # fmt: skip
        kinds: dict[str, int] = {}
        for art in arts:
            for quote in art.quotes:
                kinds[quote.kind] = kinds.get(quote.kind, 0) + 1
        shares = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
        out.append(row("", "", "our attributions by kind (all counted above)", "", shares,
                       "", "", "", ""))  # fmt: skip
        return out
    t = score_times(docs, arts)
    c = score_claims(docs, arts)
    out += [
        row("", "", "date spans", t["gold"], t["pred"], t["span_P"], t["span_R"], t["span_F1"], ""),
        row("", "", "date values (accuracy on matched; P/R/F1 of right values)", "", "",
            t["P"], t["R"], t["F1"], t["value_acc"]),
        row("", "", "numeric claims (spans; quantity accuracy on matched)", c["gold"], c["pred"],
            c["P"], c["R"], c["F1"], c["quantity_acc"]),
    ]  # fmt: skip
    if any(d.entities for d in docs):
        e = score_entities(docs, arts)
        out += [
            row("", "", "entity linking within articles (mention pairs)",
                f"{e['mentions']} mentions", "", e["link_P"], e["link_R"], e["link_F1"],
                f"mention recall {fmt(e['mention_recall'])}"),
            row("", "", "one id across articles (recurring entities)", e["recurring"], "",
                "", "", "", f"{e['recurring_one_id']}/{e['recurring']}"),
        ]  # fmt: skip
    return out


def main() -> None:
    sets = [
        ("fixtures (hand-labelled, fictional)", load_fixtures()),
        ("seeds (../shared/seeds)", load_seeds()),
    ]
    if "--no-polnear" not in sys.argv:
        sets.append(("PolNeAR test", load_polnear()))
    lines = [
        "| set | docs | what | gold | ours | P | R | F1 | accuracy |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    notes = []
    for label, docs in sets:
        if not docs:
            notes.append(f"- {label}: not present, skipped.")
            continue
        arts, seconds = analyse(docs)
        lines += rows_for(label, docs, arts)
        words = sum(len(d.text.split()) for d in docs)
        notes.append(
            f"- {label}: {len(docs)} documents, {words:,} words analysed in {seconds:.1f} s."
        )
    body = (
        "\n".join(lines)
        + "\n\n"
        + "\n".join(notes)
        + "\n\nGoals (issue 27): PolNeAR test quote F1 ≥ 0.84 at 30% overlap, speaker accuracy on "
        "matched ≥ 0.90, end to end ≥ 0.75; fixtures and seeds speakers ≥ 0.95 (issue 3: date "
        "value accuracy ≥ 0.85). Published anchors: Citron (PARC 3.0) quote exact F1 0.567 "
        "(overlap 0.832), source exact F1 0.820; Gender Gap Tracker (98 English articles, "
        "speech quotes) quote F1 0.837 at 30% overlap, speaker accuracy 0.865. Before issue 27 "
        "(2026-11-23): PolNeAR test F1 0.593 (P 0.777, R 0.479), speakers 0.842 / 0.404, "
        "speech-cue recall 0.916 and speakers 0.917 / 0.840; seeds F1 0.814, speakers 0.912 / "
        "0.675; fixtures F1 0.965, speakers 0.919 / 0.864.\n\n"
        "PolNeAR labels every attribution, not only speech: beliefs, intentions, acts with an "
        'object ("called for X", "wants to"), documents that show. storyline reports them with '
        "their kind (direct, mixed, indirect = speech; belief = thoughts and intentions; source "
        '= documents, figures, "according to" a document) and all kinds are counted in the '
        "scores above; the speech-cue row is the part comparable to the speech-only anchors. "
        "A gold attribution in several pieces is scored as one span from its first to its last "
        "piece.\n\nTuned on what: the attribution rules and word lists were written while "
        "reading errors on the fixtures, the seeds, a few ../shared/bench/realnews articles and "
        "the PolNeAR dev split (never its test split; train was not read). The fixtures and "
        "seed labels were written by helpers who did not see the code, so the fixtures and "
        "seeds rows are not blind either."
    )
    record(
        "quality_analysis.py", "Analysis quality: quotes, speakers, claims, dates, entities", body
    )


if __name__ == "__main__":
    main()
