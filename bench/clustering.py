"""Story clustering against public benchmarks (../shared/bench/clustering), streaming protocol.

Each set is replayed in date order; every article is placed once on arrival. Printed: BCubed
P/R/F1 and the pairwise ("standard", Miranda et al. 2018) P/R/F1, for
- the TF-IDF single-pass baseline (storyline's first grouping, `bench/_tfidf_baseline.py`), and
- the streaming clusterer (`assign/streaming.py`) at event level and at thread level,
beside the published anchors from the README there. NeuS-AllSides is split by story id parity:
even ids are the dev half (tune there), odd ids the test half (report). Usage:
python bench/clustering.py [--dev]
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._report import SHARED, record
from bench._streams import (
    Item,
    late_arrivals,
    load_neus,
    load_pages,
    load_t17,
    mixed_stream,
    real_files,
    undate_third,
)
from bench._tfidf_baseline import StoryGrouper
from storyline.assign.assigner import Assigner
from storyline.assign.placement import StoryPlacer, features
from storyline.config import get_settings
from storyline.model import Article, SourceKind

DATA = SHARED / "bench" / "clustering"
Method = Callable[[list[Item]], dict[str, str]]


def scores(gold: dict[str, str], pred: dict[str, str]) -> dict[str, float]:
    """BCubed and pairwise P/R/F1 (items weighted; each item counts itself in BCubed)."""
    ids = list(gold)
    cell: Counter[tuple[str, str]] = Counter((gold[i], pred[i]) for i in ids)
    g_size: Counter[str] = Counter(gold[i] for i in ids)
    p_size: Counter[str] = Counter(pred[i] for i in ids)
    bp = sum(n * n / p_size[p] for (_, p), n in cell.items()) / len(ids)
    br = sum(n * n / g_size[g] for (g, _), n in cell.items()) / len(ids)
    tp = sum(n * (n - 1) / 2 for n in cell.values())
    pp = sum(n * (n - 1) / 2 for n in p_size.values())
    gp = sum(n * (n - 1) / 2 for n in g_size.values())
    sp, sr = (tp / pp if pp else 0.0), (tp / gp if gp else 0.0)

    def f(p: float, r: float) -> float:
        return 2 * p * r / (p + r) if p + r else 0.0

    return {"bP": bp, "bR": br, "bF": f(bp, br), "sP": sp, "sR": sr, "sF": f(sp, sr),
            "clusters": len(p_size)}  # fmt: skip


def baseline(items: list[Item], threshold: float = 0.15, days: float = 10.0) -> dict[str, str]:
    """storyline's first grouping, as the pipeline runs it (vocabulary fitted on the batch)."""
    settings = get_settings(story_threshold=threshold, story_window_days=days)
    articles = [
        Article(
            source=i.id,
            source_kind=SourceKind.TEXT,
            raw="",
            title=i.title,
            text=i.text,
            id=i.id,
            published=i.when,
        )
        for i in items
    ]
    grouper = StoryGrouper(settings, [f"{a.title}\n{a.title}\n{a.text}" for a in articles])
    pred, next_id = {}, 1
    for article, vector in zip(articles, grouper.vectors(articles), strict=True):
        story, _ = grouper.best(vector, article.published)  # type: ignore[arg-type]
        if story is None:
            story, next_id = next_id, next_id + 1
        grouper.add(story, article, vector)
        pred[article.id or ""] = str(story)
    return pred


def two_level(items: list[Item], level: str, **overrides: float) -> dict[str, str]:
    """storyline's placement as `storyline assign` runs it: events inside story threads."""
    placer = StoryPlacer(get_settings(**overrides))
    placed: dict[str, tuple[int, int]] = {}
    merged_into: dict[int, int] = {}  # recorded merges re-label earlier articles, as the store does
    next_event, next_story = 1, 1
    for item in items:
        doc_id, when = item.id, item.when
        vector = placer.vector(features(item.title, item.text), item.language)
        decision = placer.decide(vector, when)
        event, story = decision.event, decision.story
        if event is None:
            event, next_event = next_event, next_event + 1
        if story is None:
            story, next_story = next_story, next_story + 1
        merged_into.update((source, story) for source in decision.merge)
        placer.commit(event, story, vector, when, decision.merge)
        placed[doc_id] = (event, story)

    def final(story: int) -> int:
        while story in merged_into:
            story = merged_into[story]
        return story

    return {
        doc_id: str(event if level == "event" else final(story))
        for doc_id, (event, story) in placed.items()
    }


