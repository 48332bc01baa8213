"""Store: persist and query articles and stories (SQLAlchemy Core; SQLite WAL or PostgreSQL)."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, func, or_, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    IntegrityError,
    OperationalError,
    SQLAlchemyError,
)

from storyline.errors import NotFoundError, ParseError, ReadOnlyError, StorageError
from storyline.model import Article, Stage
from storyline.store.annotations import AnnotationStore
from storyline.store.events import EventStore
from storyline.store.feeds import FeedStore
from storyline.store.read_only import (
    ReadOnly,
    newer_schema,
    read_only_url,
    refused_write,
    sqlite_path,
    unwritable,
)
from storyline.store.rows import row_to_article
from storyline.store.schema import (
    MIGRATIONS,
    articles,
    migrate_engine,
    recorded_versions,
    sources,
    store_info,
)
from storyline.store.search import SearchStore, outlet_is
from storyline.store.stories import StoryStore

log = logging.getLogger(__name__)

_SUMMARY_COLUMNS = (
    articles.c.id,
    articles.c.title,
    articles.c.outlet,
    articles.c.outlet_name,
    articles.c.url,
    articles.c.published,
    articles.c.published_confidence,
    articles.c.language,
    articles.c.story_id,
    articles.c.event_id,
    articles.c.duplicate_of,
    articles.c.duplicate_kind,
    articles.c.ingested_at,
    articles.c.source_kind,
    articles.c.placed_at,
    articles.c.placement_note,
)


def _use_wal(cursor: Any, lock_ms: int) -> None:
    """Switch the file to WAL (it stays so). SQLite answers "locked" at once, without waiting,
    when another process is opening the same new file, so the switch is retried here."""
    deadline = time.monotonic() + lock_ms / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode")
            if cursor.fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _sqlite_pragmas(lock_ms: int, read_only: bool) -> Callable[[Any, Any], None]:
    def apply(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout={lock_ms}")  # a locked database is retried
        if read_only:
            cursor.execute("PRAGMA query_only=ON")  # every write fails, whatever issues it
        else:
            _use_wal(cursor, lock_ms)  # readers never block the writer
        cursor.execute("PRAGMA synchronous=NORMAL")  # durable across process kills in WAL mode
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return apply


def _parse(url: str | URL) -> URL:
    try:
        return make_url(url)
    except ArgumentError as exc:
        raise StorageError(
            f"{url!r} is not a database URL; use sqlite:///path.db or postgresql+psycopg://..."
        ) from exc


def create_db_engine(url: str | URL, lock_timeout: float = 15.0, read_only: bool = False) -> Engine:
    """An engine for ``url``; SQLite files get WAL and a busy timeout, their folder is created.
    A write waits ``lock_timeout`` seconds for a lock held by another process, then fails.
    With ``read_only`` every connection refuses writes (and the file is left as it is)."""
    lock_ms = max(1, int(lock_timeout * 1000))
    parsed = _parse(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:" and not read_only:
            folder = Path(parsed.database).expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(
                    f"cannot create the database folder {folder} ({exc.strerror}); "
                    "choose a writable path with --db"
                ) from exc
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_pragmas(lock_ms, read_only))
        return engine
    try:
        options = f"{parsed.query.get('options', '')} -c lock_timeout={lock_ms}".strip()
        if read_only:
            options += " -c default_transaction_read_only=on"
        return create_engine(parsed, pool_pre_ping=True, connect_args={"options": options})
    except (ImportError, ArgumentError) as exc:
        raise StorageError(
            f"cannot open {parsed.render_as_string(hide_password=True)} ({exc}); "
            "for PostgreSQL install the extra: pip install 'storyline[postgres]'"
        ) from exc


class Store(AnnotationStore, StoryStore, EventStore, FeedStore, SearchStore):
    """The database: articles, their sources (outlets) and stories.

    ``read_only`` says why the store takes no writes (None when it does): a newer storyline
    wrote the database, or it is a SQLite file this process may not write. It is said once on
    opening (a warning on the ``storyline.store`` logger, on stderr by default); reads work,
    and every write raises `ReadOnlyError`.
    """

    def __init__(self, url: str, lock_timeout: float = 15.0) -> None:
        self.url = url
        self.read_only: ReadOnly | None = None
        parsed = _parse(url)
        path = sqlite_path(parsed)
        cannot_write = unwritable(path) if path is not None else None
        opened = read_only_url(parsed, path) if cannot_write and path else url
        self.engine = create_db_engine(opened, lock_timeout, read_only=cannot_write is not None)
        try:
            self._open(lock_timeout, cannot_write)
        except SQLAlchemyError as exc:
            self.engine.dispose()
            detail = f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}"
            if cannot_write is not None:
                raise StorageError(
                    f"cannot open the database {self.display_url} read-only ({detail}): it "
                    f"{cannot_write.reason}; {cannot_write.advice}"
                ) from exc
            raise StorageError(
                f"cannot open the database {self.display_url} ({detail}); "
                "check --db / STORYLINE_DB_URL and that the database is reachable"
            ) from exc
        except BaseException:
            self.engine.dispose()
            raise
        if self.read_only is not None:
            log.warning(self.read_only.note(self.display_url))

    def _open(self, lock_timeout: float, cannot_write: ReadOnly | None) -> None:
        """Bring the schema up to date, or open read-only: when a newer storyline wrote the
        database (its schema is not this code's to change), or when ``cannot_write``."""
        with self.engine.connect() as conn:
            versions = recorded_versions(conn)
        newest, known = max(versions, default=0), len(MIGRATIONS)
        if newest > known:
            self.read_only = newer_schema(newest, known)
            if cannot_write is None:  # reopen so that every connection refuses writes
                self.engine.dispose()
                self.engine = create_db_engine(self.url, lock_timeout, read_only=True)
        elif cannot_write is not None:
            if not versions >= set(range(1, known + 1)):
                raise StorageError(
                    f"database {self.display_url} {cannot_write.reason}, and its schema "
                    f"({newest}) is older than this storyline's ({known}): it must be written "
                    f"once to be upgraded; {cannot_write.advice}"
                )
            self.read_only = cannot_write
        else:
            migrate_engine(self.engine)

    @property
    def display_url(self) -> str:
        """The URL with any password hidden."""
        return make_url(self.url).render_as_string(hide_password=True)

    def database_id(self) -> str:
        """The database's random id, made when it was created (it outlives moves and renames)."""
        with self.transaction() as conn:
            return str(
                conn.execute(
                    select(store_info.c.value).where(store_info.c.key == "database_id")
                ).scalar_one()
            )

    def close(self) -> None:
        """Release connections."""
        self.engine.dispose()

    def check_writable(self) -> None:
        """Raise `ReadOnlyError` when the store takes no writes; commands that write call it
        first, so that they stop before reading or fetching anything."""
        if self.read_only is not None:
            raise ReadOnlyError(self.read_only.refusal(self.display_url))

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One atomic unit of work: committed whole or not at all. Every read and write of the
        store goes through here, so this is where a refused write becomes a `ReadOnlyError`."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except Exception as exc:
            if refused_write(exc):
                raise self._refusal(exc) from exc
            if isinstance(exc, OperationalError):
                raise StorageError(
                    f"database {self.display_url} failed: {str(exc.orig)[:200]}; "
                    "if it is locked by another process, wait and retry"
                ) from exc
            raise

    def _refusal(self, exc: BaseException) -> ReadOnlyError:
        if self.read_only is not None:
            return ReadOnlyError(self.read_only.refusal(self.display_url))
        # read-only for a reason not seen on opening (a PostgreSQL standby, a remounted disk)
        detail = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return ReadOnlyError(
            f"database {self.display_url} refused a write: it is read-only ({detail}); "
            "point --db at a writable database"
        )

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
            "outlet_name": article.outlet_name,
            "published": article.published,
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
            "fetched_at": article.fetched_at,
            "ingested_at": article.ingested_at,
            "removed_lines": [asdict(r) for r in article.removed_lines],
            "stages": ",".join(article.stages),
            "content_hash": article.content_hash,
        }

    def revise_clean_text(self, article: Article) -> bool:
        """Replace the clean text of a stored article cleaned again (its title, text, removed
        lines, content hash and language) unless it has been analysed; True when replaced."""
        with self.transaction() as conn:
            done = conn.execute(
                articles.update()
                .where(articles.c.id == article.id)
                .where(articles.c.stages.notlike(f"%{Stage.ANALYZED.value}%"))
                .values(
                    title=article.title,
                    text=article.text,
                    removed_lines=[asdict(r) for r in article.removed_lines],
                    content_hash=article.content_hash,
                    language=article.language,
                    language_score=article.language_score,
                )
            )
        return bool(done.rowcount)

    def get_article(self, article_id: str) -> Article:
        """The whole article; NotFoundError when no article has that id."""
        with self.transaction() as conn:
            row = conn.execute(select(articles).where(articles.c.id == article_id)).first()
        if row is None:
            raise NotFoundError(
                f"no article with id {article_id!r}; list ids with `storyline articles`"
            )
        return row_to_article(row)

    def list_articles(
        self,
        limit: int = 50,
        offset: int = 0,
        story_id: int | None = None,
        outlet: str | None = None,
    ) -> list[dict[str, Any]]:
        """Article summaries, newest first, optionally only one story's or one outlet's (by its
        key or its name, see ``outlet_is``)."""
        query = select(*_SUMMARY_COLUMNS)
        if story_id is not None:
            query = query.where(articles.c.story_id == story_id)
        if outlet:
            query = query.where(outlet_is(outlet))
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
            query = query.where(outlet_is(outlet))
        with self.transaction() as conn:
            return int(conn.execute(query).scalar_one())
