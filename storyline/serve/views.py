"""Serve: the JSON shapes of articles and stories, shared by the CLI (--json), API and pages."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from storyline.model import Actor, Article, Event, Quote, Story
from storyline.store.annotations import Annotations


def iso(value: datetime | None) -> str | None:
    """ISO 8601 or None."""
    return value.isoformat() if value else None


def summary_json(row: dict[str, Any]) -> dict[str, Any]:
    """An article summary row as JSON."""
    return {
        "id": row["id"],
        "title": row["title"],
        "outlet": row["outlet"],
        "outlet_name": row.get("outlet_name") or row["outlet"],
        "url": row["url"],
        "published": iso(row["published"]),
        "published_confidence": row["published_confidence"],
        "language": row["language"],
        "story_id": row["story_id"],
        "event_id": row["event_id"],
        "duplicate_of": row["duplicate_of"],
        "duplicate_kind": row["duplicate_kind"],
        "source_kind": row["source_kind"],
        "ingested_at": iso(row["ingested_at"]),
        "placed_at": iso(row["placed_at"]),
        "placement_note": row["placement_note"],
    }


def article_json(article: Article, include_raw: bool = False) -> dict[str, Any]:
    """A whole article as JSON (raw text only on request: it can be large)."""
    data = {
        "id": article.id,
        "title": article.title,
        "outlet": article.outlet,
        "outlet_name": article.outlet_name or article.outlet,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "source": article.source,
        "source_kind": article.source_kind.value,
        "published": iso(article.published),
        "published_source": article.published_source,
        "published_confidence": article.published_confidence,
        "published_note": article.published_note,
        "language": article.language,
        "language_score": article.language_score,
        "encoding": article.encoding,
        "encoding_note": article.encoding_note,
        "authors": article.authors,
        "image_url": article.image_url,
        "image_caption": article.image_caption,
        "fetched_at": iso(article.fetched_at),
        "ingested_at": iso(article.ingested_at),
        "stages": [str(s) for s in article.stages],
        "content_hash": article.content_hash,
        "duplicate_of": article.duplicate_of,
        "duplicate_similarity": article.duplicate_similarity,
        "duplicate_kind": article.duplicate_kind,
        "story_id": article.story_id,
        "event_id": article.event_id,
        "placed_at": iso(article.placed_at),
        "placement_note": article.placement_note,
        "text": article.text,
        "removed_lines": [asdict(r) for r in article.removed_lines],
    }
    if include_raw:
        data["raw"] = article.raw
        data["raw_format"] = article.raw_format
    return data


def story_detail_json(story: Story, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """A story with its events, changes, article summaries (in story order) and its tree:
    events, each with its original articles, each with the copies of it."""
    data = story_json(story)
    position = {article_id: i for i, article_id in enumerate(story.article_ids)}
    summaries = sorted(
        (summary_json(r) for r in rows if r["id"] in position), key=lambda a: position[a["id"]]
    )
    data["articles"] = summaries
    data["events"] = [
        {
            "id": e.id,
            "title": e.title,
            "first_seen": iso(e.first_seen),
            "last_seen": iso(e.last_seen),
            "article_count": e.article_count,
            "article_ids": e.article_ids,
        }
        for e in story.events
    ]
    data["changes"] = [
        {
            "kind": c.kind,
            "story_id": c.story_id,
            "other_story_id": c.other_story_id,
            "at": iso(c.at),
            "article_id": c.article_id,
            "detail": c.detail,
        }
        for c in story.changes
    ]
    by_id = {a["id"]: a for a in summaries}
    copies: dict[str, list[dict[str, Any]]] = {}
    for article in summaries:
        if article["duplicate_of"] in by_id:
            copies.setdefault(article["duplicate_of"], []).append(article)
    tree = []
    for event in data["events"]:
        members = [by_id[i] for i in event["article_ids"] if i in by_id]
        originals = [a for a in members if a["duplicate_of"] not in by_id]
        tree.append(
            {**event, "articles": [{**a, "copies": copies.get(a["id"], [])} for a in originals]}
        )
    data["tree"] = tree
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


def annotations_json(found: Annotations) -> dict[str, Any]:
    """An article's annotations as JSON: every item with its character span."""

    def span(item: Any) -> dict[str, int]:
        return {"start": item.span.start, "end": item.span.end}

    return {
        "analyzed_at": iso(found.analyzed_at),
        "analysis_note": found.note,
        "entities": [asdict(e) for e in found.entities],
        "mentions": [
            {**span(m), "text": m.text, "entity_id": m.entity_id, "type": m.type, "how": m.how,
             "role": m.role, "note": m.note}
            for m in found.mentions
        ],
        "quotes": [quote_json(q) for q in found.quotes],
        "claims": [
            {**span(c), "text": c.text, "quantity": c.quantity, "quantity_max": c.quantity_max,
             "unit": c.unit, "counted": c.counted, "approximate": c.approximate,
             "qualifier": c.qualifier, "claimant": c.claimant,
             "claimant_entity_id": c.claimant_entity_id}
            for c in found.claims
        ],
        "times": [
            {**span(t), "text": t.text, "value": t.value, "granularity": t.granularity,
             "derivation": t.derivation, "kind": t.kind}
            for t in found.times
        ],
        "places": [
            {**span(p), "name": p.name, "country": p.country, "lat": p.lat, "lon": p.lon,
             "kind": p.kind, "geonames_id": p.geonames_id, "entity_id": p.entity_id}
            for p in found.places
        ],
        "events": [coded_event_json(e) for e in found.events],
    }  # fmt: skip


