"""Store: events inside stories, merges and splits recorded as changes, `since` filters, and the
migration that gave stories made before events one event each. On SQLite always, and on
PostgreSQL when STORYLINE_TEST_POSTGRES_URL is set. All articles are fictional.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import create_engine, event, insert, inspect, select, text, update

from storyline import Storyline, get_settings
from storyline.clean.article import clean_article
from storyline.config import Settings
from storyline.errors import NotFoundError, StorylineError
from storyline.model import Article, Claim, Quote, SourceKind, Span, Stage, TimeRef
from storyline.store import Store
from storyline.store.schema import MIGRATIONS, articles, schema_migrations, stories
from storyline.store.stories import Placement

FLOOD_1 = (
    "Lessen dam gives way above Brisk",
    "The Lessen dam above Brisk gave way on Monday morning and floodwater poured into the old "
    "town, where rescue crews evacuated residents by boat.",
)
FLOOD_2 = (
    "Brisk evacuates as floodwater rises",
    "Rescue crews in Brisk moved hundreds of residents to the school hall as floodwater from the "
    "burst Lessen dam kept rising through Monday afternoon.",
)
FLOOD_3 = (
    "Inquiry into Lessen dam opens",
    "A public inquiry into the collapse of the Lessen dam opened in Brisk, where engineers said "
    "the dam had been cracked for years before the flood.",
)
CHESS = (
    "Teenager wins Wintermark chess open",
    "A sixteen-year-old beat three grandmasters to win the Wintermark chess open on Sunday after "
    "a final round that lasted six hours.",
)
HARBOUR = (
    "Velmora harbour wall to be rebuilt",
    "The Velmora town council voted to rebuild the old harbour wall, and the mayor said the work "
    "would start in June and take two years.",
)

DAY = datetime(2031, 3, 1, tzinfo=UTC)


def at(days: float, hours: float = 0) -> datetime:
    return DAY + timedelta(days=days, hours=hours)


def stored(
    store: Store, slug: str, item: tuple[str, str], published: datetime | None, outlet: str
) -> Article:
    """A cleaned article saved in ``store`` (not placed yet)."""
    title, body = item
    raw = Article(
        source=slug,
        source_kind=SourceKind.JSONL,
        raw=body,
        url=f"https://www.{outlet}.example/{slug}",
        title=title,
        published=published,
        published_source="record" if published else None,
    )
    article = clean_article(raw, Settings())
    _, new = store.add_article(article)
    assert new
    return article


def place(
    store: Store,
    article: Article,
    story: int | None = None,
    event: int | None = None,
    merge: tuple[int, ...] = (),
    detail: str | None = None,
) -> Article:
    """Save a placement as the assign runner does: None ids create a new story or event."""
    article.placed_at = article.published or article.ingested_at
    article.story_id, article.event_id = story, event
    saved = store.save_placement(
        article, True, Placement(article.title, merge=merge, detail=detail)
    )
    assert saved
    return article


@dataclass
class World:
    """Two stories: a flood (two events, three articles) and a chess open (one article)."""

    store: Store
    flood: int
    chess: int
    first_event: int
    inquiry_event: int
    chess_event: int
    ids: dict[str, str]


def build(url: str) -> World:
    store = Store(url)
    a1 = place(store, stored(store, "dam", FLOOD_1, at(0, 9), "northwire"))
    assert a1.story_id is not None and a1.event_id is not None
    a2 = stored(store, "evacuation", FLOOD_2, at(0, 15), "sundial")
    place(store, a2, a1.story_id, a1.event_id)
    a3 = place(store, stored(store, "inquiry", FLOOD_3, at(5, 10), "northwire"), a1.story_id)
    c1 = place(store, stored(store, "chess", CHESS, at(1, 12), "valecourier"))
    assert None not in (a3.event_id, c1.story_id, c1.event_id)
    assert a3.event_id != a1.event_id and c1.story_id != a1.story_id
    return World(
        store,
        flood=int(a1.story_id),
        chess=int(c1.story_id or 0),
        first_event=int(a1.event_id),
        inquiry_event=int(a3.event_id or 0),
        chess_event=int(c1.event_id or 0),
        ids={
            "dam": a1.id or "",
            "evacuation": a2.id or "",
            "inquiry": a3.id or "",
            "chess": c1.id or "",
        },
    )


@pytest.fixture
def world(db_url: str):
    found = build(db_url)
    yield found
    found.store.close()


# --- events ---------------------------------------------------------------------------------------


def test_story_events_have_their_articles_counts_and_time_spans(world: World):
    flood = world.store.get_story(world.flood)
    assert flood.article_count == 3
    assert (flood.first_seen, flood.last_seen) == (at(0, 9), at(5, 10))
    assert flood.article_ids == [world.ids["dam"], world.ids["evacuation"], world.ids["inquiry"]]
    assert flood.outlets == ["northwire.example", "sundial.example"]
    assert [e.id for e in flood.events] == [world.first_event, world.inquiry_event]
    first, inquiry = flood.events
    assert first.article_ids == [world.ids["dam"], world.ids["evacuation"]]
    assert (first.article_count, first.first_seen, first.last_seen) == (2, at(0, 9), at(0, 15))
    assert first.story_id == world.flood and first.title
    assert inquiry.article_ids == [world.ids["inquiry"]]
    assert (inquiry.article_count, inquiry.first_seen, inquiry.last_seen) == (
        1,
        at(5, 10),
        at(5, 10),
    )
    assert flood.changes == []
    listed = world.store.list_stories()
    assert [s.id for s in listed] == [world.flood, world.chess]  # most recently active first
    assert listed[0].events == []  # events only in the detail


def test_an_article_is_placed_once(world: World):
    again = world.store.get_article(world.ids["chess"])
    again.story_id, again.event_id = world.flood, world.first_event
    assert world.store.save_placement(again, True, Placement()) is False
    assert world.store.get_article(world.ids["chess"]).story_id == world.chess
    assert world.store.get_story(world.flood).article_count == 3


# --- merges ---------------------------------------------------------------------------------------


def test_merging_by_hand_moves_articles_and_events_and_is_recorded_on_both(world: World):
    store = world.store
    assert store.count_stories() == 2
    merged = store.merge_stories(world.chess, world.flood)
    assert merged.id == world.flood
    assert merged.article_count == 4
    assert set(merged.article_ids) == set(world.ids.values())
    assert {e.id for e in merged.events} == {
        world.first_event,
        world.inquiry_event,
        world.chess_event,
    }
    [change] = merged.changes
    assert change.kind == "merged"
    assert (change.story_id, change.other_story_id) == (world.flood, world.chess)
    assert change.article_id is None and change.detail == "merged by hand"
    old = store.get_story(world.chess)  # an old link resolves to the story it is part of
    assert old.id == world.flood
    assert old.changes == merged.changes
    assert store.resolve_story_id(world.chess) == world.flood
    assert store.get_article(world.ids["chess"]).story_id == world.flood
    assert [s.id for s in store.list_stories()] == [world.flood]
    assert store.count_stories() == 1


def test_merging_into_itself_or_a_merged_story_is_refused(world: World):
    store = world.store
    with pytest.raises(StorylineError, match="cannot be merged into itself"):
        store.merge_stories(world.flood, world.flood)
    harbour = place(store, stored(store, "harbour", HARBOUR, at(2), "harborpost")).story_id
    assert harbour is not None
    store.merge_stories(world.chess, world.flood)
    with pytest.raises(StorylineError, match=f"was merged into story {world.flood}; use that id"):
        store.merge_stories(harbour, world.chess)
    with pytest.raises(StorylineError, match=f"story {world.chess} was merged"):
        store.merge_stories(world.chess, harbour)
    with pytest.raises(NotFoundError, match="storyline stories"):
        store.merge_stories(999, harbour)
    assert store.get_story(harbour).changes == []  # the refused merges left no trace
    assert store.get_story(harbour).article_count == 1
    assert store.count_stories() == 2


def test_a_story_merged_into_a_story_later_merged_again_resolves_to_the_last(world: World):
    store = world.store
    harbour = place(store, stored(store, "harbour", HARBOUR, at(2), "harborpost")).story_id
    assert harbour is not None
    store.merge_stories(world.chess, harbour)
    store.merge_stories(harbour, world.flood)
    assert store.get_story(world.chess).id == world.flood
    assert store.resolve_story_id(world.chess) == world.flood
    story = store.get_story(world.flood)
    assert story.article_count == 5
    assert [(c.story_id, c.other_story_id) for c in story.changes] == [(world.flood, harbour)]
    assert store.count_stories() == 1


def test_an_article_that_bridges_two_stories_merges_them_with_a_record(world: World):
    store = world.store
    bridge = stored(
        store, "dam-and-chess", ("Brisk flood halts Wintermark chess", FLOOD_1[1]), at(3), "x"
    )
    place(store, bridge, world.flood, merge=(world.chess,), detail="matched both")
    assert bridge.story_id == world.flood and bridge.event_id is not None
    story = store.get_story(world.chess)
    assert story.id == world.flood
    assert story.article_count == 5
    [change] = story.changes
    assert (change.kind, change.story_id, change.other_story_id) == (
        "merged",
        world.flood,
        world.chess,
    )
    assert change.article_id == bridge.id and change.detail == "matched both"
    assert {e.id for e in story.events} == {
        world.first_event,
        world.inquiry_event,
        world.chess_event,
        bridge.event_id,
    }
    assert story.last_seen == at(5, 10)


# --- splits ---------------------------------------------------------------------------------------


def test_splitting_an_event_makes_a_new_story_with_a_record_on_both(world: World):
    store = world.store
    new = store.split_event(world.inquiry_event)
    assert new.id not in (world.flood, world.chess)
    assert new.article_ids == [world.ids["inquiry"]]
    assert new.article_count == 1
    assert (new.first_seen, new.last_seen) == (at(5, 10), at(5, 10))
    assert [e.id for e in new.events] == [world.inquiry_event]
    old = store.get_story(world.flood)
    assert old.article_ids == [world.ids["dam"], world.ids["evacuation"]]
    assert old.article_count == 2 and old.last_seen == at(0, 15)
    assert [e.id for e in old.events] == [world.first_event]
    for story in (old, new):
        [change] = story.changes
        assert change.kind == "split"
        assert (change.story_id, change.other_story_id) == (world.flood, new.id)
        assert change.detail == f"event {world.inquiry_event} split off by hand"
    assert store.get_article(world.ids["inquiry"]).story_id == new.id
    assert store.count_stories() == 3


def test_splitting_the_only_event_or_an_unknown_one_is_refused(world: World):
    store = world.store
    with pytest.raises(StorylineError, match="only event of story"):
        store.split_event(world.chess_event)
    with pytest.raises(NotFoundError, match="no event with id 9999"):
        store.split_event(9999)
    assert store.count_stories() == 2
    assert store.get_story(world.chess).changes == []


# --- since ----------------------------------------------------------------------------------------


def test_since_filters_stories_by_their_last_article(world: World):
    store = world.store
    assert [s.id for s in store.list_stories(since=at(1))] == [world.flood, world.chess]
    assert store.count_stories(since=at(1)) == 2
    assert [s.id for s in store.list_stories(since=at(1, 12))] == [world.flood, world.chess]
    assert [s.id for s in store.list_stories(since=at(1, 13))] == [world.flood]
    assert store.count_stories(since=at(1, 13)) == 1
    assert store.list_stories(since=at(5, 11)) == []
    assert store.count_stories(since=at(5, 11)) == 0
    store.merge_stories(world.chess, world.flood)
    assert store.count_stories(since=at(0)) == 1  # the merged story is not counted


# --- migration 3 on a database from before events -------------------------------------------------


def downgrade_to_migration_2(url: str) -> None:
    """Make the database look like one created before events: no event tables, no placement
    columns, the story index of then, migrations from 3 on not recorded."""
    engine = create_engine(url)
    with engine.begin() as conn:
        for index in ("ix_articles_story_members", "ix_articles_event_placed"):  # 9 and 10
            conn.execute(text(f"DROP INDEX {index}"))
        conn.execute(text("CREATE INDEX ix_articles_story_id ON articles (story_id)"))
        conn.execute(text("DROP TABLE story_changes"))
        conn.execute(text("DROP TABLE story_events"))
        for table, column in (
            ("articles", "event_id"),
            ("articles", "placed_at"),
            ("stories", "merged_into"),
        ):
            conn.execute(text(f"DROP INDEX IF EXISTS ix_{table}_{column}"))
            conn.execute(text(f"ALTER TABLE {table} DROP COLUMN {column}"))
        for column in ("duplicate_kind", "placement_note"):
            conn.execute(text(f"ALTER TABLE articles DROP COLUMN {column}"))
        conn.execute(schema_migrations.delete().where(schema_migrations.c.version >= 3))
    engine.dispose()


def test_a_database_from_before_events_gets_one_event_per_story(db_url: str):
    store = Store(db_url)
    old = {
        "dam": stored(store, "dam", FLOOD_1, at(0, 9), "northwire"),
        "copy": stored(store, "dam-copy", ("Copy: " + FLOOD_1[0], FLOOD_1[1]), at(0, 11), "sun"),
        "evacuation": stored(store, "evacuation", FLOOD_2, at(0, 15), "sundial"),
        "chess": stored(store, "chess", CHESS, None, "valecourier"),
        "pending": stored(store, "inquiry", FLOOD_3, at(0, 20), "northwire"),
    }
    store.close()
    downgrade_to_migration_2(db_url)
    engine = create_engine(db_url)
    with engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("articles")}
        assert "event_id" not in columns and "placed_at" not in columns
        assert "story_events" not in inspect(conn).get_table_names()
    now = datetime(2031, 3, 2, tzinfo=UTC)
    chess_ingested = old["chess"].ingested_at
    with engine.begin() as conn:  # what the version-2 assign stage wrote
        story_ids = []
        for title, first, last, count in (
            ("Brisk dam bursts", at(0, 9), at(0, 15), 3),
            ("Chess open", chess_ingested, chess_ingested, 1),
        ):
            result = conn.execute(
                insert(stories).values(
                    title=title,
                    first_seen=first,
                    last_seen=last,
                    article_count=count,
                    created_at=now,
                    updated_at=now,
                )
            )
            story_ids.append(int(result.inserted_primary_key[0]))
        flood, chess = story_ids
        members = {"dam": flood, "copy": flood, "evacuation": flood, "chess": chess}
        for key, story_id in members.items():
            values = {"story_id": story_id, "assigned_at": now, "stages": "cleaned,assigned"}
            if key == "copy":
                values |= {"duplicate_of": old["dam"].id, "duplicate_similarity": 0.93}
            conn.execute(update(articles).where(articles.c.id == old[key].id).values(**values))
    engine.dispose()

    with Storyline(settings=get_settings(db_url=db_url, analyze_on_ingest=False)) as sl:
        with sl.store.engine.connect() as conn:
            versions = sorted(conn.execute(select(schema_migrations.c.version)).scalars())
            indexes = {index["name"] for index in inspect(conn).get_indexes("articles")}
        assert versions == list(range(1, len(MIGRATIONS) + 1))
        assert {"ix_articles_story_members", "ix_articles_event_placed"} <= indexes
        replaced = {"ix_articles_story_id", "ix_articles_event_id", "ix_articles_story_placed"}
        assert not replaced & indexes
        flood_story, chess_story = sl.story(flood), sl.story(chess)
        [flood_event] = flood_story.events
        assert flood_event.title == "Brisk dam bursts"
        assert flood_event.article_ids == [old["dam"].id, old["copy"].id, old["evacuation"].id]
        assert (flood_event.article_count, flood_event.first_seen, flood_event.last_seen) == (
            3,
            at(0, 9),
            at(0, 15),
        )
        [chess_event] = chess_story.events
        assert chess_event.article_ids == [old["chess"].id]
        assert chess_event.id != flood_event.id
        rows = {key: sl.article(article.id or "") for key, article in old.items()}
        for key in ("dam", "copy", "evacuation"):
            assert rows[key].event_id == flood_event.id
            assert rows[key].placed_at == rows[key].published
        # placed by ingest time then, by content alone since migration 11: undated, not today
        assert rows["chess"].placed_at is None and chess_story.first_seen is None
        assert rows["chess"].event_id == chess_event.id
        assert rows["copy"].duplicate_kind == "near copy"
        assert rows["dam"].duplicate_kind is None
        assert rows["pending"].placed_at is None and rows["pending"].event_id is None
        assert Stage.ASSIGNED not in rows["pending"].stages

        # the migrated events take new articles like any other
        report = sl.assign()
        assert report.assigned == 1
        pending = sl.article(old["pending"].id or "")
        assert pending.story_id == flood
        assert pending.event_id == flood_event.id
        assert sl.story(flood).events[0].article_count == 4


# --- migration 10: a story listing read from the index --------------------------------------------


def _statements_of(store: Store, call: Callable[[], object]) -> list[str]:
    """The SQL statements ``call`` sends to ``store``'s database."""
    sent: list[str] = []

    def listen(*args: object) -> None:  # (conn, cursor, statement, parameters, ...)
        sent.append(str(args[2]))

    event.listen(store.engine, "before_cursor_execute", listen)
    try:
        call()
    finally:
        event.remove(store.engine, "before_cursor_execute", listen)
    return sent


