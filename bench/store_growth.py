"""Cost per article and story-query time as the store grows: 10k, 100k, 500k and 1M stored.

The store is filled with a synthetic stream (bench/assign_speed.py's: 15,000 articles a day, 220
words each, stories that live for days) written straight into the tables as placed, analysed
articles, in bulk, so that reaching 1M takes minutes, not the days the pipeline would. At each
size the real pipeline then takes the next BATCH articles of the stream (clean, store, assign,
no spaCy: analysis does not depend on the store's size), once through a fresh process state, as
a `storyline ingest` run does, and KEPT_BATCHES times through a state kept from an earlier
batch, as `storyline watch` and `backfill` keep it; and the story queries a reader makes are
timed.

Usage: python bench/store_growth.py [--max N] [--db URL] [--profile PATH]
(default 1,000,000 into SQLite in a temporary folder; about 70 minutes on two cores at 1M)
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sqlalchemy.engine import make_url

from bench._report import record
from bench.assign_speed import PER_DAY, Stream
from storyline.assign import snapshot
from storyline.assign.dedup import signature, to_bytes
from storyline.config import get_settings
from storyline.facade import Storyline
from storyline.pipeline import AssignState
from storyline.store.schema import articles, stories, story_events

# 500,000 and 1,000,000 both hold a full story window (30 days of the stream, 450,000 articles):
# past that size, the assigner's state stops growing and only the database does.
CHECKPOINTS = (10_000, 100_000, 500_000, 1_000_000)
BATCH = 200  # articles ingested and placed at each size
KEPT_BATCHES = 5  # batches placed with the kept state: saves and forgetting fall in some only
FILL_CHUNK = 5_000  # rows per bulk transaction


class Filler:
    """Writes the stream into the tables as placed articles, with their stories and events."""

    def __init__(self, sl: Storyline) -> None:
        self.sl = sl
        self.settings = sl.settings
        self.stream = Stream()
        self.index = 0
        self.now = datetime.now(UTC)
        self.story_ids: dict[int, int] = {}  # id() of a stream story → its row id
        self.event_ids: dict[int, int] = {}  # id() of a story's event word list → its row id
        self.counts: dict[tuple[str, int], int] = {}
        self.span: dict[tuple[str, int], tuple[datetime, datetime]] = {}

    def fill_to(self, size: int) -> float:
        start = time.perf_counter()
        self.now = datetime.now(UTC)  # when these were "placed": the stream's times are 2031
        while self.index < size:
            rows = [self._row() for _ in range(min(FILL_CHUNK, size - self.index))]
            with self.sl.store.transaction() as conn:
                conn.execute(articles.insert(), [r for r in rows if r])
        self._write_counts()
        return time.perf_counter() - start

    def _group(
        self, table: Any, key: tuple[str, int], title: str, when: datetime, **extra: Any
    ) -> int:
        cache = self.story_ids if key[0] == "story" else self.event_ids
        if key[1] not in cache:
            with self.sl.store.transaction() as conn:
                result = conn.execute(
                    table.insert().values(
                        title=title, first_seen=when, last_seen=when, article_count=0,
                        created_at=when, updated_at=when, **extra,
                    )
                )  # fmt: skip
            cache[key[1]] = int(result.inserted_primary_key[0])
        self.counts[key] = self.counts.get(key, 0) + 1
        first, _ = self.span.get(key, (when, when))
        self.span[key] = (first, when)
        return cache[key[1]]

    def _row(self) -> dict[str, Any]:
        article = self.stream.article(self.index)
        self.index += 1
        story = self.stream.last_story
        when = article.published
        assert when is not None
        if story is None:  # a republished copy: stored as a copy of nothing in particular
            story_id = event_id = None
        else:
            story_id = self._group(stories, ("story", id(story)), article.title or "", when)
            event_id = self._group(
                story_events, ("event", id(story.event)), article.title or "", when,
                story_id=story_id,
            )  # fmt: skip
        text = article.text
        return {
            "id": article.id, "source_id": None, "locator": article.source,
            "source_kind": "jsonl", "url": f"https://outlet{self.index % 40}.example/{article.id}",
            "canonical_url": f"https://outlet{self.index % 40}.example/{article.id}",
            "title": article.title, "raw": "", "raw_format": "text", "text": text,
            "outlet": f"outlet{self.index % 40}.example", "published": when,
            "published_source": "record", "published_note": None, "language": "en",
            "language_score": 1.0, "encoding": None, "encoding_note": None, "fetched_at": None,
            "ingested_at": when, "removed_lines": [], "assigned_at": self.now,
            "stages": "ingested,cleaned,analyzed,assigned",
            "content_hash": hashlib.sha256(text.encode()).hexdigest(),
            "minhash": to_bytes(signature(text, self.settings)), "duplicate_of": None,
            "duplicate_similarity": None, "duplicate_kind": None, "story_id": story_id,
            "event_id": event_id, "placed_at": when, "placement_note": None,
            "analyzed_at": when, "analysis_note": None,
        }  # fmt: skip

    def _write_counts(self) -> None:
        with self.sl.store.transaction() as conn:
            for (kind, key), count in self.counts.items():
                table = stories if kind == "story" else story_events
                row_id = (self.story_ids if kind == "story" else self.event_ids)[key]
                first, last = self.span[(kind, key)]
                conn.execute(
                    table.update()
                    .where(table.c.id == row_id)
                    .values(article_count=count, first_seen=first, last_seen=last)
                )
        self.counts, self.span = {}, {}  # counts are written once per fill: reset the tally

    def next_batch(self, folder: Path, size: int) -> Path:
        """The next ``size`` articles of the stream as a JSONL file for `ingest`."""
        path = folder / f"batch-{self.index}.jsonl"
        lines = []
        for _ in range(size):
            article = self.stream.article(self.index)
            self.index += 1
            record_ = {
                "url": f"https://late.example/{article.id}",
                "title": article.title,
                "text": article.text,
                "published": article.published.isoformat() if article.published else None,
            }
            lines.append(json.dumps(record_))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path


def timed(call: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = call()
    return (time.perf_counter() - start) * 1000, result


def measure(
    sl: Storyline, filler: Filler, folder: Path, profile: Path | None = None
) -> dict[str, float]:
    """Store one batch and place it as a new process does when no snapshot fits (rebuilding the
    assigner's state from the story window, then saving a snapshot); store and place a second
    one in another new process, which starts from that snapshot; place KEPT_BATCHES more with
    the state kept in memory, as `watch` keeps it; time the queries. With ``profile``, one more is
    then placed with the kept state under cProfile (after the timings, so they are unaffected)
    and its statistics written there."""
    saved_at = snapshot.location(sl.store.url, sl.settings)
    assert saved_at is not None, "turn assign_snapshots on for this benchmark"
    saved_at.unlink(missing_ok=True)  # the bulk fill placed articles no snapshot knows
    store_ms, report = timed(
        lambda: sl.ingest([str(filler.next_batch(folder, BATCH))], analyze=False, assign=False)
    )
    assert len(report.ingested) + len(report.duplicates) == BATCH, report.failures
    cold_ms, _ = timed(lambda: sl.assign(state=AssignState()))
    snapshot_mib = saved_at.stat().st_size / 2**20
    read_ms, _ = timed(lambda: snapshot.load(saved_at, sl.settings))
    state = AssignState()
    sl.ingest([str(filler.next_batch(folder, BATCH))], analyze=False, assign=False)
    restart_ms, _ = timed(lambda: sl.assign(state=state))
    assert (state.loads, state.rebuilds) == (1, 0), "the snapshot was not used"
    warm_ms = []
    for _ in range(KEPT_BATCHES):
        sl.ingest([str(filler.next_batch(folder, BATCH))], analyze=False, assign=False)
        warm_ms.append(timed(lambda: sl.assign(state=state))[0])
    assert state.assigner is not None
    listing_ms, listed = timed(lambda: sl.stories(limit=50))
    biggest = max(listed, key=lambda s: s.article_count)
    story_ms, _ = timed(lambda: sl.story(biggest.id))
    members_ms, _ = timed(lambda: sl.articles(story_id=biggest.id, limit=100))
    brief_ms, _ = timed(lambda: sl.brief(biggest.id))
    if profile is not None:
        sl.ingest([str(filler.next_batch(folder, BATCH))], analyze=False, assign=False)
        profiler = cProfile.Profile()
        profiler.runcall(sl.assign, state=state)
        profiler.dump_stats(profile)
    return {
        "store_per_article_ms": store_ms / BATCH,
        "cold_per_article_ms": cold_ms / BATCH,
        "restart_per_article_ms": restart_ms / BATCH,
        "warm_per_article_ms": sum(warm_ms) / (BATCH * KEPT_BATCHES),
        "warm_lowest_ms": min(warm_ms) / BATCH,
        "warm_highest_ms": max(warm_ms) / BATCH,
        "window_articles": len(state.assigner.known),
        "snapshot_mib": snapshot_mib,
        "snapshot_read_ms": read_ms,
        "stories_ms": listing_ms,
        "story_ms": story_ms,
        "members_ms": members_ms,
        "brief_ms": brief_ms,
        "story_size": biggest.article_count,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max", type=int, default=CHECKPOINTS[-1])
    parser.add_argument("--db", default=None, help="database URL (default: SQLite, temporary)")
    parser.add_argument(
        "--profile",
        type=Path,
        default=None,
        help="write cProfile statistics of one more kept-state batch at each size to PATH-SIZE",
    )
    args = parser.parse_args()
    sizes = [c for c in CHECKPOINTS if c <= args.max] or [args.max]
    lines = [
        "| stored articles | fill s | clean + store: ms/article | place, state rebuilt: "
        "ms/article | place, new process from snapshot: ms/article | place, state kept: "
        f"ms/article ({KEPT_BATCHES} batches: all / lowest–highest) | articles in the state | "
        "snapshot MiB / read s | list 50 stories ms | one story ms | its "
        "articles (100) ms | its briefing ms | biggest open story | db size MiB | peak RSS MiB |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = args.db or f"sqlite:///{folder / 'growth.db'}"
        with Storyline(settings=get_settings(db_url=url)) as sl:
            filler = Filler(sl)
            for size in sizes:
                fill_s = filler.fill_to(size)
                print(f"filled to {size:,} in {fill_s:.0f} s", flush=True)
                profile = (
                    args.profile.with_name(f"{args.profile.name}-{size}") if args.profile else None
                )
                found = measure(sl, filler, folder, profile)
                db_file = Path(make_url(url).database or folder / "growth.db")
                db_mib = db_file.stat().st_size / 2**20 if db_file.exists() else float("nan")
                rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                line = (
                    f"| {size:,} | {fill_s:.0f} | {found['store_per_article_ms']:.1f} | "
                    f"{found['cold_per_article_ms']:.1f} | "
                    f"{found['restart_per_article_ms']:.1f} | "
                    f"{found['warm_per_article_ms']:.1f} / {found['warm_lowest_ms']:.1f}–"
                    f"{found['warm_highest_ms']:.1f} | {found['window_articles']:,} | "
                    f"{found['snapshot_mib']:,.0f} / {found['snapshot_read_ms'] / 1000:.1f} | "
                    f"{found['stories_ms']:.0f} | "
                    f"{found['story_ms']:.0f} | {found['members_ms']:.0f} | "
                    f"{found['brief_ms']:.0f} | {found['story_size']:,} articles | "
                    f"{db_mib:,.0f} | {rss:,.0f} |"
                )
                print(line, flush=True)
                lines.append(line)
    body = "\n".join(lines) + (
        f"\n\nSynthetic stream of {PER_DAY:,} articles a day; each row: the store filled to that "
        f"size, then {BATCH} new articles cleaned and stored (no spaCy: analysis does not depend "
        "on the store's size) and placed with the assigner's state rebuilt from the articles "
        "placed in the story window (a new process when no snapshot fits: the bulk fill "
        "placed articles no snapshot knows), which saves a snapshot; then "
        f"{BATCH} more placed by another new process, which reads that snapshot and the "
        f"articles placed since, as each `storyline ingest` run does; then {KEPT_BATCHES} "
        f"batches of {BATCH} more with the state kept in memory, as `storyline watch` keeps it "
        "between polls (snapshot saves and forgetting fall inside some of them: the lowest and "
        "highest batch are shown). Articles in the state: what the assigner remembers, bounded "
        "by the story window. Queries are on the biggest of the 50 most recently active "
        "stories."
    )
    record("store_growth.py", "Store growth: cost per article and story queries", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
