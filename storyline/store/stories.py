"""Store: placing articles in events and stories, recorded story changes, and story queries.

A placement is one transaction: the article's story, event and copy link, any story or event it
creates, any stories its arrival merges (recorded in ``story_changes``), and the refreshed counts.
A merged story is kept, empty, with ``merged_into`` set, so that old links to it still resolve.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, or_, select, update

from storyline.errors import NotFoundError, StorylineError
from storyline.model import Article, Stage, Story, StoryChange, StoryEvent
from storyline.store.rows import NO_RAW, row_to_article
from storyline.store.schema import articles, stories, story_changes, story_events

UNTITLED = "(untitled story)"


class _AlreadyPlacedError(Exception):
    """Another process placed the article between our read and our write."""


@dataclass(slots=True)
class Placement:
    """What `save_placement` writes besides the article: new rows, re-pointed copies, merges."""

    story_title: str | None = None  # title of a story created for the article
    repoint: Mapping[str, float | None] = field(default_factory=dict)  # copies it predates
    repoint_kinds: Mapping[str, str] = field(default_factory=dict)  # what each of them now is
    merge: Sequence[int] = ()  # stories folded into the article's story
    detail: str | None = None  # why the merge happened, for the change record


class StoryStore:
    """Story and placement queries; mixed into `Store`, which provides ``transaction``."""

    def transaction(self) -> AbstractContextManager[Connection]:  # pragma: no cover - Store's
        raise NotImplementedError

    # --- placement ------------------------------------------------------------------------------

    def pending_assignment(self) -> list[Article]:
        """Articles not yet placed (without raw input: not needed): the dated ones oldest first,
        then the undated ones in the order they were stored."""
        query = select(*NO_RAW).where(articles.c.assigned_at.is_(None))
        undated = articles.c.published.is_(None)
        query = query.order_by(undated, articles.c.published, articles.c.ingested_at, articles.c.id)
        with self.transaction() as conn:
            return [row_to_article(row) for row in conn.execute(query)]

    def assigned_between(self, start: datetime, end: datetime) -> list[Article]:
        """Context for new articles: the placed articles whose placement time falls in
        [start, end], then the undated members of the stories still open at ``start`` (with a
        dated member since, or none dated at all), in the order they were placed."""
        dated = (
            select(*NO_RAW)
            .where(
                articles.c.assigned_at.is_not(None),
                articles.c.placed_at >= start,
                articles.c.placed_at <= end,
            )
            .order_by(articles.c.placed_at, articles.c.id)
        )
        undated = (
            select(*NO_RAW)
            .join(stories, stories.c.id == articles.c.story_id)
            .where(
                articles.c.assigned_at.is_not(None),
                articles.c.placed_at.is_(None),
                or_(stories.c.last_seen.is_(None), stories.c.last_seen >= start),
            )
            .order_by(articles.c.assigned_at, articles.c.id)
        )
        with self.transaction() as conn:
            return [
                row_to_article(row) for query in (dated, undated) for row in conn.execute(query)
            ]

    def undated_members(self, story_ids: Sequence[int]) -> list[Article]:
        """The members of these stories with no date of their own (undated, or dated by an
        estimate from their story), without raw input, in the order they were placed."""
        if not story_ids:
            return []
        query = (
            select(*NO_RAW)
            .where(
                articles.c.story_id.in_(list(story_ids)),
                articles.c.placed_at.is_(None),
                or_(articles.c.published.is_(None), articles.c.published_confidence == "low"),
            )
            .order_by(articles.c.assigned_at, articles.c.id)
        )
        with self.transaction() as conn:
            return [row_to_article(row) for row in conn.execute(query)]

    def dated_spans(
        self, story_ids: Sequence[int], event_ids: Sequence[int]
    ) -> tuple[dict[int, tuple[datetime, datetime]], dict[int, tuple[datetime, datetime]]]:
        """The span of the dated members of each story and each event (those with any)."""
        spans: list[dict[int, tuple[datetime, datetime]]] = []
        with self.transaction() as conn:
            for table, ids in ((stories, story_ids), (story_events, event_ids)):
                query = select(table.c.id, table.c.first_seen, table.c.last_seen).where(
                    table.c.id.in_(list(ids)), table.c.first_seen.is_not(None)
                )
                spans.append(
                    {row.id: (row.first_seen, row.last_seen) for row in conn.execute(query)}
                )
        return spans[0], spans[1]

    def latest_placement_time(self) -> datetime | None:
        """The latest time an article was placed by (its date): the stream's clock."""
        with self.transaction() as conn:
            return conn.execute(select(func.max(articles.c.placed_at))).scalar_one()

    def placed_since(self, after: datetime | None) -> tuple[list[str], datetime | None]:
        """Ids of the articles placed after ``after`` (all placed ones when None), oldest first,
        and the latest placement time among them (or ``after`` when there are none)."""
        query = select(articles.c.id, articles.c.assigned_at).where(
            articles.c.assigned_at.is_not(None)
        )
        if after is not None:
            query = query.where(articles.c.assigned_at > after)
        with self.transaction() as conn:
            rows = list(conn.execute(query.order_by(articles.c.assigned_at)))
        return [r.id for r in rows], (rows[-1].assigned_at if rows else after)

    def articles_for_assignment(self, article_ids: Sequence[str]) -> list[Article]:
        """The given articles without raw input, in placement order."""
        found: list[Article] = []
        with self.transaction() as conn:
            for start in range(0, len(article_ids), 500):
                chunk = list(article_ids[start : start + 500])
                found.extend(
                    row_to_article(row)
                    for row in conn.execute(select(*NO_RAW).where(articles.c.id.in_(chunk)))
                )
        return sorted(found, key=lambda a: (a.placed_at or datetime.min.replace(tzinfo=UTC), a.id))

    def daily_counts(self, story_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        """Articles per publication day (ISO) of each story (undated articles left out)."""
        day = func.date(articles.c.published)
        query = (
            select(articles.c.story_id, day.label("day"), func.count().label("n"))
            .where(articles.c.story_id.in_(list(story_ids)), articles.c.published.is_not(None))
            .group_by(articles.c.story_id, day)
        )
        found: dict[int, dict[str, int]] = {}
        with self.transaction() as conn:
            for row in conn.execute(query):
                found.setdefault(row.story_id, {})[str(row.day)[:10]] = int(row.n)
        return found

    def last_placement(self) -> datetime | None:
        """When the most recently placed article was placed (None: nothing placed)."""
        with self.transaction() as conn:
            return conn.execute(select(func.max(articles.c.assigned_at))).scalar_one()

    def is_placed(self, article_id: str) -> bool:
        """Whether the article is stored and placed (as a copy, in a story, or not grouped)."""
        query = select(articles.c.assigned_at).where(articles.c.id == article_id)
        with self.transaction() as conn:
            return conn.execute(query).scalar_one_or_none() is not None

    def count_story_changes(self) -> int:
        """How many merges and splits are recorded (a change tells kept state to rebuild)."""
        with self.transaction() as conn:
            return int(conn.execute(select(func.count()).select_from(story_changes)).scalar_one())

    def save_placement(self, article: Article, group: bool, plan: Placement) -> bool:
        """Record where ``article`` goes, atomically; create its story and event when their ids
        are None (and ``group``). Returns False when another process placed it first (then
        nothing is written); on success the article's ``story_id`` and ``event_id`` are set."""
        now = datetime.now(UTC)
        stages = [*article.stages, *([] if Stage.ASSIGNED in article.stages else [Stage.ASSIGNED])]
        story_id, event_id = (article.story_id, article.event_id) if group else (None, None)
        try:
            with self.transaction() as conn:
                if group and story_id is None:
                    story_id = self._new_row(conn, stories, plan.story_title, article, now)
                if group and event_id is None:
                    event_id = self._new_row(
                        conn, story_events, article.title, article, now, story_id=story_id
                    )
                placed = conn.execute(
                    update(articles)
                    .where(articles.c.id == article.id, articles.c.assigned_at.is_(None))
                    .values(
                        story_id=story_id,
                        event_id=event_id,
                        duplicate_of=article.duplicate_of,
                        duplicate_similarity=article.duplicate_similarity,
                        duplicate_kind=article.duplicate_kind,
                        minhash=article.signature,
                        placed_at=article.placed_at,
                        placement_note=article.placement_note,
                        stages=",".join(stages),
                        assigned_at=now,
                    )
                )
                if placed.rowcount != 1:
                    raise _AlreadyPlacedError  # rolls back the rows created above, if any
                for copy_id, similarity in plan.repoint.items():
                    conn.execute(
                        update(articles)
                        .where(articles.c.id == copy_id)
                        .values(
                            duplicate_of=article.id,
                            duplicate_similarity=func.coalesce(
                                articles.c.duplicate_similarity, similarity
                            ),
                            duplicate_kind=plan.repoint_kinds.get(copy_id),
                        )
                    )
                if story_id is not None:
                    for source in plan.merge:
                        self._merge(conn, source, story_id, now, article.id, plan.detail)
                    self._refresh(conn, story_id, event_id, now)
        except _AlreadyPlacedError:
            return False
        article.story_id, article.event_id, article.stages = story_id, event_id, stages
        return True

    @staticmethod
    def _new_row(
        conn: Connection,
        table: Any,
        title: str | None,
        article: Article,
        now: datetime,
        **extra: Any,
    ) -> int:
        result = conn.execute(
            insert(table).values(
                title=title or article.title or UNTITLED,
                first_seen=article.placed_at,
                last_seen=article.placed_at,
                article_count=0,
                created_at=now,
                updated_at=now,
                **extra,
            )
        )
        return int(result.inserted_primary_key[0])

    def _merge(
        self,
        conn: Connection,
        source: int,
        target: int,
        now: datetime,
        article_id: str | None,
        detail: str | None,
    ) -> None:
        conn.execute(update(articles).where(articles.c.story_id == source).values(story_id=target))
        conn.execute(
            update(story_events).where(story_events.c.story_id == source).values(story_id=target)
        )
        conn.execute(
            update(stories)
            .where(stories.c.id == source)
            .values(merged_into=target, article_count=0, updated_at=now)
        )
        conn.execute(  # stories merged into the source earlier now point at the target
            update(stories).where(stories.c.merged_into == source).values(merged_into=target)
        )
        conn.execute(
            insert(story_changes).values(
                kind="merged",
                story_id=target,
                other_story_id=source,
                article_id=article_id,
                detail=detail,
                at=now,
            )
        )

    def _refresh(
        self, conn: Connection, story_id: int, event_id: int | None, now: datetime
    ) -> None:
        for table, column, row_id in (
            (stories, articles.c.story_id, story_id),
            (story_events, articles.c.event_id, event_id),
        ):
            if row_id is None:
                continue
            first, last, count = conn.execute(
                select(
                    func.min(articles.c.placed_at), func.max(articles.c.placed_at), func.count()
                ).where(column == row_id)
            ).one()
            conn.execute(
                update(table)
                .where(table.c.id == row_id)
                .values(first_seen=first, last_seen=last, article_count=count, updated_at=now)
            )

    def set_titles(self, story_titles: dict[int, str], event_titles: dict[int, str]) -> None:
        """Give stories and events new titles (chosen once a batch has been placed)."""
        if not story_titles and not event_titles:
            return
        with self.transaction() as conn:
            for table, titles in ((stories, story_titles), (story_events, event_titles)):
                for row_id, title in titles.items():
                    conn.execute(update(table).where(table.c.id == row_id).values(title=title))

    # --- manual changes -------------------------------------------------------------------------

    def merge_stories(self, source: int, target: int, detail: str | None = None) -> Story:
        """Fold story ``source`` into ``target`` by hand (recorded); returns the merged story."""
        if source == target:
            raise StorylineError(f"story {source} cannot be merged into itself")
        now = datetime.now(UTC)
        with self.transaction() as conn:
            for story_id in (source, target):
                self._live_story(conn, story_id)
            self._merge(conn, source, target, now, None, detail or "merged by hand")
            self._refresh(conn, target, None, now)
        return self.get_story(target)

    def split_event(self, event_id: int, detail: str | None = None) -> Story:
        """Move one event and its articles out of its story into a new story (recorded)."""
        now = datetime.now(UTC)
        with self.transaction() as conn:
            row = conn.execute(select(story_events).where(story_events.c.id == event_id)).first()
            if row is None:
                raise NotFoundError(
                    f"no event with id {event_id}; see a story's events with "
                    "`storyline story ID --tree`"
                )
            total = conn.execute(
                select(func.count()).where(story_events.c.story_id == row.story_id)
            ).scalar_one()
            if total < 2:
                raise StorylineError(
                    f"event {event_id} is the only event of story {row.story_id}: nothing to split"
                )
            created = conn.execute(
                insert(stories).values(
                    title=row.title,
                    first_seen=row.first_seen,
                    last_seen=row.last_seen,
                    article_count=0,
                    created_at=now,
                    updated_at=now,
                )
            )
            new_story = int(created.inserted_primary_key[0])
            conn.execute(
                update(story_events).where(story_events.c.id == event_id).values(story_id=new_story)
            )
            conn.execute(
                update(articles).where(articles.c.event_id == event_id).values(story_id=new_story)
            )
            conn.execute(
                insert(story_changes).values(
                    kind="split",
                    story_id=row.story_id,
                    other_story_id=new_story,
                    detail=detail or f"event {event_id} split off by hand",
                    at=now,
                )
            )
            self._refresh(conn, row.story_id, None, now)
            self._refresh(conn, new_story, event_id, now)
        return self.get_story(new_story)

    def _live_story(self, conn: Connection, story_id: int) -> Any:
        row = conn.execute(select(stories).where(stories.c.id == story_id)).first()
        if row is None:
            raise NotFoundError(f"no story with id {story_id}; list them with `storyline stories`")
        if row.merged_into is not None:
            raise StorylineError(
                f"story {story_id} was merged into story {row.merged_into}; use that id"
            )
        return row

    # --- queries --------------------------------------------------------------------------------

    def _stories(
        self,
        conn: Connection,
        ids: Sequence[int] | None,
        limit: int,
        offset: int,
        since: datetime | None = None,
        detail: bool = False,
    ) -> list[Story]:
        query = select(stories).where(stories.c.merged_into.is_(None))
        if ids is not None:
            query = query.where(stories.c.id.in_(list(ids)))
        if since is not None:
            query = query.where(stories.c.last_seen >= since)
        order = (stories.c.last_seen.desc().nulls_last(), stories.c.id)  # undated stories last
        query = query.order_by(*order).limit(limit).offset(offset)
        rows = list(conn.execute(query))
        if not rows:
            return []
        wanted = [row.id for row in rows]
        members = conn.execute(
            select(articles.c.story_id, articles.c.id, articles.c.outlet, articles.c.event_id)
            .where(articles.c.story_id.in_(wanted))
            .order_by(articles.c.placed_at, articles.c.id)
        )
        by_story: dict[int, list[tuple[str, str | None, int | None]]] = {}
        for story_id, article_id, outlet, event_id in members:
            by_story.setdefault(story_id, []).append((article_id, outlet, event_id))
        result = []
        for row in rows:
            items = by_story.get(row.id, [])
            story = Story(
                id=row.id,
                title=row.title,
                first_seen=row.first_seen,
                last_seen=row.last_seen,
                article_count=row.article_count,
                outlets=sorted({outlet for _, outlet, _ in items if outlet}),
                article_ids=[article_id for article_id, _, _ in items],
            )
            if detail:
                story.events = self._events(conn, row.id, items)
                story.changes = self._changes(conn, row.id)
            result.append(story)
        return result

    @staticmethod
    def _events(
        conn: Connection, story_id: int, items: list[tuple[str, str | None, int | None]]
    ) -> list[StoryEvent]:
        rows = conn.execute(
            select(story_events)
            .where(story_events.c.story_id == story_id)
            .order_by(story_events.c.first_seen, story_events.c.id)
        )
        events = {
            row.id: StoryEvent(
                row.id, row.story_id, row.title, row.first_seen, row.last_seen, row.article_count
            )
            for row in rows
        }
        for article_id, _, event_id in items:
            if event_id in events:
                events[event_id].article_ids.append(article_id)
        return [event for event in events.values() if event.article_ids]

    @staticmethod
    def _changes(conn: Connection, story_id: int) -> list[StoryChange]:
        rows = conn.execute(
            select(story_changes)
            .where(
                (story_changes.c.story_id == story_id)
                | (story_changes.c.other_story_id == story_id)
            )
            .order_by(story_changes.c.at, story_changes.c.id)
        )
        return [
            StoryChange(
                row.kind, row.story_id, row.other_story_id, row.at, row.article_id, row.detail
            )
            for row in rows
        ]

    def list_stories(
        self, limit: int = 50, offset: int = 0, since: datetime | None = None
    ) -> list[Story]:
        """Stories, most recently active first; with ``since``, only those active since then."""
        with self.transaction() as conn:
            return self._stories(conn, None, limit, offset, since)

    def count_stories(self, since: datetime | None = None) -> int:
        """How many stories exist (active since ``since``, when given); merged ones not counted."""
        query = select(func.count()).select_from(stories).where(stories.c.merged_into.is_(None))
        if since is not None:
            query = query.where(stories.c.last_seen >= since)
        with self.transaction() as conn:
            return int(conn.execute(query).scalar_one())

    def get_story(self, story_id: int) -> Story:
        """One story with its events, articles in time order and recorded changes. A story
        merged into another resolves to that one; NotFoundError when there is none."""
        with self.transaction() as conn:
            row = conn.execute(
                select(stories.c.id, stories.c.merged_into).where(stories.c.id == story_id)
            ).first()
            if row is not None and row.merged_into is not None:
                story_id = row.merged_into
            found = self._stories(conn, [story_id], 1, 0, detail=True) if row else []
        if not found:
            raise NotFoundError(f"no story with id {story_id}; list them with `storyline stories`")
        return found[0]

    def resolve_story_id(self, story_id: int) -> int:
        """The live story an id now refers to (itself, or the story it was merged into)."""
        with self.transaction() as conn:
            query = select(stories.c.merged_into).where(stories.c.id == story_id)
            row = conn.execute(query).first()
        if row is None:
            raise NotFoundError(f"no story with id {story_id}; list them with `storyline stories`")
        return int(row.merged_into or story_id)
