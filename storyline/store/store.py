"""Store: persist and query articles and stories (SQLAlchemy Core; SQLite WAL or PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, or_, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    IntegrityError,
    OperationalError,
    SQLAlchemyError,
)

from storyline.errors import NotFoundError, ParseError, StorageError
from storyline.model import Article, RemovedLine, SourceKind, Stage, Story
from storyline.store.annotations import AnnotationStore
from storyline.store.schema import articles, migrate, sources, stories

_SUMMARY_COLUMNS = (
    articles.c.id,
    articles.c.title,
    articles.c.outlet,
    articles.c.url,
    articles.c.published,
    articles.c.language,
    articles.c.story_id,
    articles.c.duplicate_of,
    articles.c.ingested_at,
    articles.c.source_kind,
)

_NO_RAW = tuple(c for c in articles.c if c.name != "raw")  # assignment never needs raw input


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable across process kills in WAL mode
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def create_db_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL and a busy timeout, their folder is created."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StorageError(
            f"{url!r} is not a database URL; use sqlite:///path.db or postgresql+psycopg://..."
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            folder = Path(parsed.database).expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(
                    f"cannot create the database folder {folder} ({exc.strerror}); "
                    "choose a writable path with --db"
                ) from exc
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except (ImportError, ArgumentError) as exc:
        raise StorageError(
            f"cannot open {parsed.render_as_string(hide_password=True)} ({exc}); "
            "for PostgreSQL install the extra: pip install 'storyline[postgres]'"
        ) from exc


def _row_to_article(row: Any) -> Article:
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
        published=data["published"],
        published_source=data["published_source"],
        published_note=data["published_note"],
        language=data["language"],
        language_score=data["language_score"],
        encoding=data["encoding"],
        encoding_note=data["encoding_note"],
        fetched_at=data["fetched_at"],
        ingested_at=data["ingested_at"],
        removed_lines=[RemovedLine(**r) for r in data["removed_lines"] or []],
        stages=[Stage(s) for s in data["stages"].split(",") if s],
        content_hash=data["content_hash"],
        signature=data["minhash"],
        duplicate_of=data["duplicate_of"],
        duplicate_similarity=data["duplicate_similarity"],
        story_id=data["story_id"],
    )


class _AlreadyPlacedError(Exception):
    """Another process placed the article between our read and our write."""


class Store(AnnotationStore):
    """The database: articles, their sources (outlets) and stories."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_db_engine(url)
        try:
            with self.engine.begin() as conn:
                migrate(conn)
        except SQLAlchemyError as exc:
            self.engine.dispose()
            raise StorageError(
                f"cannot open the database {self.display_url} ({exc.__class__.__name__}: "
                f"{str(exc).splitlines()[0]}); "
                "check --db / STORYLINE_DB_URL and that the database is reachable"
            ) from exc

    @property
    def display_url(self) -> str:
        """The URL with any password hidden."""
        return make_url(self.url).render_as_string(hide_password=True)

    def close(self) -> None:
        """Release connections."""
        self.engine.dispose()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One atomic unit of work: committed whole or not at all."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except OperationalError as exc:
            raise StorageError(
                f"database {self.display_url} failed: {str(exc.orig)[:200]}; "
                "if it is locked by another process, wait and retry"
            ) from exc

    # --- articles -------------------------------------------------------------------------------

    def _source_id(self, conn: Connection, name: str | None) -> int | None:
        if not name:
            return None
        found = conn.execute(select(sources.c.id).where(sources.c.name == name)).scalar()
        if found is not None:
            return int(found)
        result = conn.execute(sources.insert().values(name=name, first_seen=datetime.now(UTC)))
        return int(result.inserted_primary_key[0])

    def find_duplicate(self, conn: Connection, article: Article) -> str | None:
        """Id of a stored article that ``article`` repeats (same URL, or same text and outlet)."""
        if article.canonical_url:
            found = conn.execute(
                select(articles.c.id).where(articles.c.canonical_url == article.canonical_url)
            ).scalar()
            if found:
                return str(found)
        same_text = select(articles.c.id).where(articles.c.content_hash == article.content_hash)
        if article.canonical_url:
            same_text = same_text.where(
                or_(articles.c.outlet == article.outlet, articles.c.canonical_url.is_(None))
            )
        found = conn.execute(same_text.limit(1)).scalar()
        return str(found) if found else None

    def add_article(self, article: Article) -> tuple[str, bool]:
        """Store a cleaned article unless it is already stored; return (id, newly stored)."""
        if article.id is None or article.content_hash is None:
            raise ValueError("add_article needs a cleaned article (id and content_hash set)")
        article.ingested_at = article.ingested_at or datetime.now(UTC)
        try:
            with self.transaction() as conn:
                existing = self.find_duplicate(conn, article)
                if existing:
                    return existing, False
                conn.execute(articles.insert().values(**self._article_values(conn, article)))
        except IntegrityError:
            # another process stored it between our check and our insert: it is a duplicate
            with self.transaction() as conn:
                existing = self.find_duplicate(conn, article)
            return existing or article.id, False
        except DataError as exc:
            raise ParseError(
                f"{article.source}: the database refused a value ({str(exc.orig).splitlines()[0]})"
            ) from exc
        return article.id, True

    def _article_values(self, conn: Connection, article: Article) -> dict[str, Any]:
        return {
            "id": article.id,
            "source_id": self._source_id(conn, article.outlet),
            "locator": article.source,
            "source_kind": article.source_kind.value,
            "url": article.url,
            "canonical_url": article.canonical_url,
            "title": article.title,
            "raw": article.raw,
            "raw_format": article.raw_format,
            "text": article.text,
            "outlet": article.outlet,
            "published": article.published,
            "published_source": article.published_source,
            "published_note": article.published_note,
            "language": article.language,
            "language_score": article.language_score,
            "encoding": article.encoding,
            "encoding_note": article.encoding_note,
            "fetched_at": article.fetched_at,
            "ingested_at": article.ingested_at,
            "removed_lines": [asdict(r) for r in article.removed_lines],
            "stages": ",".join(article.stages),
            "content_hash": article.content_hash,
        }

    def get_article(self, article_id: str) -> Article:
        """The whole article; NotFoundError when no article has that id."""
        with self.transaction() as conn:
            row = conn.execute(select(articles).where(articles.c.id == article_id)).first()
        if row is None:
            raise NotFoundError(
                f"no article with id {article_id!r}; list ids with `storyline articles`"
            )
        return _row_to_article(row)

    def list_articles(
        self,
        limit: int = 50,
        offset: int = 0,
        story_id: int | None = None,
        outlet: str | None = None,
    ) -> list[dict[str, Any]]:
        """Article summaries, newest first, optionally only one story's or one outlet's."""
        query = select(*_SUMMARY_COLUMNS)
        if story_id is not None:
            query = query.where(articles.c.story_id == story_id)
        if outlet:
            query = query.where(articles.c.outlet == outlet)
        when = func.coalesce(articles.c.published, articles.c.ingested_at)
        query = query.order_by(when.desc(), articles.c.id).limit(limit).offset(offset)
        with self.transaction() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def count_articles(self, story_id: int | None = None, outlet: str | None = None) -> int:
        """How many articles are stored (in one story and from one outlet, when given)."""
        query = select(func.count()).select_from(articles)
        if story_id is not None:
            query = query.where(articles.c.story_id == story_id)
        if outlet:
            query = query.where(articles.c.outlet == outlet)
        with self.transaction() as conn:
            return int(conn.execute(query).scalar_one())

    # --- assignment -----------------------------------------------------------------------------

    def pending_assignment(self) -> list[Article]:
        """Articles not yet placed in a story, oldest first (without raw input: not needed)."""
        when = func.coalesce(articles.c.published, articles.c.ingested_at)
        query = (
            select(*_NO_RAW).where(articles.c.assigned_at.is_(None)).order_by(when, articles.c.id)
        )
        with self.transaction() as conn:
            return [_row_to_article(row) for row in conn.execute(query)]

    def assigned_between(self, start: datetime, end: datetime) -> list[Article]:
        """Placed articles whose time falls in [start, end]: the context for placing new ones."""
        when = func.coalesce(articles.c.published, articles.c.ingested_at)
        query = (
            select(*_NO_RAW)
            .where(articles.c.assigned_at.is_not(None), when >= start, when <= end)
            .order_by(when, articles.c.id)
        )
        with self.transaction() as conn:
            return [_row_to_article(row) for row in conn.execute(query)]

    def save_assignment(
        self,
        article: Article,
        story_title: str | None,
        repoint: Mapping[str, float | None] | None = None,
    ) -> int | None:
        """Record where ``article`` was placed, creating or updating its story, atomically.

        A new story (``article.story_id`` None) is created with ``story_title``. ``repoint`` maps
        earlier-stored copies whose original is now ``article`` (it is older) to their
        similarity. Returns the story id, or None when another process placed the article first
        (then nothing is written).
        """
        now = datetime.now(UTC)
        stages = [*article.stages, *([] if Stage.ASSIGNED in article.stages else [Stage.ASSIGNED])]
        try:
            with self.transaction() as conn:
                story_id = article.story_id
                if story_id is None:
                    result = conn.execute(
                        stories.insert().values(
                            title=story_title or "(untitled story)",
                            first_seen=article.when,
                            last_seen=article.when,
                            article_count=0,
                            created_at=now,
                            updated_at=now,
                        )
                    )
                    story_id = int(result.inserted_primary_key[0])
                placed = conn.execute(
                    update(articles)
                    .where(articles.c.id == article.id, articles.c.assigned_at.is_(None))
                    .values(
                        story_id=story_id,
                        duplicate_of=article.duplicate_of,
                        duplicate_similarity=article.duplicate_similarity,
                        minhash=article.signature,
                        stages=",".join(stages),
                        assigned_at=now,
                    )
                )
                if placed.rowcount != 1:
                    raise _AlreadyPlacedError  # rolls back the story created above, if any
                for copy_id, similarity in (repoint or {}).items():
                    conn.execute(
                        update(articles)
                        .where(articles.c.id == copy_id)
                        .values(
                            duplicate_of=article.id,
                            duplicate_similarity=func.coalesce(
                                articles.c.duplicate_similarity, similarity
                            ),
                        )
                    )
                self._refresh_story(conn, story_id, now)
        except _AlreadyPlacedError:
            return None
        article.story_id, article.stages = story_id, stages
        return story_id

    def set_story_titles(self, titles: dict[int, str]) -> None:
        """Give stories new titles (chosen once a batch of articles has been placed)."""
        if not titles:
            return
        with self.transaction() as conn:
            for story_id, title in titles.items():
                conn.execute(update(stories).where(stories.c.id == story_id).values(title=title))

    def _refresh_story(self, conn: Connection, story_id: int, now: datetime) -> None:
        when = func.coalesce(articles.c.published, articles.c.ingested_at)
        first, last, count = conn.execute(
            select(func.min(when), func.max(when), func.count()).where(
                articles.c.story_id == story_id
            )
        ).one()
        conn.execute(
            update(stories)
            .where(stories.c.id == story_id)
            .values(first_seen=first, last_seen=last, article_count=count, updated_at=now)
        )

    # --- stories --------------------------------------------------------------------------------

    def _stories(
        self, conn: Connection, ids: Sequence[int] | None, limit: int, offset: int
    ) -> list[Story]:
        query = select(stories)
        if ids is not None:
            query = query.where(stories.c.id.in_(list(ids)))
        query = query.order_by(stories.c.last_seen.desc(), stories.c.id).limit(limit).offset(offset)
        rows = list(conn.execute(query))
        if not rows:
            return []
        wanted = [row.id for row in rows]
        when = func.coalesce(articles.c.published, articles.c.ingested_at)
        members = conn.execute(
            select(articles.c.story_id, articles.c.id, articles.c.outlet)
            .where(articles.c.story_id.in_(wanted))
            .order_by(when, articles.c.id)
        )
        by_story: dict[int, list[tuple[str, str | None]]] = {}
        for story_id, article_id, outlet in members:
            by_story.setdefault(story_id, []).append((article_id, outlet))
        result = []
        for row in rows:
            items = by_story.get(row.id, [])
            result.append(
                Story(
                    id=row.id,
                    title=row.title,
                    first_seen=row.first_seen,
                    last_seen=row.last_seen,
                    article_count=row.article_count,
                    outlets=sorted({outlet for _, outlet in items if outlet}),
                    article_ids=[article_id for article_id, _ in items],
                )
            )
        return result

    def list_stories(self, limit: int = 50, offset: int = 0) -> list[Story]:
        """Stories, most recently active first."""
        with self.transaction() as conn:
            return self._stories(conn, None, limit, offset)

    def count_stories(self) -> int:
        """How many stories exist."""
        with self.transaction() as conn:
            return int(conn.execute(select(func.count()).select_from(stories)).scalar_one())

    def get_story(self, story_id: int) -> Story:
        """One story with its article ids in time order; NotFoundError when there is none."""
        with self.transaction() as conn:
            found = self._stories(conn, [story_id], 1, 0)
        if not found:
            raise NotFoundError(f"no story with id {story_id}; list them with `storyline stories`")
        return found[0]
