"""Store: table definitions (SQLAlchemy Core) and ordered migrations recorded in the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    select,
)
from sqlalchemy.engine import Dialect


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite (naive storage) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

schema_migrations = Table(
    "schema_migrations",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("applied_at", UTCDateTime, nullable=False),
)

sources = Table(
    "sources",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(300), nullable=False, unique=True),
    Column("first_seen", UTCDateTime, nullable=False),
)

stories = Table(
    "stories",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", Text, nullable=False),
    Column("first_seen", UTCDateTime),
    Column("last_seen", UTCDateTime),
    Column("article_count", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

articles = Table(
    "articles",
    metadata,
    Column("id", String(32), primary_key=True),  # hash of canonical URL, else of the text
    Column("source_id", Integer, ForeignKey("sources.id")),
    Column("locator", Text, nullable=False),
    Column("source_kind", String(16), nullable=False),
    Column("url", Text),
    Column("canonical_url", Text, index=True),
    Column("title", Text),
    Column("raw", Text, nullable=False),
    Column("raw_format", String(8), nullable=False),
    Column("text", Text, nullable=False),
    Column("outlet", String(300), index=True),
    Column("published", UTCDateTime, index=True),
    Column("published_source", String(100)),
    Column("published_note", Text),
    Column("language", String(16)),
    Column("language_score", Float),
    Column("encoding", String(40)),
    Column("encoding_note", Text),
    Column("fetched_at", UTCDateTime),
    Column("ingested_at", UTCDateTime, nullable=False),
    Column("removed_lines", JSON, nullable=False),
    Column("stages", String(200), nullable=False),
    Column("content_hash", String(64), nullable=False, index=True),
    Column("minhash", LargeBinary),
    Column("duplicate_of", String(32), index=True),
    Column("duplicate_similarity", Float),
    Column("story_id", Integer, ForeignKey("stories.id"), index=True),
    Column("assigned_at", UTCDateTime),
)
Index("ix_articles_pending", articles.c.assigned_at, articles.c.published)


def _initial(conn: Connection) -> None:
    metadata.create_all(conn)


# Ordered migrations: append, never edit or reorder one that has shipped.
MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("initial schema: sources, articles, stories", _initial),
]


def migrate(conn: Connection) -> list[str]:
    """Apply the migrations this database has not seen yet; return their names."""
    schema_migrations.create(conn, checkfirst=True)
    done = set(conn.execute(select(schema_migrations.c.version)).scalars())
    applied = []
    for version, (name, step) in enumerate(MIGRATIONS, start=1):
        if version in done:
            continue
        step(conn)
        conn.execute(
            schema_migrations.insert().values(
                version=version, name=name, applied_at=datetime.now(UTC)
            )
        )
        applied.append(name)
    return applied