def test_listing_stories_reads_their_members_from_an_index_alone(world: World):
    if not world.store.url.startswith("sqlite"):
        pytest.skip("query plans are checked on SQLite; PostgreSQL picks plans by table size")
    sent = _statements_of(world.store, lambda: world.store.list_stories())
    [members] = [s for s in sent if "FROM articles" in s]
    with world.store.engine.connect() as conn:
        params = [world.flood, world.chess][: members.count("?")]
        plan = " ".join(
            row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {members}", tuple(params))
        )
    assert "COVERING INDEX ix_articles_story_members" in plan, plan


def test_a_database_at_migration_9_gets_the_story_listing_index(db_url: str):
    built = build(db_url)
    before = built.store.list_stories()
    built.store.close()
    engine = create_engine(db_url)
    with engine.begin() as conn:  # what migration 9 left
        conn.execute(text("DROP INDEX ix_articles_story_members"))
        conn.execute(
            text("CREATE INDEX ix_articles_story_placed ON articles (story_id, placed_at)")
        )
        conn.execute(schema_migrations.delete().where(schema_migrations.c.version >= 10))
    engine.dispose()
    store = Store(db_url)
    try:
        with store.engine.connect() as conn:
            indexes = {index["name"] for index in inspect(conn).get_indexes("articles")}
            versions = sorted(conn.execute(select(schema_migrations.c.version)).scalars())
        assert versions == list(range(1, len(MIGRATIONS) + 1))
        assert "ix_articles_story_members" in indexes
        assert "ix_articles_story_placed" not in indexes
        after = store.list_stories()
        assert [(s.id, s.article_ids, s.outlets) for s in after] == [
            (s.id, s.article_ids, s.outlets) for s in before
        ]
    finally:
        store.close()


def test_story_material_loads_a_storys_articles_with_their_quotes_claims_and_dates(world: World):
    store = world.store
    dam = store.get_article(world.ids["dam"])
    quote = Quote(Span(dam.id or "", 0, 9), dam.text[:9], speaker="a warden")
    claim = Claim(Span(dam.id or "", 0, 3), 3.0, None, "boats", text=dam.text[:3])
    when = TimeRef(Span(dam.id or "", 0, 3), dam.text[:3], "2031-03-01", "day", "stated")
    dam.quotes, dam.claims, dam.times = [quote], [claim], [when]
    store.save_analysis(dam)
    material = {a.id: a for a in store.story_material(world.flood)}
    assert set(material) == {world.ids["dam"], world.ids["evacuation"], world.ids["inquiry"]}
    loaded = material[world.ids["dam"]]
    assert [q.text for q in loaded.quotes] == [quote.text]
    assert [(c.quantity, c.counted) for c in loaded.claims] == [(3.0, "boats")]
    assert [t.value for t in loaded.times] == ["2031-03-01"]
    assert loaded.text == dam.text and loaded.raw == ""  # raw input is not read
    assert material[world.ids["evacuation"]].quotes == []
    assert store.story_material(999) == []
