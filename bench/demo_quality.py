"""Quality of the first story grouping, copy detection and spam removal on the bundled demo corpus.

The demo corpus carries its own answer key (storyline/data/demo/EXPECTED.json, written with it).
Prints BCubed precision/recall/F1 of story grouping, precision/recall of copy links, and the
share of inserted spam lines removed.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._report import record
from storyline import Storyline, demo_corpus_path
from storyline.model import Article


def key(article: Article) -> str:
    return article.url or "text/" + Path(article.source).name


def bcubed(pred: dict[str, int], gold: dict[str, str]) -> tuple[float, float, float]:
    items = list(gold)
    precision = recall = 0.0
    for item in items:
        same_pred = {o for o in items if pred[o] == pred[item]}
        same_gold = {o for o in items if gold[o] == gold[item]}
        both = len(same_pred & same_gold)
        precision += both / len(same_pred)
        recall += both / len(same_gold)
    precision, recall = precision / len(items), recall / len(items)
    return precision, recall, 2 * precision * recall / (precision + recall)


def main() -> int:
    expected = json.loads((demo_corpus_path().parent / "EXPECTED.json").read_text("utf-8"))
    gold = {k: label for label, keys in expected["stories"].items() for k in keys}
    gold.update({k: f"single:{k}" for k in expected["unrelated"]})
    with tempfile.TemporaryDirectory() as tmp, Storyline(f"sqlite:///{tmp}/demo.db") as sl:
        sl.ingest([str(demo_corpus_path())])
        articles = {key(a): a for a in (sl.article(r["id"]) for r in sl.articles(limit=1000))}
    by_id = {a.id: k for k, a in articles.items()}
    p, r, f = bcubed({k: a.story_id or -1 for k, a in articles.items()}, gold)
    true_links = {(c["copy"], c["original"]) for c in expected["copies"]}
    surface = {(c["copy"], c["original"]) for c in expected["copies"] if c["kind"] != "translated"}
    found = {(k, by_id[a.duplicate_of]) for k, a in articles.items() if a.duplicate_of}
    near = {
        (k, by_id[a.duplicate_of])
        for k, a in articles.items()
        if a.duplicate_of and a.duplicate_kind == "near copy"
    }
    facts = found - near
    translated = true_links - surface
    removed = {line.line for a in articles.values() for line in a.removed_lines}
    spam_removed = sum(s in removed for s in expected["spam_lines"])
    spam_left = sum(any(s in a.text for a in articles.values()) for s in expected["spam_lines"])
    body = (
        f"{len(articles)} articles, {len(expected['stories'])} stories and "
        f"{len(expected['unrelated'])} unrelated articles in the answer key.\n\n"
        "| measure | precision | recall | F1 |\n|---|---|---|---|\n"
        f"| story grouping (BCubed) | {p:.3f} | {r:.3f} | {f:.3f} |\n"
        f"| copy links, all kinds | {len(found & true_links) / max(len(found), 1):.3f} | "
        f"{len(found & true_links) / len(true_links):.3f} | |\n"
        f"| near copies (republished) | {len(near & surface) / max(len(near), 1):.3f} | "
        f"{len(near & surface) / len(surface):.3f} | |\n"
        f"| same-facts copies (translated) | {len(facts & translated) / max(len(facts), 1):.3f} | "
        f"{len(facts & translated) / max(len(translated), 1):.3f} | |\n\n"
        f"Spam lines removed: {spam_removed}/{len(expected['spam_lines'])}; "
        f"left in clean text: {spam_left}. Near copies are found by MinHash over word "
        "shingles; the translated copy, in other words, by its names and numbers."
    )
    record("demo_quality.py", "Demo corpus: stories, copies, spam", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