Pred = dict[str, tuple[str, str]]  # article id -> (event, story)


def assigner_run(stream: list[Item], **overrides: float) -> Pred:
    """`storyline assign`'s own decisions (copies, events, stories, merges) over ``stream`` in
    its order, without the database: new events and stories are numbered as the store would."""
    assigner = Assigner(get_settings(**overrides))
    merged_into: dict[int, int] = {}
    next_event, next_story = 1, 1
    placed: dict[str, tuple[int | None, int | None]] = {}
    for item in stream:
        article = Article(
            source=item.id,
            source_kind=SourceKind.TEXT,
            raw="",
            title=item.title or None,
            text=item.text,
            id=item.id,
            published=item.when,
            language=item.language,
        )
        plan = assigner.plan(article)
        if plan.group:
            if article.event_id is None:
                article.event_id, next_event = next_event, next_event + 1
            if article.story_id is None:
                article.story_id, next_story = next_story, next_story + 1
            merged_into.update((source, article.story_id) for source in plan.merge)
        assigner.commit(article, plan)
        placed[item.id] = (article.event_id, article.story_id)

    def final(story: int) -> int:
        while story in merged_into:
            story = merged_into[story]
        return story

    return {
        doc_id: (f"e{event}", f"s{final(story)}")
        if story is not None and event is not None
        else (f"alone:{doc_id}", f"alone:{doc_id}")
        for doc_id, (event, story) in placed.items()
    }


def scores_within(ids: list[str], gold: dict[str, str], pred: dict[str, str]) -> dict[str, float]:
    """BCubed and pairwise P/R/F1 over the items ``ids``, each judged with its whole predicted
    cluster (members from other sets count against precision) and its whole gold cluster."""
    by_pred: dict[str, list[str]] = {}
    by_gold: dict[str, list[str]] = {}
    for doc_id, cluster in pred.items():
        by_pred.setdefault(cluster, []).append(doc_id)
    for doc_id, cluster in gold.items():
        by_gold.setdefault(cluster, []).append(doc_id)
    bp = br = 0.0
    tp = pp = gp = 0
    for doc_id in ids:
        mates = by_pred[pred[doc_id]]
        right = sum(1 for m in mates if gold[m] == gold[doc_id])
        bp += right / len(mates)
        br += right / len(by_gold[gold[doc_id]])
        tp, pp, gp = tp + right - 1, pp + len(mates) - 1, gp + len(by_gold[gold[doc_id]]) - 1
    n = len(ids)

    def f(p: float, r: float) -> float:
        return 2 * p * r / (p + r) if p + r else 0.0

    bp, br = bp / n, br / n
    sp, sr = (tp / pp if pp else 1.0), (tp / gp if gp else 1.0)
    clusters = len({pred[i] for i in ids})
    return {"bP": bp, "bR": br, "bF": f(bp, br), "sP": sp, "sR": sr, "sF": f(sp, sr),
            "clusters": clusters}  # fmt: skip


def mixing(ids: list[str], gold: dict[str, str], pred: dict[str, str]) -> tuple[int, int, int]:
    """Predicted stories (of two or more articles) holding ``ids``; how many of them mix
    articles of two or more gold stories; and how many mix articles of two sets."""
    members: dict[str, set[str]] = {}
    sizes: Counter[str] = Counter(pred.values())
    for doc_id, cluster in pred.items():
        members.setdefault(cluster, set()).add(gold[doc_id])
    wanted = {pred[i] for i in ids}
    grouped = [c for c in wanted if sizes[c] > 1]
    mixed = [c for c in grouped if len(members[c]) > 1]
    across = [c for c in mixed if len({g.split(":", 1)[0] for g in members[c]}) > 1]
    return len(grouped), len(mixed), len(across)


