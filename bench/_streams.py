"""Streams for bench/clustering.py: the labelled sets of ../shared/bench/clustering, the real pages
of ../shared/bench/extraction as distractors, and the mixed stream built from all of them.

Every item carries its gold labels: the event (NeuS only), the story (NeuS: its AllSides story;
Timeline17: its topic; UCI: its story; a page: itself) and the set it came from. Dev and test
halves are fixed by a hash (NeuS: story-id parity, as the per-set tables have always used).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench._report import SHARED
from storyline.clean.article import clean_article
from storyline.config import get_settings
from storyline.errors import StorylineError
from storyline.ingest.sources import read_sources
from storyline.model import Article, SourceKind

CLUSTERING = SHARED / "bench" / "clustering"
EXTRACTION = SHARED / "bench" / "extraction"
SEEDS = SHARED / "seeds"
MIXED_START = datetime(2031, 1, 5, tzinfo=UTC)  # every set is shifted to start here


@dataclass(frozen=True, slots=True)
class Item:
    """One article of a benchmark stream with its gold labels."""

    id: str
    title: str
    text: str
    when: datetime | None
    set: str  # neus, t17, uci, page, seed
    story: str  # gold story
    event: str | None = None  # gold event (NeuS only)
    language: str | None = "en"  # as storyline detects it (pages and seeds), else English
    url: str | None = None
    shift: timedelta = timedelta(0)  # how far the mixed stream moved it from its real time
    topic: str | None = None  # NeuS: the AllSides topic (a shelf such as "Supreme Court")


def digest(key: str) -> int:
    return int(hashlib.blake2b(key.encode(), digest_size=4).hexdigest(), 16)


def in_half(key: str, half: str) -> bool:
    """Whether ``key`` falls in the ``half`` ("dev", "test" or "all") of a set."""
    return half == "all" or (digest(key) % 2 == 0) == (half == "dev")


def by_time(items: list[Item]) -> list[Item]:
    """Date order (same-day articles in no helpful order); undated items keep their place
    relative to the dated ones they were read between."""
    return sorted(items, key=lambda i: (i.when or datetime.max.replace(tzinfo=UTC), digest(i.id)))


def load_neus(half: str) -> list[Item]:
    """NeuS-AllSides: one event per AllSides story; the gold story is that event."""
    items = []
    for line in (CLUSTERING / "neus_allsides.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        number = int(rec["cluster_id"].rsplit("-", 1)[-1])
        if half != "all" and (number % 2 == 0) != (half == "dev"):
            continue
        when = datetime.fromisoformat(rec["date"]).astimezone(UTC)
        for doc in rec["documents"]:
            items.append(
                Item(
                    f"neus/{doc['doc_id']}",
                    doc.get("title") or "",
                    doc.get("text") or "",
                    when,
                    "neus",
                    rec["cluster_id"],
                    rec["cluster_id"],
                    url=doc.get("url"),
                    topic=rec.get("topic"),
                )
            )
    return by_time(items)


def load_t17(half: str) -> list[Item]:
    """Timeline17, halved by a hash of the article id; the gold story is the topic."""
    items = []
    for line in (CLUSTERING / "t17.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        for doc in rec["documents"]:
            doc_id = f"{rec['cluster_id']}/{doc['doc_id']}"
            if not in_half(doc_id, half):
                continue
            when = datetime.fromisoformat(doc["date"][:10]).replace(tzinfo=UTC)
            text = doc.get("text") or ""
            items.append(Item(f"t17/{doc_id}", "", text, when, "t17", rec["cluster_id"]))
    return by_time(items)


def load_uci(half: str) -> list[Item]:
    """UCI News Aggregator headlines (no body), halved by a hash of the story."""
    items = []
    path = CLUSTERING / "uci_news_aggregator_sample.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if not in_half(rec["cluster"], half):
            continue
        when = datetime.fromisoformat(rec["date"]).replace(tzinfo=UTC)
        items.append(
            Item(f"uci/{rec['id']}", rec["title"], "", when, "uci", rec["cluster"], url=rec["url"])
        )
    return by_time(items)


# Pages of the extraction benchmark that report one story (labelled for this benchmark by
# reading their titles and texts; ids by their first 12 hex digits). Every other page is a
# story of its own. The pages are from many sites, mostly of November 2019.
PAGE_STORIES = {
    "band reunion tour": ("9cb8224b660f", "ac1bfdd4c510", "35b158918c67"),
    "Swedish inquiry dropped": ("c7e39ac49fa1", "dc7ccccc1f34"),
    "NASA lunar landers": ("c50845a7158a", "d1c57d7821e5", "42aad16bde92"),
    "state anti-drug campaign": ("156770d676ce", "776a1c046798", "3f65af7b6b98"),
    "water plumes on a moon": ("14cc2a0ca59c", "686bb170effe", "f344ca5fb36e"),
    "a musical's reviews": ("521118842884", "8cad00dc22de"),
    "office start-up in trouble": ("06e5123e4ef7", "1ace8c85aaee", "bc13ff87b263"),
    "impeachment hearings": ("7a664e40d256", "82b6d780c792", "c90731f051d0"),
    "threat to a congresswoman": ("6ebac05f637e", "7a457a4f7173"),
    "singer and label dispute": ("70cb2d5bca75", "eb62ac8425e5"),
    "bedding and lung disease": ("7bb1ca903543", "bd673bd79881", "a078b3656adc", "9eef8162bbb6"),
    "plague cases": ("432362af0be4", "8b1945303082", "ea25dd7edff4", "ba4dfe2d3e81"),
    "kidnapping rescue": ("2c46804d9db4", "51d066b0602c"),
    "game streaming launch": ("680c2848e94a", "8267acacb9e4", "aade2ec8d1e7", "e100c9612ad8"),
    "retailer's earnings": ("51374560f400", "f8ff621a0b9b"),
    "hibernating astronauts": ("b37be3535e1f", "e1c7023ee214"),
    "football fight": ("08f793762792", "7ab16ade3238"),
    "trade talks": ("39d5c43beb60", "702d1da63b8e"),
    "city protests": ("624fcd903d56", "e4c6a3b48240", "5fa3154ec031"),
    "royal interview": ("1f765c487806", "87bf60570e6e"),
}
_PAGE_STORY = {page: story for story, pages in PAGE_STORIES.items() for page in pages}


def _cleaned(article: Article) -> Article | None:
    try:
        return clean_article(article, get_settings())
    except StorylineError:
        return None


def load_pages() -> list[Item]:
    """The extraction benchmark's real pages, cleaned as `storyline ingest` cleans them, each
    its own story; dated by what storyline finds in the page (None when nothing)."""
    truth = json.loads((EXTRACTION / "ground-truth.json").read_text(encoding="utf-8"))
    items = []
    for path in sorted((EXTRACTION / "html").glob("*.html.gz")):
        page_id = path.name.split(".")[0]
        html = gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")
        raw = Article(
            source=path.name,
            source_kind=SourceKind.HTML,
            raw=html,
            raw_format="html",
            url=truth.get(page_id, {}).get("url"),
        )
        article = _cleaned(raw)
        if article is not None:
            title, text = article.title or "", article.text
            story = _PAGE_STORY.get(page_id[:12], page_id)
            items.append(
                Item(
                    f"page/{page_id}",
                    title,
                    text,
                    article.published,
                    "page",
                    story,
                    language=article.language,
                    url=raw.url,
                )
            )
    return items


def load_seeds() -> list[Item]:
    """The five seed articles (one story), read and cleaned as `storyline ingest` does."""
    items = []
    for read in read_sources([str(SEEDS)], get_settings()):
        article = _cleaned(read) if isinstance(read, Article) else None
        if article is not None:
            stem = Path(article.source).stem
            items.append(
                Item(
                    f"seed/{stem}",
                    article.title or "",
                    article.text,
                    article.published,
                    "seed",
                    "seeds",
                    language=article.language,
                )
            )
    return items


# Timeline17 topics that ran at the same time in the world keep their real offsets when shifted.
_ERAS = {"egypt": "2011", "libya": "2011", "syria": "2011"}


def _shift(items: list[Item], key: str | None = None) -> list[Item]:
    """Each group of ``items`` (all of them, or each Timeline17 "era": a topic, or the topics
    that ran at once) moved in time so that it starts at MIXED_START, keeping its own gaps."""
    groups: dict[str, list[Item]] = {}
    for item in items:
        group = _ERAS.get(item.story, item.story) if key == "era" else ""
        groups.setdefault(group, []).append(item)
    moved = []
    for group in groups.values():
        shift = MIXED_START - min(i.when for i in group if i.when is not None)
        moved += [replace(i, when=i.when + shift, shift=shift) for i in group if i.when]
    return moved


def mixed_stream(half: str, pages: list[Item]) -> list[Item]:
    """NeuS, Timeline17 (each topic), UCI and every real page in one stream over the same months:
    sets and topics overlap in time, so only content can keep them apart. NeuS keeps its own
    gaps (six months of events); each Timeline17 topic and the UCI sample start with it (Egypt,
    Libya and Syria keep the weeks between them, as in 2011); a page
    is given a time spread over NeuS's months (pages are from many years: as distractors they
    must fall inside the windows)."""
    neus = _shift(load_neus(half))
    span = max(i.when for i in neus if i.when) - MIXED_START
    t17 = _shift(load_t17(half), "era")
    uci = [
        replace(i, when=i.when + span / 2, shift=i.shift + span / 2) for i in _shift(load_uci(half))
    ]  # type: ignore[operator]
    spread = []
    for page in pages:
        when = MIXED_START + span * (digest(page.id) % 10_000) / 10_000
        spread.append(replace(page, when=when, shift=when - (page.when or when)))
    return by_time(neus + t17 + uci + spread)


def undate_third(items: list[Item], recover: bool = False) -> list[Item]:
    """The same stream with the date removed from a third of the articles (chosen by a hash);
    they arrive where they were. With ``recover``, storyline's own date evidence (the URL, a
    dateline, a date the text gives for itself) dates them again where it finds any, moved as
    their set was; the rest stay undated."""
    undated = []
    for item in items:
        if digest("undated:" + item.id) % 3:
            undated.append(item)
            continue
        found = _evidence_date(item) if recover else None
        undated.append(replace(item, when=found + item.shift if found else None))
    return undated


def _evidence_date(item: Item) -> datetime | None:
    """The date storyline finds for an item with no date field, as `storyline ingest` would."""
    article = Article(
        source=item.id,
        source_kind=SourceKind.TEXT,
        raw=item.text or item.title,
        title=item.title or None,
        url=item.url,
    )
    cleaned = _cleaned(article)
    return cleaned.published if cleaned is not None else None


def late_arrivals(items: list[Item], days: float = 3.0) -> list[Item]:
    """The same articles in another order: each arrives up to ``days`` after its date (a
    hash-chosen delay), as a crawler that reaches sites at different times sees them."""

    def arrival(pair: tuple[int, Item]) -> tuple[datetime, int]:
        position, item = pair
        delay = timedelta(days=days * (digest("late:" + item.id) % 1000) / 1000)
        assert item.when is not None, "late arrivals are drawn for a dated stream"
        return item.when + delay, position

    return [item for _, item in sorted(enumerate(items), key=arrival)]


def real_files() -> list[Item]:
    """The 186 real files a user would ingest first: the five seeds and the 181 pages."""
    return load_seeds() + load_pages()
