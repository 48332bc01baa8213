"""The assigner's snapshot: its size and the time to save and read it, as the state grows.

bench/assign_speed.py's synthetic stream (15,000 articles a day) is replayed through `Assigner`;
at each checkpoint the state is saved with `assign.snapshot.save` and read back with
`assign.snapshot.load` (the best of three of each, after one untimed pass that warms the page
cache), and the loaded assigner and the original then place the next CHECK articles of the
stream: the decisions must be the same, or the figures are not reported. A new process pays the
read once per run (`storyline ingest`); a save costs about a twentieth of the window's articles
taken in since the last (`assign.kept_state.SAVE_AFTER_SHARE`).

Usage: python bench/snapshot_speed.py [--max N] (default 100,000; 450,000 fills the story window)
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._report import record
from bench.assign_speed import PER_DAY, Stream
from storyline.assign import snapshot
from storyline.assign.assigner import Assigner
from storyline.config import Settings, get_settings
from storyline.model import Article

CHECKPOINTS = (10_000, 100_000, 450_000)
CHECK = 300  # articles placed by both assigners after the round trip
TRIES = 3


class Placer:
    """Drives an assigner as the runner does, handing out story and event ids as a store would."""

    def __init__(self, assigner: Assigner) -> None:
        self.assigner = assigner
        self.next_story, self.next_event = 1_000_000, 1_000_000

    def place(self, article: Article) -> tuple[int | None, int | None, str | None]:
        plan = self.assigner.plan(article)
        if plan.group:
            if article.story_id is None:
                article.story_id, self.next_story = self.next_story, self.next_story + 1
            if article.event_id is None:
                article.event_id, self.next_event = self.next_event, self.next_event + 1
        self.assigner.commit(article, plan)
        return article.story_id, article.event_id, article.duplicate_of


def _info() -> snapshot.SnapshotInfo:
    now = datetime.now(UTC)
    return snapshot.SnapshotInfo(
        database_id="bench",
        settings=snapshot.fingerprint(get_settings()),
        covered_from=now,
        seen_until=now,
        changes_seen=0,
        articles=0,
        last_article=None,
        saved_at=now,
    )


def _best(call: object) -> float:
    times = []
    for _ in range(TRIES):
        start = time.perf_counter()
        call()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def measure(stream: Stream, placer: Placer, index: int, settings: Settings) -> dict[str, float]:
    """Save and read the state; check that the copy places the next CHECK articles the same."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.assigner"
        info = _info()
        snapshot.save(path, placer.assigner, info)  # warms the page cache and the code paths
        save_ms = _best(lambda: snapshot.save(path, placer.assigner, info))
        size = path.stat().st_size
        snapshot.load(path, settings)
        load_ms = _best(lambda: snapshot.load(path, settings))
        _, loaded = snapshot.load(path, settings)
    copy = Placer(loaded)
    copy.next_story, copy.next_event = placer.next_story, placer.next_event
    start = time.perf_counter()
    for offset in range(CHECK):
        article = stream.article(index + offset)
        twin = dataclasses.replace(article)
        original = placer.place(article)
        assert copy.place(twin) == original, f"article {index + offset} placed differently"
    first_ms = (time.perf_counter() - start) * 1000  # both assigners: unpacking on first use
    return {
        "articles": index,
        "remembered": len(placer.assigner.known),
        "stories": len(placer.assigner.placer.stories.clusters),
        "events": len(placer.assigner.placer.events.clusters),
        "mib": size / 2**20,
        "save_ms": save_ms,
        "load_ms": load_ms,
        "check_ms": first_ms / CHECK,
        "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max", type=int, default=CHECKPOINTS[1])
    args = parser.parse_args()
    sizes = [c for c in CHECKPOINTS if c <= args.max] or [args.max]
    settings = get_settings()
    stream, placer = Stream(), Placer(Assigner(settings))
    rows, index = [], 0
    for size in sizes:
        while index < size:
            placer.place(stream.article(index))
            index += 1
        row = measure(stream, placer, index, settings)
        index += CHECK
        print(row, flush=True)
        rows.append(row)
    lines = [
        "| articles streamed | articles in the state | open stories / events | snapshot MiB | "
        "save ms | read ms | placing the next articles, both copies: ms/article | peak RSS MiB |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['articles']:,} | {row['remembered']:,} | {row['stories']:,} / "
            f"{row['events']:,} | {row['mib']:.1f} | {row['save_ms']:,.0f} | "
            f"{row['load_ms']:,.0f} | {row['check_ms']:.1f} | {row['rss']:,.0f} |"
        )
    body = "\n".join(lines) + (
        f"\n\nbench/assign_speed.py's synthetic stream ({PER_DAY:,} articles a day) replayed "
        "through `Assigner` without a database; at each row the state is saved and read back "
        f"(best of {TRIES}, page cache warm), then the original and the copy each place the "
        f"next {CHECK} articles, with the same decisions (checked: the figures are reported only "
        "then). Placing after the read includes unpacking the centroids those articles touch."
    )
    record("snapshot_speed.py", "Assigner snapshot: size, save and read time", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