def mixed_rows(label: str, stream: list[Item], pred: Pred, seconds: float) -> list[str]:
    """Table rows for one run over the mixed stream: the whole stream and each set in it."""
    story_gold = {i.id: f"{i.set}:{i.story}" for i in stream}
    event_gold = {i.id: f"{i.set}:{i.event or i.story}" for i in stream}
    stories = {doc_id: story for doc_id, (_, story) in pred.items()}
    events = {doc_id: event for doc_id, (event, _) in pred.items()}
    topic_gold = {i.id: f"{i.set}:{i.topic or i.story}" for i in stream}
    sets = [("all", [i.id for i in stream])]
    for name in ("neus", "t17", "uci", "page"):
        ids = [i.id for i in stream if i.set == name]
        if ids:
            sets.append((name, ids))
    rows = [f"| **{label}**: {len(stream):,} articles, {len(stream) / seconds:,.0f}/s | | | | |"]
    for name, ids in sets:
        levels = [("story level", story_gold, stories)]
        if name == "neus":
            levels.insert(0, ("event level", event_gold, events))
            levels.append(("story level, AllSides topics as gold", topic_gold, stories))
        for level, gold, found in levels:
            s = scores_within(ids, gold, found)
            grouped, mixed, across = mixing(ids, gold, found)
            share = (
                f"{mixed} of {grouped} ({100 * mixed / grouped:.1f}%), {across} across sets"
                if grouped
                else "0"
            )
            rows.append(
                f"| {SET_NAMES[name]}, {level} | {s['bP']:.3f} / {s['bR']:.3f} / "
                f"**{s['bF']:.3f}** | {s['sP']:.3f} / {s['sR']:.3f} / **{s['sF']:.3f}** | "
                f"{s['clusters']:,} | {share} |"
            )
    return rows


SET_NAMES = {
    "all": "whole stream",
    "neus": "NeuS members",
    "t17": "Timeline17 members",
    "uci": "UCI headlines",
    "page": "extraction pages",
}


def agreement(first: Pred, second: Pred) -> float:
    """BCubed F1 of one run's stories scored against another's (1.0: the same stories)."""
    a = {doc_id: story for doc_id, (_, story) in first.items()}
    b = {doc_id: story for doc_id, (_, story) in second.items() if doc_id in a}
    return scores(a, b)["bF"]


def mixed_stream_report(half: str) -> str:
    """The mixed stream, dated and with a third undated, and the same input in other orders."""
    pages = load_pages()
    stream = mixed_stream(half, pages)
    lines = [
        "| run / members | BCubed P / R / F1 | pairwise P / R / F1 | stories | stories mixing "
        "gold stories |",
        "|---|---|---|---|---|",
    ]
    runs = [
        ("mixed stream, dated", stream),
        ("mixed stream, a third undated", undate_third(stream)),
        (
            "mixed stream, a third undated, storyline's own date evidence used",
            undate_third(stream, recover=True),
        ),
    ]
    results = {}
    for label, items in runs:
        started = time.perf_counter()
        results[label] = pred = assigner_run(items)
        lines += mixed_rows(label, items, pred, time.perf_counter() - started)
    late = assigner_run(late_arrivals(stream))
    real = real_files()
    forward, backward = assigner_run(real), assigner_run(real[::-1])
    counts = [len({story for _, story in run.values()}) for run in (forward, backward)]
    order = [
        "",
        "| the same input in another order | BCubed agreement of the stories |",
        "|---|---|",
        f"| mixed stream: in date order, and with arrivals up to 3 days late | "
        f"{agreement(results['mixed stream, dated'], late):.3f} |",
        f"| {len(real)} real files (seeds + extraction pages): file order and reversed "
        f"({counts[0]} and {counts[1]} stories) | {agreement(forward, backward):.3f} |",
    ]
    return "\n".join(lines + order) + "\n\n" + MIXED_NOTES


MIXED_NOTES = (
    "The mixed stream (issue 19) is the NeuS and Timeline17 halves above, the UCI headlines "
    "(halved by a hash of the story) and all 181 extraction pages as distractors, in one stream. "
    "Each set is moved in time to start on the same day: NeuS keeps its six months; each "
    "Timeline17 topic starts with it (Egypt, Libya and Syria keeping their weeks apart, as in "
    "2011); the UCI sample's 36 hours sit in the middle; each page is given a time spread over "
    "the six months. Sets and topics overlap, so only content keeps them apart. Gold: NeuS "
    "events; Timeline17 topics; UCI stories; each page its own story, except 20 groups of pages "
    "that report one story, labelled by reading them (`bench/_streams.py`). Precision counts a "
    "story's members from other sets against it. *Stories mixing gold stories* counts predicted "
    "stories of two or more articles holding articles of two gold stories (one stray is "
    "enough), and how many of them mix sets. NeuS at story level against AllSides events is a "
    "lower bound: consecutive AllSides events of one developing story (the Taliban's advance "
    "and Kabul's fall, strikes on Gaza and the cease-fire) count as mixed; the row with "
    'AllSides topics as gold (a shelf such as "Supreme Court") is an upper bound. UCI '
    "headlines have no text: most have fewer than `story_min_words` content words and are not "
    "grouped, by design. *A third undated*: a third of the articles, chosen by a hash, lose "
    "their date and are placed by content alone where they arrive; in the second variant "
    "storyline's own evidence (URL, dateline, a date in the text) dates them again where it "
    "finds any, moved as their set was. *Arrivals up to 3 days late*: each article arrives a "
    "hash-chosen 0-3 days after its date. The real files are ingested one at a time, each as "
    "its own batch. Tuned on the dev halves (NeuS: even story ids; Timeline17 and UCI: a hash); "
    "the extraction pages have no split and were read while tuning, so their rows are not "
    "blind."
)