def _actor_json(actor: Actor | None) -> dict[str, Any] | None:
    if actor is None:
        return None
    return {"name": actor.name, "code": actor.code, "country": actor.country,
            "sector": actor.sector, "entity_id": actor.entity_id, "via": actor.via}  # fmt: skip


def coded_event_json(e: Event) -> dict[str, Any]:
    """One coded event of an article: the sentence's span, the cue's, the parties and marks."""
    return {
        "start": e.span.start, "end": e.span.end, "trigger_start": e.trigger.start,
        "trigger_end": e.trigger.end, "cue": e.cue, "plover": e.plover, "mode": e.mode,
        "cameo": e.cameo, "goldstein": e.goldstein, "actor": _actor_json(e.actor),
        "target": _actor_json(e.target), "date": e.date, "place": e.place,
        "negated": e.negated, "hypothetical": e.hypothetical, "quoted": e.quoted, "text": e.text,
    }  # fmt: skip


def quote_json(q: Quote) -> dict[str, Any]:
    """One quote as JSON."""
    return {
        "start": q.span.start, "end": q.span.end, "text": q.text, "kind": q.kind,
        "speaker": q.speaker, "speaker_entity_id": q.speaker_entity_id, "cue": q.cue,
        "channel": q.channel,
        "speaker_span": (
            {"start": q.speaker_span.start, "end": q.speaker_span.end} if q.speaker_span else None
        ),
    }  # fmt: skip


def quote_row_json(row: dict[str, Any]) -> dict[str, Any]:
    """A quote listed across articles, with its article's outlet and date."""
    return {
        "article_id": row["article_id"], "start": row["start_char"], "end": row["end_char"],
        "text": row["text"], "kind": row["kind"], "speaker": row["speaker"],
        "speaker_entity_id": row["speaker_entity_id"], "cue": row["cue"],
        "channel": row["channel"], "outlet": row["outlet"], "published": iso(row["published"]),
        "speaker_span": (
            {"start": row["speaker_start"], "end": row["speaker_end"]}
            if row["speaker_start"] is not None else None
        ),
    }  # fmt: skip


def claim_row_json(row: dict[str, Any]) -> dict[str, Any]:
    """A numeric claim listed across articles, with its article's outlet and date."""
    return {
        "article_id": row["article_id"], "start": row["start_char"], "end": row["end_char"],
        "text": row["text"], "quantity": row["quantity"], "quantity_max": row["quantity_max"],
        "unit": row["unit"], "counted": row["counted"], "approximate": bool(row["approximate"]),
        "qualifier": row["qualifier"], "claimant": row["claimant"],
        "claimant_entity_id": row["claimant_entity_id"], "outlet": row["outlet"],
        "published": iso(row["published"]),
    }  # fmt: skip


def entity_row_json(row: dict[str, Any]) -> dict[str, Any]:
    """An entity listed with its counts."""
    return {
        "id": row["id"], "name": row["name"], "type": row["type"], "country": row["country"],
        "aliases": list(row["aliases"] or []), "roles": list(row["roles"] or []),
        "mention_count": row["mention_count"], "article_count": row["article_count"],
    }  # fmt: skip
