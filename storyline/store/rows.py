"""Store: turning database rows back into the data contract."""

from __future__ import annotations

from typing import Any

from storyline.model import Article, RemovedLine, SourceKind, Stage
from storyline.store.schema import articles

NO_RAW = tuple(c for c in articles.c if c.name != "raw")  # assignment never needs raw input


def row_to_article(row: Any) -> Article:
    data = row._mapping
    return Article(
        id=data["id"],
        source=data["locator"],
        source_kind=SourceKind(data["source_kind"]),
        raw=data.get("raw", ""),
        raw_format=data["raw_format"],
        url=data["url"],
        canonical_url=data["canonical_url"],
        title=data["title"],
        text=data["text"],
        outlet=data["outlet"],
        outlet_name=data.get("outlet_name"),
        published=data["published"],
        published_source=data["published_source"],
        published_confidence=data["published_confidence"],
        published_note=data["published_note"],
        language=data["language"],
        language_score=data["language_score"],
        encoding=data["encoding"],
        encoding_note=data["encoding_note"],
        authors=list(data.get("authors") or []),
        image_url=data.get("image_url"),
        image_caption=data.get("image_caption"),
        fetched_at=data["fetched_at"],
        ingested_at=data["ingested_at"],
        removed_lines=[RemovedLine(**r) for r in data["removed_lines"] or []],
        stages=[Stage(s) for s in data["stages"].split(",") if s],
        content_hash=data["content_hash"],
        signature=data["minhash"],
        duplicate_of=data["duplicate_of"],
        duplicate_similarity=data["duplicate_similarity"],
        duplicate_kind=data["duplicate_kind"],
        story_id=data["story_id"],
        event_id=data["event_id"],
        placed_at=data["placed_at"],
        placement_note=data["placement_note"],
    )
