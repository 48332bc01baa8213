"""Store: table definitions (SQLAlchemy Core) and ordered migrations recorded in the database."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
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
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Dialect, Engine

from storyline.model import UNDATED_NOTE


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
    Column("merged_into", Integer, index=True),  # set when folded into another story
)

story_events = Table(
    "story_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("story_id", Integer, ForeignKey("stories.id"), nullable=False, index=True),
    Column("title", Text, nullable=False),
    Column("first_seen", UTCDateTime),
    Column("last_seen", UTCDateTime),
    Column("article_count", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

story_changes = Table(
    "story_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("story_id", Integer, nullable=False, index=True),
    Column("other_story_id", Integer, index=True),
    Column("article_id", String(32)),
    Column("detail", Text),
    Column("at", UTCDateTime, nullable=False),
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
    Column("outlet", String(300), index=True),  # the key: registered domain, else a name
    Column("outlet_name", String(300), index=True),  # the name to show, when one is known
    Column("published", UTCDateTime, index=True),
    Column("published_source", String(100)),
    Column("published_confidence", String(8)),  # high, medium, low (DateConfidence)
    Column("published_note", Text),
    Column("language", String(16)),
    Column("language_score", Float),
    Column("encoding", String(40)),
    Column("encoding_note", Text),
    Column("authors", JSON),  # names, as the page or record gives them
    Column("image_url", Text),
    Column("image_caption", Text),
    Column("fetched_at", UTCDateTime),
    Column("ingested_at", UTCDateTime, nullable=False),
    Column("removed_lines", JSON, nullable=False),
    Column("stages", String(200), nullable=False),
    Column("content_hash", String(64), nullable=False, index=True),
    Column("minhash", LargeBinary),
    Column("duplicate_of", String(32), index=True),
    Column("duplicate_similarity", Float),
    Column("duplicate_kind", String(16)),
    Column("story_id", Integer, ForeignKey("stories.id")),  # indexed with placed_at, below
    Column("event_id", Integer),  # indexed with placed_at, below
    Column("placed_at", UTCDateTime, index=True),
    Column("placement_note", Text),
    Column("assigned_at", UTCDateTime),
    Column("analyzed_at", UTCDateTime, index=True),
    Column("analysis_note", Text),
)
Index("ix_articles_pending", articles.c.assigned_at, articles.c.published)
# A story's or event's members with their placement times, read from the index alone: the span
# and count refreshed at every placement cost a few index pages, not one table page per member.
# A story's index also holds what a story listing shows of its members (ids, outlets, events),
# so listing stories reads no article rows either.
MEMBERS_PLACED = (
    Index(
        "ix_articles_story_members",
        articles.c.story_id,
        articles.c.placed_at,
        articles.c.id,
        articles.c.outlet,
        articles.c.event_id,
    ),
    Index("ix_articles_event_placed", articles.c.event_id, articles.c.placed_at),
)

# --- annotations: every row carries its article id and character span -------------------------

entities = Table(
    "entities",
    metadata,
    Column("id", String(20), primary_key=True),  # stable: a hash of ``key``
    Column("key", Text, nullable=False, unique=True),  # "person:jens stoltenberg", "country:RUS"
    Column("name", Text, nullable=False),
    Column("type", String(16), nullable=False, index=True),
    Column("country", String(3)),
    Column("aliases", JSON, nullable=False),
    Column("roles", JSON, nullable=False),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)


def _annotation_table(name: str, *columns: Column[Any]) -> Table:
    return Table(
        name,
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column(
            "article_id",
            String(32),
            ForeignKey("articles.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        Column("start_char", Integer, nullable=False),
        Column("end_char", Integer, nullable=False),
        *columns,
    )


mentions = _annotation_table(
    "mentions",
    Column("text", Text, nullable=False),
    Column("entity_id", String(20), index=True),
    Column("type", String(16)),
    Column("how", String(40)),
    Column("role", Text),
    Column("note", Text),
)
quotes = _annotation_table(
    "quotes",
    Column("text", Text, nullable=False),
    Column("speaker_entity_id", String(20), index=True),
    Column("speaker", Text),
    Column("speaker_start", Integer),
    Column("speaker_end", Integer),
    Column("cue", String(80)),
    Column("kind", String(16), nullable=False),
    Column("channel", String(40)),
)
claims = _annotation_table(
    "claims",
    Column("text", Text, nullable=False),
    Column("quantity", Float),
    Column("quantity_max", Float),
    Column("unit", String(16)),
    Column("counted", Text),
    Column("approximate", Boolean, nullable=False),
    Column("qualifier", String(40)),
    Column("claimant", Text),
    Column("claimant_entity_id", String(20)),
)
time_refs = _annotation_table(
    "time_refs",
    Column("text", Text, nullable=False),
    Column("value", String(64)),
    Column("granularity", String(16)),
    Column("derivation", String(60)),
    Column("kind", String(16), nullable=False),
)
places = _annotation_table(
    "places",
    Column("name", Text, nullable=False),
    Column("country", String(3), index=True),
    Column("lat", Float),
    Column("lon", Float),
    Column("kind", String(16)),
    Column("geonames_id", Integer),
    Column("entity_id", String(20)),
)


def _actor_columns(prefix: str) -> list[Column[Any]]:
    return [
        Column(f"{prefix}_name", Text),
        Column(f"{prefix}_code", String(24), index=True),
        Column(f"{prefix}_country", String(3)),
        Column(f"{prefix}_sector", String(8)),
        Column(f"{prefix}_entity_id", String(20)),
        Column(f"{prefix}_start", Integer),
        Column(f"{prefix}_end", Integer),
        Column(f"{prefix}_via", Text),
    ]


# Political events (PLOVER/CAMEO), one row per event per article; start/end is the sentence.
coded_events = _annotation_table(
    "coded_events",
    Column("trigger_start", Integer, nullable=False),
    Column("trigger_end", Integer, nullable=False),
    Column("cue", String(80), nullable=False),
    Column("plover", String(16), nullable=False, index=True),
    Column("mode", String(40)),
    Column("cameo", String(4), nullable=False),
    Column("goldstein", Float, nullable=False),
    *_actor_columns("actor"),
    *_actor_columns("target"),
    Column("day", String(10), index=True),
    Column("day_derivation", String(60)),
    Column("place", Text),
    Column("place_country", String(3)),
    Column("negated", Boolean, nullable=False),
    Column("hypothetical", Boolean, nullable=False),
    Column("quoted", Boolean, nullable=False),
    Column("note", Text),
    Column("text", Text, nullable=False),
)
ANNOTATION_TABLES = (mentions, quotes, claims, time_refs, places, coded_events)

# Feeds polled by `storyline watch`: what the server last said (for conditional GET) and when
# to poll next, so a restarted watcher carries on where it stopped.
feed_state = Table(
    "feed_state",
    metadata,
    Column("url", Text, primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_polled", UTCDateTime),
    Column("next_poll", UTCDateTime),
    Column("failures", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("articles", Integer, nullable=False, default=0),
)

registered_feeds = Table(
    "registered_feeds",
    metadata,
    Column("url", Text, primary_key=True),
    Column("added_at", UTCDateTime, nullable=False),
)

store_info = Table(  # facts about the database itself, e.g. its id ("database_id")
    "store_info",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


def _initial(conn: Connection) -> None:
    metadata.create_all(conn)


def _analysis(conn: Connection) -> None:
    """Annotation tables, and the articles columns that record analysis."""
    present = {column["name"] for column in inspect(conn).get_columns("articles")}
    timestamp = "TIMESTAMP WITH TIME ZONE" if conn.dialect.name == "postgresql" else "DATETIME"
    if "analyzed_at" not in present:
        conn.execute(text(f"ALTER TABLE articles ADD COLUMN analyzed_at {timestamp}"))
        conn.execute(text("CREATE INDEX ix_articles_analyzed_at ON articles (analyzed_at)"))
    if "analysis_note" not in present:
        conn.execute(text("ALTER TABLE articles ADD COLUMN analysis_note TEXT"))
    metadata.create_all(conn)  # creates only the tables that are missing


def _events(conn: Connection) -> None:
    """Events inside stories, recorded story changes, and how each article was placed.

    Stories placed before events existed get one event each holding all their articles, and the
    placement time of an article placed earlier is the time it was placed by then.
    """
    timestamp = "TIMESTAMP WITH TIME ZONE" if conn.dialect.name == "postgresql" else "DATETIME"
    added = {
        "articles": [
            ("duplicate_kind", "VARCHAR(16)"),
            ("event_id", "INTEGER"),
            ("placed_at", timestamp),
            ("placement_note", "TEXT"),
        ],
        "stories": [("merged_into", "INTEGER")],
    }
    for table, columns in added.items():
        present = {column["name"] for column in inspect(conn).get_columns(table)}
        for name, kind in columns:
            if name not in present:
                conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {kind}"))
                conn.execute(text(f"CREATE INDEX ix_{table}_{name} ON {table} ({name})"))
    metadata.create_all(conn)
    conn.execute(
        text(
            "UPDATE articles SET placed_at = COALESCE(published, ingested_at), "
            "duplicate_kind = CASE WHEN duplicate_of IS NULL THEN NULL ELSE 'near copy' END "
            "WHERE assigned_at IS NOT NULL AND placed_at IS NULL"
        )
    )
    conn.execute(
        text(
            "INSERT INTO story_events (story_id, title, first_seen, last_seen, article_count, "
            "created_at, updated_at) SELECT id, title, first_seen, last_seen, article_count, "
            "created_at, updated_at FROM stories WHERE id NOT IN "
            "(SELECT story_id FROM story_events)"
        )
    )
    conn.execute(
        text(
            "UPDATE articles SET event_id = (SELECT MIN(e.id) FROM story_events e "
            "WHERE e.story_id = articles.story_id) "
            "WHERE story_id IS NOT NULL AND event_id IS NULL"
        )
    )


def _coded(conn: Connection) -> None:
    """Tables added whole (coded political events, feed state): created when missing."""
    metadata.create_all(conn)


def _search(conn: Connection) -> None:
    """Full-text search over titles and text: an FTS5 index kept by triggers on SQLite, a GIN
    index on the text's tsvector on PostgreSQL."""
    if conn.dialect.name == "sqlite":
        for statement in (
            "CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(title, text, "
            "content='articles', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')",
            "CREATE TRIGGER IF NOT EXISTS articles_fts_insert AFTER INSERT ON articles BEGIN "
            "INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);"
            " END",
            "CREATE TRIGGER IF NOT EXISTS articles_fts_delete AFTER DELETE ON articles BEGIN "
            "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
            "VALUES ('delete', old.rowid, old.title, old.text); END",
            "CREATE TRIGGER IF NOT EXISTS articles_fts_update AFTER UPDATE OF title, text ON "
            "articles BEGIN INSERT INTO articles_fts(articles_fts, rowid, title, text) "
            "VALUES ('delete', old.rowid, old.title, old.text); "
            "INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);"
            " END",
            "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
        ):
            conn.execute(text(statement))
    elif conn.dialect.name == "postgresql":
        conn.execute(
            text(
                "CREATE INDEX IF NOT EXISTS ix_articles_fulltext ON articles USING GIN "
                f"(({SEARCH_VECTOR}))"
            )
        )