def row(name: str, s: dict[str, float], seconds: float, n: int) -> str:
    return (
        f"| {name} | {s['bP']:.3f} / {s['bR']:.3f} / **{s['bF']:.3f}** | "
        f"{s['sP']:.3f} / {s['sR']:.3f} / **{s['sF']:.3f}** | {s['clusters']} | "
        f"{n / seconds:,.0f} |"
    )


def main() -> None:
    if not DATA.exists():
        print(f"clustering benchmark not found at {DATA}; nothing to measure", file=sys.stderr)
        return
    half = "dev" if "--dev" in sys.argv else "test"
    lines = [
        "| set / method | BCubed P / R / F1 | pairwise P / R / F1 | clusters | articles/s |",
        "|---|---|---|---|---|",
    ]
    runs: list[tuple[str, Callable[[], list[Item]], list[tuple[str, Method]]]] = [
        (
            f"NeuS-AllSides {half} (event level)",
            lambda: load_neus(half),
            [
                ("TF-IDF single pass (baseline)", baseline),
                ("storyline placement, events", lambda i: two_level(i, "event")),
            ],
        ),
        (
            f"Timeline17 {half} (story level)",
            lambda: load_t17(half),
            [
                ("TF-IDF single pass (baseline)", baseline),
                ("storyline placement, stories", lambda i: two_level(i, "story")),
            ],
        ),
    ]
    for label, load, methods in runs:
        items = load()
        gold = {i.id: i.event or i.story for i in items}
        lines.append(
            f"| **{label}**: {len(items):,} articles, "
            f"{len(set(gold.values()))} gold clusters | | | | |"
        )
        for name, method in methods:
            started = time.perf_counter()
            pred = method(items)
            seconds = time.perf_counter() - started
            lines.append(row(name, scores(gold, pred), seconds, len(items)))
    body = "\n".join(lines) + (
        "\n\nPublished anchors (README in ../shared/bench/clustering; on the Miranda et al. 2018 "
        "English test set, not reachable here): Priberam pairwise F1 0.940 (P 0.981, R 0.903); "
        "SCStory BCubed F1 0.877. Goal on NeuS-AllSides: pairwise F1 ≥ 0.94, BCubed F1 ≥ 0.90."
        "\n\nThe method is `storyline assign`'s own placement (`assign/placement.py`): an "
        "article joins an open event (cosine ≥ 0.12 after a decay of 0.8 per 2-day window, "
        "and for an article naming 15 or more people, places or bodies, names agreeing to "
        "0.25), else starts a new event in the closest open story whose centroid it reaches "
        "(cosine ≥ 0.24, less 0.1 per 30-day window outside the story's dated span) and whose"
        " names it shares (cosine of the names alone ≥ 0.2, names read from capitals), else a"
        " new story. Vectors are sublinear TF-IDF over words (title twice) and names, the IDF"
        " with each word's frequency in its language (wordfreq) as a prior worth 500 "
        "articles. An undated article is scored by content alone and needs 0.06 more. "
        "Candidates come from an inverted index, never a scan. NeuS is scored on events, "
        "Timeline17 on stories. Caveats: in NeuS-AllSides every article of a story carries "
        "the story's timestamp, so time proximity is a strong cue there; Timeline17's topics "
        "run for months or years, longer than any story window, so they split into many "
        "threads, and its labels are the collection an article was gathered for (read by "
        "hand: some articles of the Syria collection report Libya, and join Libya's story)."
    )
    body += "\n\n" + mixed_stream_report(half)
    if half == "dev":
        print(body)
    else:
        record("clustering.py", "Story clustering (streaming protocol)", body)


if __name__ == "__main__":
    main()
