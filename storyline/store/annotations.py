"""Store: the analysis layer (entities, mentions, quotes, claims, dates, places).

An article's annotations are replaced as a whole in one transaction with its ``analyzed_at``
mark, so re-analysing is idempotent and a kill never leaves half an article's annotations.
Entities are shared across articles: saving merges aliases and roles into the stored entity.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, or_, select, update

from storyline.counted import search_terms
from storyline.errors import NotFoundError
from storyline.model import (
    Article,
    Claim,
    Entity,
    Event,
    Mention,
    Place,
    Quote,
    Span,
    Stage,
    TimeRef,
)
from storyline.store.bulk import delete_for_article, insert_rows
from storyline.store.events import event_from_row, event_rows
from storyline.store.rows import NO_RAW, row_to_article
from storyline.store.schema import (
    ANNOTATION_TABLES,
    articles,
    claims,
    coded_events,
    entities,
    mentions,
    places,
    quotes,
    time_refs,
)

MAX_ALIASES = 50
CONTEXT_CHARS = 140  # text shown on each side of a mention on the entity page


@dataclass(slots=True)
class Annotations:
    """Everything analysis stored for one article."""

    mentions: list[Mention]
    entities: list[Entity]
    quotes: list[Quote]
    claims: list[Claim]
    times: list[TimeRef]
    places: list[Place]
    analyzed_at: datetime | None
    note: str | None
    events: list[Event] = field(default_factory=list)


def _entity(row: Any) -> Entity:
    return Entity(
        row.id, row.name, row.type, list(row.aliases or []), list(row.roles or []), row.country,
        row.key,
    )  # fmt: skip


def _rows(article: Article) -> dict[Any, list[dict[str, Any]]]:
    aid = article.id
    return {
        mentions: [
            {"article_id": aid, "start_char": m.span.start, "end_char": m.span.end,
             "text": m.text, "entity_id": m.entity_id, "type": m.type, "how": m.how,
             "role": m.role, "note": m.note}
            for m in article.mentions
        ],
        quotes: [
            {"article_id": aid, "start_char": q.span.start, "end_char": q.span.end,
             "text": q.text, "speaker_entity_id": q.speaker_entity_id, "speaker": q.speaker,
             "speaker_start": q.speaker_span.start if q.speaker_span else None,
             "speaker_end": q.speaker_span.end if q.speaker_span else None,
             "cue": q.cue, "kind": q.kind, "channel": q.channel}
            for q in article.quotes
        ],
        claims: [
            {"article_id": aid, "start_char": c.span.start, "end_char": c.span.end,
             "text": c.text, "quantity": c.quantity, "quantity_max": c.quantity_max,
             "unit": c.unit, "counted": c.counted, "approximate": c.approximate,
             "qualifier": c.qualifier, "claimant": c.claimant,
             "claimant_entity_id": c.claimant_entity_id}
            for c in article.claims
        ],
        time_refs: [
            {"article_id": aid, "start_char": t.span.start, "end_char": t.span.end,
             "text": t.text, "value": t.value, "granularity": t.granularity,
             "derivation": t.derivation, "kind": t.kind}
            for t in article.times
        ],
        places: [
            {"article_id": aid, "start_char": p.span.start, "end_char": p.span.end,
             "name": p.name, "country": p.country, "lat": p.lat, "lon": p.lon, "kind": p.kind,
             "geonames_id": p.geonames_id, "entity_id": p.entity_id}
            for p in article.places
        ],
        coded_events: event_rows(article),
    }  # fmt: skip


def _merge(old: list[str], new: list[str]) -> list[str]:
    merged = list(old)
    for item in new:
        if item not in merged and len(merged) < MAX_ALIASES:
            merged.append(item)
    return merged


class AnnotationStore:
    """Annotation queries; mixed into `Store`, which provides ``transaction``."""

    def transaction(self) -> AbstractContextManager[Connection]:  # pragma: no cover - Store's
        raise NotImplementedError

    def _upsert_entities(self, conn: Connection, found: list[Entity], now: datetime) -> None:
        """Add new entities and widen known ones (a longer name, more aliases and roles), in
        two statements whatever their number."""
        if not found:
            return
        stored = {
            row.id: row
            for row in conn.execute(
                select(entities).where(entities.c.id.in_([e.id for e in found]))
            )
        }
        added: dict[str, dict[str, Any]] = {}
        changed: dict[str, dict[str, Any]] = {}
        for entity in found:
            row = stored.get(entity.id)
            if row is None:
                added.setdefault(entity.id, {
                    "id": entity.id, "key": entity.key or entity.id, "name": entity.name,
                    "type": entity.type, "country": entity.country, "aliases": entity.aliases,
                    "roles": entity.roles, "first_seen": now, "updated_at": now,
                })  # fmt: skip
                continue
            name = entity.name if len(entity.name) > len(row.name) else row.name
            aliases = _merge(list(row.aliases or []), entity.aliases)
            roles = _merge(list(row.roles or []), entity.roles)
            if (name, aliases, roles) != (row.name, row.aliases, row.roles):
                changed[entity.id] = {
                    "entity_id": entity.id, "new_name": name, "new_aliases": aliases,
                    "new_roles": roles, "now": now,
                }  # fmt: skip
        if added:
            conn.execute(entities.insert(), list(added.values()))
        if changed:
            conn.execute(
                update(entities)
                .where(entities.c.id == bindparam("entity_id"))
                .values(
                    name=bindparam("new_name"),
                    aliases=bindparam("new_aliases"),
                    roles=bindparam("new_roles"),
                    updated_at=bindparam("now"),
                ),
                list(changed.values()),
            )

    def save_analysis(self, article: Article) -> None:
        """Replace the article's annotations and mark it analysed, in one transaction."""
        now = datetime.now(UTC)
        with self.transaction() as conn:
            self._upsert_entities(conn, article.entities, now)
            delete_for_article(conn, ANNOTATION_TABLES, article.id or "")
            for table, rows in _rows(article).items():
                insert_rows(conn, table, rows)
            conn.execute(
                update(articles)
                .where(articles.c.id == article.id)
                .values(
                    analyzed_at=now, analysis_note=article.analysis_note,
                    stages=",".join(article.stages),
                )
            )  # fmt: skip

    def save_dating(self, article: Article) -> None:
        """Save a publication date given after analysis (estimated from the article's story),
        with the dates and event days resolved against it, in one transaction."""
        analysed = Stage.ANALYZED in article.stages
        values = {
            "published": article.published,
            "published_source": article.published_source,
            "published_confidence": article.published_confidence,
            "published_note": article.published_note,
        }
        if analysed:
            values["analysis_note"] = article.analysis_note
        with self.transaction() as conn:
            conn.execute(update(articles).where(articles.c.id == article.id).values(**values))
            if not analysed:
                return
            rows = _rows(article)
            delete_for_article(conn, (time_refs, coded_events), article.id or "")
            for table in (time_refs, coded_events):
                insert_rows(conn, table, rows[table])

    def pending_analysis(
        self, limit: int = 500, redo: bool = False, after: tuple[datetime, str] | None = None
    ) -> list[Article]:
        """Up to ``limit`` articles not analysed yet (all, with ``redo``), oldest stored first;
        with ``after`` (ingested_at, id), only those stored after that one, so a reader that is
        ahead of what has been saved pages on instead of seeing the same articles again."""

        query = select(*NO_RAW)
        if not redo:
            query = query.where(articles.c.analyzed_at.is_(None))
        if after is not None:
            query = query.where(
                or_(
                    articles.c.ingested_at > after[0],
                    and_(articles.c.ingested_at == after[0], articles.c.id > after[1]),
                )
            )
        query = query.order_by(articles.c.ingested_at, articles.c.id).limit(limit)
        with self.transaction() as conn:
            return [row_to_article(row) for row in conn.execute(query)]

    def iter_all_for_analysis(self, batch: int = 500) -> Iterator[Article]:
        """Every article, in stable order, page by page (for ``analyze --redo``)."""

        last = ""
        while True:
            query = select(*NO_RAW).where(articles.c.id > last).order_by(articles.c.id).limit(batch)
            with self.transaction() as conn:
                page = [row_to_article(row) for row in conn.execute(query)]
            if not page:
                return
            yield from page
            last = page[-1].id or ""

    def count_unanalysed(self) -> int:
        with self.transaction() as conn:
            query = (
                select(func.count()).select_from(articles).where(articles.c.analyzed_at.is_(None))
            )
            return int(conn.execute(query).scalar_one())

    def known_people(self) -> list[tuple[str, str]]:
        """(key, name) of every stored person, to tie surnames to full names across articles."""
        with self.transaction() as conn:
            rows = conn.execute(
                select(entities.c.key, entities.c.name).where(entities.c.type == "PERSON")
            )
            return [(row.key, row.name) for row in rows]

    def annotations(self, article_id: str) -> Annotations:
        """What analysis stored for one article (empty lists before it was analysed)."""
        with self.transaction() as conn:
            head = conn.execute(
                select(articles.c.analyzed_at, articles.c.analysis_note).where(
                    articles.c.id == article_id
                )
            ).first()
            if head is None:
                raise NotFoundError(
                    f"no article with id {article_id!r}; list ids with `storyline articles`"
                )
            rows = {
                table.name: list(
                    conn.execute(
                        select(table)
                        .where(table.c.article_id == article_id)
                        .order_by(table.c.start_char)
                    )
                )
                for table in ANNOTATION_TABLES
            }
            entity_ids = {r.entity_id for r in rows["mentions"] if r.entity_id}
            found = [
                _entity(row)
                for row in conn.execute(
                    select(entities).where(entities.c.id.in_(sorted(entity_ids)))
                )
            ]
        return Annotations(
            [_mention(r) for r in rows["mentions"]],
            sorted(found, key=lambda e: e.name),
            [_quote(r) for r in rows["quotes"]],
            [_claim(r) for r in rows["claims"]],
            [_time(r) for r in rows["time_refs"]],
            [_place(r) for r in rows["places"]],
            head.analyzed_at,
            head.analysis_note,
            [event_from_row(r) for r in rows["coded_events"]],
        )  # fmt: skip

    def story_material(self, story_id: int, chunk: int = 500) -> list[Article]:
        """A story's articles (without raw input) with their quotes, claims and dates, read in
        a few queries per ``chunk`` articles rather than several per article."""
        with self.transaction() as conn:
            found = [
                row_to_article(row)
                for row in conn.execute(
                    select(*NO_RAW).where(articles.c.story_id == story_id).order_by(articles.c.id)
                )
            ]
            by_id = {article.id: article for article in found}
            ids = list(by_id)
            for start in range(0, len(ids), chunk):
                part = ids[start : start + chunk]
                for table, load, field in (
                    (quotes, _quote, "quotes"),
                    (claims, _claim, "claims"),
                    (time_refs, _time, "times"),
                    (coded_events, event_from_row, "events"),
                ):
                    stmt = (
                        select(table)
                        .where(table.c.article_id.in_(part))
                        .order_by(table.c.article_id, table.c.start_char)
                    )
                    for row in conn.execute(stmt):
                        getattr(by_id[row.article_id], field).append(load(row))
        return found

    def story_places(self, story_id: int) -> list[dict[str, Any]]:
        """The places a story's articles mention, most mentioned first: name, country (ISO3),
        kind, coordinates (None when unknown), mentions and articles."""
        stmt = (
            select(
                places.c.name,
                places.c.country,
                places.c.kind,
                places.c.lat,
                places.c.lon,
                func.count().label("mentions"),
                func.count(func.distinct(places.c.article_id)).label("articles"),
            )
            .join(articles, articles.c.id == places.c.article_id)
            .where(articles.c.story_id == story_id)
            .group_by(places.c.name, places.c.country, places.c.kind, places.c.lat, places.c.lon)
            .order_by(func.count().desc(), places.c.name)
        )
        with self.transaction() as conn:
            return [dict(row._mapping) for row in conn.execute(stmt)]

    # --- across the corpus ---------------------------------------------------------------------

    def list_entities(
        self,
        entity_type: str | None = None,
        query: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Entities with how many mentions and articles they have, most mentioned first."""
        counts = (
            select(
                mentions.c.entity_id,
                func.count().label("mention_count"),
                func.count(func.distinct(mentions.c.article_id)).label("article_count"),
            )
            .group_by(mentions.c.entity_id)
            .subquery()
        )
        stmt = select(entities, counts.c.mention_count, counts.c.article_count).join(
            counts, counts.c.entity_id == entities.c.id
        )
        if entity_type:
            stmt = stmt.where(entities.c.type == entity_type.upper())
        if query:
            stmt = stmt.where(entities.c.name.ilike(f"%{query}%"))
        stmt = (
            stmt.order_by(counts.c.mention_count.desc(), entities.c.name)
            .limit(limit)
            .offset(offset)
        )
        with self.transaction() as conn:
            return [
                {**{k: v for k, v in row._mapping.items() if k not in {"first_seen", "updated_at"}}}
                for row in conn.execute(stmt)
            ]

    def entity_articles(self, entity_id: str, limit: int = 200) -> list[dict[str, Any]]:
        """Articles that mention an entity, oldest first: title, outlet, date, story, how many
        mentions, and the first mention's span and the text around it."""
        when = func.coalesce(articles.c.published, articles.c.ingested_at)
        per_article = (
            select(
                mentions.c.article_id,
                func.count().label("mention_count"),
                func.min(mentions.c.start_char).label("first_start"),
            )
            .where(mentions.c.entity_id == entity_id)
            .group_by(mentions.c.article_id)
            .subquery()
        )
        stmt = (
            select(
                articles.c.id,
                articles.c.title,
                articles.c.outlet,
                articles.c.published,
                articles.c.story_id,
                articles.c.duplicate_of,
                articles.c.text,
                per_article.c.mention_count,
                per_article.c.first_start,
            )
            .join(per_article, per_article.c.article_id == articles.c.id)
            .order_by(when, articles.c.id)
            .limit(limit)
        )
        with self.transaction() as conn:
            rows = [dict(row._mapping) for row in conn.execute(stmt)]
            ends: dict[tuple[str, int], int] = {}  # (article, first start) -> its mention's end
            ids = [row["id"] for row in rows]
            for start_at in range(0, len(ids), 500):
                spans = select(mentions.c.article_id, mentions.c.start_char, mentions.c.end_char)
                for article_id, start, end in conn.execute(
                    spans.where(
                        mentions.c.entity_id == entity_id,
                        mentions.c.article_id.in_(ids[start_at : start_at + 500]),
                    )
                ):
                    key = (article_id, start)
                    ends[key] = min(end, ends.get(key, end))
        found = []
        for data in rows:
            text, start = data.pop("text"), data["first_start"]
            end = ends[(data["id"], start)]
            data["first_end"] = end
            left, right = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
            data["context"] = (text[left:start], text[start:end], text[end:right])
            found.append(data)
        return found

    def get_entity(self, entity_id: str) -> Entity:
        with self.transaction() as conn:
            row = conn.execute(select(entities).where(entities.c.id == entity_id)).first()
        if row is None:
            raise NotFoundError(
                f"no entity with id {entity_id!r}; list them with `storyline entities`"
            )
        return _entity(row)

    def list_quotes(
        self,
        speaker: str | None = None,
        article_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Quotes across articles, newest article first; ``speaker`` matches a name or entity id."""
        stmt = select(quotes, articles.c.outlet, articles.c.published, articles.c.title).join(
            articles, articles.c.id == quotes.c.article_id
        )
        if speaker:
            ids = select(entities.c.id).where(
                or_(entities.c.name.ilike(f"%{speaker}%"), entities.c.id == speaker)
            )
            stmt = stmt.where(
                or_(quotes.c.speaker_entity_id.in_(ids), quotes.c.speaker.ilike(f"%{speaker}%"))
            )
        if article_id:
            stmt = stmt.where(quotes.c.article_id == article_id)
        when = func.coalesce(articles.c.published, articles.c.ingested_at)
        stmt = (
            stmt.order_by(when.desc(), quotes.c.article_id, quotes.c.start_char)
            .limit(limit)
            .offset(offset)
        )
        with self.transaction() as conn:
            return [dict(row._mapping) for row in conn.execute(stmt)]

    def list_claims(
        self,
        counted: str | None = None,
        article_id: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Numeric claims across articles, newest article first; ``counted`` filters by what
        is counted, any word for the same kind of thing ("troops" finds "8,500 soldiers")."""
        stmt = select(claims, articles.c.outlet, articles.c.published).join(
            articles, articles.c.id == claims.c.article_id
        )
        if counted:
            terms = search_terms(counted) or [counted]
            stmt = stmt.where(or_(*(claims.c.counted.ilike(f"%{term}%") for term in terms)))
        if article_id:
            stmt = stmt.where(claims.c.article_id == article_id)
        when = func.coalesce(articles.c.published, articles.c.ingested_at)
        stmt = (
            stmt.order_by(when.desc(), claims.c.article_id, claims.c.start_char)
            .limit(limit)
            .offset(offset)
        )
        with self.transaction() as conn:
            return [dict(row._mapping) for row in conn.execute(stmt)]


def _quote(r: Any) -> Quote:
    speaker_span = (
        Span(r.article_id, r.speaker_start, r.speaker_end) if r.speaker_start is not None else None
    )
    return Quote(
        Span(r.article_id, r.start_char, r.end_char), r.text, r.speaker_entity_id, r.cue,
        r.kind == "direct", r.speaker, speaker_span, r.kind, r.channel,
    )  # fmt: skip


def _claim(r: Any) -> Claim:
    return Claim(
        Span(r.article_id, r.start_char, r.end_char), r.quantity, r.unit, r.counted,
        bool(r.approximate), r.text, r.quantity_max, r.qualifier, r.claimant, r.claimant_entity_id,
    )  # fmt: skip


def _mention(r: Any) -> Mention:
    span = Span(r.article_id, r.start_char, r.end_char)
    return Mention(span, r.text, r.entity_id, r.type, r.how, r.role, r.note)


def _time(r: Any) -> TimeRef:
    span = Span(r.article_id, r.start_char, r.end_char)
    return TimeRef(span, r.text, r.value, r.granularity, r.derivation, r.kind)


def _place(r: Any) -> Place:
    span = Span(r.article_id, r.start_char, r.end_char)
    return Place(span, r.name, r.country, r.lat, r.lon, r.kind, r.geonames_id, r.entity_id)