def _identity(conn: Connection) -> None:
    """A random id for the database, so that a file saved for one (the assigner's snapshot)
    is never read back into another found at the same address."""
    metadata.create_all(conn)
    if conn.execute(select(store_info.c.value).where(store_info.c.key == "database_id")).first():
        return
    conn.execute(store_info.insert().values(key="database_id", value=uuid.uuid4().hex))


def _members_indexed(conn: Connection, replaced: tuple[str, ...]) -> None:
    """Drop the ``replaced`` member indexes and create `MEMBERS_PLACED` where missing."""
    for old in replaced:
        conn.execute(text(f"DROP INDEX IF EXISTS {old}"))
    for index in MEMBERS_PLACED:
        index.create(conn, checkfirst=True)


def _covering(conn: Connection) -> None:
    """Story and event members indexed with their placement times (replacing the indexes on
    the ids alone), so refreshing a story's span and count reads no article rows."""
    _members_indexed(conn, ("ix_articles_story_id", "ix_articles_event_id"))


def _listing_covered(conn: Connection) -> None:
    """A story's members indexed with what a listing shows of them (replacing migration 9's
    index of story and placement time alone), so listing stories reads no article rows."""
    _members_indexed(conn, ("ix_articles_story_placed",))


def _undated(conn: Connection) -> None:
    """How sure each publication date is, and no placement by ingest or fetch time: articles
    placed by either before are marked placed by content alone, and the spans of stories and
    events are read again from their dated members (issue 19)."""
    present = {column["name"] for column in inspect(conn).get_columns("articles")}
    if "published_confidence" not in present:
        conn.execute(text("ALTER TABLE articles ADD COLUMN published_confidence VARCHAR(8)"))
    conn.execute(
        text(
            "UPDATE articles SET published_confidence = CASE "
            "WHEN published IS NULL THEN NULL "
            "WHEN published_source LIKE 'record%' OR published_source LIKE 'feed%' "
            "OR published_source LIKE 'html-meta%' THEN 'high' ELSE 'medium' END"
        )
    )
    conn.execute(
        text(
            "UPDATE articles SET placed_at = NULL, placement_note = :note "
            "WHERE placed_at IS NOT NULL AND (published IS NULL OR placed_at <> published)"
        ),
        {"note": UNDATED_NOTE},
    )
    for table, key in (("stories", "story_id"), ("story_events", "event_id")):
        members = f"FROM articles a WHERE a.{key} = {table}.id"
        conn.execute(
            text(
                f"UPDATE {table} SET first_seen = (SELECT MIN(a.placed_at) {members}), "
                f"last_seen = (SELECT MAX(a.placed_at) {members})"
            )
        )


