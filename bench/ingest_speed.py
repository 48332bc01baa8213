"""Ingest speed: articles/s and peak memory for clean+store and for story assignment (SQLite).

Analysis is left out here (bench/analysis_speed.py measures it), so figures stay comparable.

Replays synthetic articles with varied text (so exact duplicates do not make it easy), at a
few sizes, to show how the per-article cost grows with the store.
"""

from __future__ import annotations

import json
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._report import record
from storyline import Storyline

TOPICS = {
    "flood": "river dam rain evacuation rescue levee water homes villages army boats",
    "talks": "ministers talks summit treaty border ceasefire envoy proposal delegation",
    "market": "shares market index investors bank rates inflation earnings profit",
    "health": "hospital clinic vaccine outbreak patients doctors ministry cases beds",
    "sport": "final match goal coach league season cup players stadium fans",
}
FILLER = "the a said on in of to and with for after before about over near while".split()


def write_corpus(path: Path, count: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    places = [f"Place{i}" for i in range(300)]
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            topic, words = rng.choice(list(TOPICS.items()))
            vocab = words.split() + FILLER
            place = rng.choice(places)
            paragraphs = [
                " ".join(rng.choice(vocab) for _ in range(40)).capitalize() + f" {place} {i}."
                for _ in range(5)
            ]
            handle.write(
                json.dumps(
                    {
                        "url": f"https://www.bench{i % 40}.example/{topic}/{i}",
                        "title": f"{place} {topic} update {i}",
                        "text": "\n\n".join(paragraphs),
                        "published": f"2031-0{1 + i * 6 // count}-{1 + i % 28:02d}T00:00:00Z",
                    }
                )
                + "\n"
            )


def main() -> int:
    sizes = [int(a) for a in sys.argv[1:]] or [500, 2000]
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus.jsonl"
            write_corpus(corpus, size)
            with Storyline(f"sqlite:///{tmp}/bench.db") as sl:
                start = time.perf_counter()
                report = sl.ingest([str(corpus)], assign=False, analyze=False)
                ingest_s = time.perf_counter() - start
                start = time.perf_counter()
                placed = sl.assign()
                assign_s = time.perf_counter() - start
                extra = Path(tmp) / "one-more.jsonl"
                write_corpus(extra, 1, seed=size + 99)
                extra.write_text(extra.read_text().replace('/0"', '/one-more"'))
                start = time.perf_counter()
                sl.ingest([str(extra)], analyze=False)
                one_s = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        rows.append(
            f"| {size:,} | {len(report.ingested) / ingest_s:.1f} "
            f"| {placed.assigned / assign_s:.1f} "
            f"| {size / (ingest_s + assign_s):.1f} | {one_s * 1000:.0f} | {placed.new_stories} "
            f"| {peak:.0f} |"
        )
        print(rows[-1], file=sys.stderr)
    body = (
        "Synthetic JSONL articles (5 paragraphs, ~200 words each), one process, SQLite WAL. "
        "Peak memory is the process maximum so far (grows across sizes).\n\n"
        "| articles | clean+store articles/s | assign articles/s | end-to-end articles/s "
        "| one more article, ms | stories | peak RSS MiB |\n|---|---|---|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n\n'One more article' is a single ingest into the filled store: its cost grows with "
        "the articles inside the story window, because this first grouping refits TF-IDF over "
        "them (issue 4 replaces it with an indexed, incremental clusterer)."
    )
    record("ingest_speed.py", "Ingest and first story assignment speed", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
