"""Briefing speed: how long `brief_story` takes for a story of 100, 500 and 2,000 articles.

The articles are Timeline17's (../shared/bench/clustering/t17.jsonl, PTB tokens undone), all
treated as one story, with outlets and dates from the set. Quotes, figures and dates are attached
by rule where the text has them (quoted passages, a number before a word, a weekday or month
name), so the fusing steps work on as many items as analysis would give them; analysis itself is
not timed (its speed is bench/analysis_speed.py). Prints and records milliseconds per brief and
the share of each step, and the time a user waits for `storyline brief`: the story's articles
with their quotes, figures and dates read from a SQLite database, then briefed.
Usage: python bench/briefing_speed.py
"""

from __future__ import annotations

import copy
import json
import re
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._report import SHARED, record
from bench.duplicates import detokenise
from storyline.clean.meta import content_hash
from storyline.facade import Storyline
from storyline.fuse.briefing import Source, choose_sentences
from storyline.fuse.facts import fuse_claims, fuse_quotes
from storyline.fuse.sourcing import split_sentences
from storyline.fuse.story_brief import brief_story
from storyline.fuse.timeline import timeline
from storyline.model import Article, Claim, Quote, SourceKind, Span, Story, TimeRef
from storyline.store.stories import Placement

T = TypeVar("T")
DATA = SHARED / "bench" / "clustering" / "t17.jsonl"
SIZES = (100, 500, 2000)
_QUOTE = re.compile(r'"([^"]{20,300})"')
_FIGURE = re.compile(r"\b(\d[\d,]*)\s+([a-z]+s)\b")
_DAY = re.compile(r"\bon (Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")


def load(limit: int) -> list[Article]:
    found: list[Article] = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        record_ = json.loads(line)
        for doc in record_["documents"]:
            text = detokenise(doc.get("text") or "")
            if len(text) < 400:
                continue
            aid = f"{record_['cluster_id']}/{doc['doc_id']}"
            article = Article(
                source=aid,
                source_kind=SourceKind.JSONL,
                raw="",
                id=aid,
                text=text,
                outlet=doc.get("source") or aid.split("/")[0],
                published=datetime.fromisoformat(doc["date"][:10]).replace(tzinfo=UTC),
            )
            _annotate(article)
            found.append(article)
    return found[:limit]


def _annotate(article: Article) -> None:
    """Quotes, figures and dates found by rule (a stand-in for analysis with as many items)."""
    aid, text = article.id or "", article.text
    for m in _QUOTE.finditer(text):
        article.quotes.append(Quote(Span(aid, m.start(1), m.end(1)), m.group(1), speaker="x"))
    for m in _FIGURE.finditer(text):
        quantity = float(m.group(1).replace(",", "") or 0)
        span = Span(aid, m.start(), m.end())
        article.claims.append(Claim(span, quantity, None, m.group(2), text=m.group(0)))
    day = article.published.date().isoformat() if article.published else None
    for m in _DAY.finditer(text):
        span = Span(aid, m.start(), m.end())
        article.times.append(TimeRef(span, m.group(0), day, "day", "relative to publication"))


def timed(step: str, function: Callable[[], T], times: dict[str, float]) -> T:
    split_sentences.cache_clear()  # every step splits the articles as if it were the first
    start = time.perf_counter()
    value = function()
    times[step] = time.perf_counter() - start
    return value


def stored_story(articles: list[Article], folder: str) -> tuple[Storyline, int]:
    """A SQLite database holding ``articles`` (analysed) as one story."""
    sl = Storyline(f"sqlite:///{folder}/brief.db")
    story_id = event_id = None
    for article in articles:
        article.content_hash = content_hash(article.text)
        if not sl.store.add_article(article)[1]:
            continue  # the same text twice in the set: stored once
        sl.store.save_analysis(article)
        article.placed_at = article.published
        article.story_id, article.event_id = story_id, event_id
        assert sl.store.save_placement(article, True, Placement("Timeline17 as one story"))
        story_id, event_id = article.story_id, article.event_id
    assert story_id is not None
    return sl, story_id


def main() -> int:
    if not DATA.exists():
        print(f"skipped: {DATA} not found (the benchmark corpora live in ../shared)")
        return 0
    articles = load(max(SIZES))
    rows = []
    for size in SIZES:
        part = articles[:size]
        story = Story(1, "Timeline17 as one story", None, None, size)
        sources = [Source(a.id or "", a.text, a.published, a.outlet) for a in part]
        times: dict[str, float] = {}
        timed("sentences", lambda: choose_sentences(sources), times)  # noqa: B023
        timed("figures", lambda: fuse_claims(part), times)  # noqa: B023
        timed("quotes", lambda: fuse_quotes(part), times)  # noqa: B023
        timed("timeline", lambda: timeline(part), times)  # noqa: B023
        brief = timed("whole brief", lambda: brief_story(story, part), times)  # noqa: B023
        with tempfile.TemporaryDirectory() as folder:
            sl, story_id = stored_story(copy.deepcopy(part), folder)
            with sl:
                timed("from the database", lambda: sl.brief(story_id), times)  # noqa: B023
        counts = (
            sum(len(a.claims) for a in part),
            sum(len(a.quotes) for a in part),
            sum(len(a.times) for a in part),
        )
        rows.append((size, times, counts, len(brief.sentences)))
        print(size, {k: round(v * 1000) for k, v in times.items()}, counts, flush=True)
    lines = [
        "| articles | figures / quotes / dates in | sentences | figures | quotes | timeline | "
        "whole brief | read from SQLite and briefed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for size, times, counts, _ in rows:
        ms = {k: f"{v * 1000:,.0f} ms" for k, v in times.items()}
        lines.append(
            f"| {size:,} | {counts[0]:,} / {counts[1]:,} / {counts[2]:,} | {ms['sentences']} | "
            f"{ms['figures']} | {ms['quotes']} | {ms['timeline']} | {ms['whole brief']} | "
            f"{ms['from the database']} |"
        )
    biggest = rows[-1][1]
    body = "\n".join(lines) + (
        f"\n\nTimeline17 articles as one story; the whole brief of {rows[-1][0]:,} articles took "
        f"{biggest['whole brief']:.1f} s, and {biggest['from the database']:.1f} s with its "
        "articles read from SQLite (`Storyline.brief`, what `storyline brief` waits for; the issue "
        "asks for a few seconds). Steps are timed separately, each with a cold sentence cache, "
        "and again inside the whole brief."
    )
    record("briefing_speed.py", "Briefing speed (story size)", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