def _page_fields(conn: Connection) -> None:
    """What cleaning keeps beside the text (issue 21): the authors the page or record names,
    the lead image and its caption. Articles stored before have none recorded."""
    present = {column["name"] for column in inspect(conn).get_columns("articles")}
    kinds = {"authors": "JSON" if conn.dialect.name == "postgresql" else "TEXT",
             "image_url": "TEXT", "image_caption": "TEXT"}  # fmt: skip
    for name, kind in kinds.items():
        if name not in present:
            conn.execute(text(f"ALTER TABLE articles ADD COLUMN {name} {kind}"))


def _outlet_keys(conn: Connection) -> None:
    """Outlets keyed by registered domain, with the name to show beside (issue 21)."""
    from storyline.store.outlet_keys import rekey_outlets  # it imports this module's tables

    rekey_outlets(conn)


# The text PostgreSQL indexes and searches ('simple': no stemming, any language).
SEARCH_VECTOR = "to_tsvector('simple', coalesce(title, '') || ' ' || text)"


# Ordered migrations: append, never edit or reorder one that has shipped.
MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("initial schema: sources, articles, stories", _initial),
    ("analysis: entities, mentions, quotes, claims, time_refs, places", _analysis),
    ("stories: events, recorded changes, placement time and notes", _events),
    ("political events: coded_events (re-run `analyze --redo` to code stored articles)", _coded),
    ("watch: feed_state for conditional polling", _coded),
    ("search: full-text index over titles and text", _search),
    ("feeds registered for the web server to poll", _coded),
    ("store_info: the database's id", _identity),
    ("articles: story and event members indexed with their placement times", _covering),
    ("articles: story members indexed with their ids, outlets and events", _listing_covered),
    ("articles: date confidence; undated articles placed by content alone", _undated),
    ("articles: authors, lead image and its caption", _page_fields),
    ("articles: outlets keyed by registered domain, with the name to show", _outlet_keys),
]


