"""Serve: the JSON shapes of articles and stories, shared by the CLI (--json), API and pages."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from storyline.model import Article, Story


def iso(value: datetime | None) -> str | None:
    """ISO 8601 or None."""
    return value.isoformat() if value else None


def summary_json(row: dict[str, Any]) -> dict[str, Any]:
    """An article summary row as JSON."""
    return {
        "id": row["id"],
        "title": row["title"],
        "outlet": row["outlet"],
        "url": row["url"],
        "published": iso(row["published"]),
        "language": row["language"],
        "story_id": row["story_id"],
        "duplicate_of": row["duplicate_of"],
        "source_kind": row["source_kind"],
        "ingested_at": iso(row["ingested_at"]),
    }


def article_json(article: Article, include_raw: bool = False) -> dict[str, Any]:
    """A whole article as JSON (raw text only on request: it can be large)."""
    data = {
        "id": article.id,
        "title": article.title,
        "outlet": article.outlet,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "source": article.source,
        "source_kind": article.source_kind.value,
        "published": iso(article.published),
        "published_source": article.published_source,
        "published_note": article.published_note,
        "language": article.language,
        "language_score": article.language_score,
        "encoding": article.encoding,
        "encoding_note": article.encoding_note,
        "fetched_at": iso(article.fetched_at),
        "ingested_at": iso(article.ingested_at),
        "stages": [str(s) for s in article.stages],
        "content_hash": article.content_hash,
        "duplicate_of": article.duplicate_of,
        "duplicate_similarity": article.duplicate_similarity,
        "story_id": article.story_id,
        "text": article.text,
        "removed_lines": [asdict(r) for r in article.removed_lines],
    }
    if include_raw:
        data["raw"] = article.raw
        data["raw_format"] = article.raw_format
    return data


def story_json(story: Story) -> dict[str, Any]:
    """A story as JSON."""
    return {
        "id": story.id,
        "title": story.title,
        "first_seen": iso(story.first_seen),
        "last_seen": iso(story.last_seen),
        "article_count": story.article_count,
        "outlets": story.outlets,
        "article_ids": story.article_ids,
    }