# Any constant: the PostgreSQL advisory lock that serialises migrations between processes.
_MIGRATION_LOCK = 7_301_442_019


def recorded_versions(conn: Connection) -> set[int]:
    """The migration versions the database records (none in a new one); reads only, takes no
    lock. A version above ``len(MIGRATIONS)`` was applied by a newer storyline."""
    if not inspect(conn).has_table(schema_migrations.name):
        return set()
    return _applied(conn)


def is_current(conn: Connection) -> bool:
    """Whether every migration has been applied (read only, takes no lock)."""
    return recorded_versions(conn) >= set(range(1, len(MIGRATIONS) + 1))


def _applied(conn: Connection) -> set[int]:
    return set(conn.execute(select(schema_migrations.c.version)).scalars())


def migrate_engine(engine: Engine) -> list[str]:
    """Bring the database at ``engine`` up to date, safely when several processes open a new
    database at once: the migrations run in one transaction that holds the database's write lock
    (SQLite ``BEGIN IMMEDIATE``, a PostgreSQL advisory lock), and the versions are read again
    under it, so each migration is applied once and a killed process leaves none half done."""
    with engine.connect() as conn:
        if is_current(conn):
            return []
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            # pysqlite would run DDL outside any transaction; open one ourselves, for writing.
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        return migrate(conn)


def migrate(conn: Connection) -> list[str]:
    """Apply the migrations this database has not seen yet; return their names. The caller
    holds the transaction (see ``migrate_engine`` for opening one that is safe to share)."""
    schema_migrations.create(conn, checkfirst=True)
    done = _applied(conn)
    if max(done, default=0) > len(MIGRATIONS):
        return []  # a newer storyline owns this schema: never apply older steps into it
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
