"""Assign stage without a database: events inside stories, merges, copy order, placement time.

`StoryPlacer` decides event/story membership from TF-IDF vectors; `Assigner` adds copy detection
and placement times on top. Here ids that a store would hand out are simulated by counters, so
every decision can be checked in isolation. All articles are fictional.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count

import pytest

from storyline.assign.assigner import NEAR_COPY, Assigner, Plan, _earlier
from storyline.assign.placement import Decision, StoryPlacer, features
from storyline.config import Settings, get_settings
from storyline.model import UNDATED_NOTE, Article, SourceKind

T0 = datetime(2031, 3, 1, 9, 0, tzinfo=UTC)

DAM = (
    "Dam breach floods Brisk",
    "The Lessen dam near Brisk gave way on Monday and floodwater poured into the old town, "
    "forcing rescue crews to evacuate hundreds of residents by boat.",
)
DAM_OTHER_OUTLET = (
    "Brisk residents flee as Lessen dam fails",
    "Rescue crews in boats evacuated residents of Brisk after the Lessen dam burst on Monday, "
    "sending floodwater through the old town.",
)
DAM_INQUIRY = (
    "Brisk dam inquiry opens",
    "A public inquiry into the Lessen dam collapse opened in Brisk, where engineers told the "
    "panel the dam had cracked for years before the flood.",
)
CHESS = (
    "Teenager wins Wintermark chess open",
    "A sixteen-year-old beat three grandmasters to win the Wintermark chess open after a "
    "six-hour final round.",
)
HARBOUR = (
    "Velmora harbour wall collapses",
    "The old harbour wall in Velmora collapsed during a storm, and fishermen moved their boats "
    "to the quay.",
)
FERRY = (
    "Ostrava ferry crews strike",
    "Ferry crews in Ostrava walked out over pay, stranding commuters on the island route.",
)
BRIDGE = (  # a report on both of the above at once: it ties the two stories together
    "Velmora harbour wall collapse strands Ostrava ferry as crews strike",
    "The collapsed harbour wall in Velmora left fishermen moving boats to the quay, while ferry "
    "crews in Ostrava, on strike over pay, stranded commuters on the island route.",
)


@dataclass
class Stream:
    """A `StoryPlacer` fed the way the assign runner feeds it, with store-like id counters."""

    settings: Settings = field(default_factory=get_settings)
    placer: StoryPlacer = field(init=False)
    event_ids: count = field(default_factory=lambda: count(1))
    story_ids: count = field(default_factory=lambda: count(1))

    def __post_init__(self) -> None:
        self.placer = StoryPlacer(self.settings)

    def add(self, item: tuple[str, str], when: datetime) -> tuple[Decision, int, int]:
        """Decide for ``item``, create the event/story ids a store would, and commit it."""
        vector = self.placer.vector(features(*item))
        decision = self.placer.decide(vector, when)
        event = decision.event if decision.event is not None else next(self.event_ids)
        story = decision.story if decision.story is not None else next(self.story_ids)
        self.placer.commit(event, story, vector, when, decision.merge)
        return decision, event, story


# --- StoryPlacer: events and stories --------------------------------------------------------------


def test_two_reports_of_the_same_happening_share_an_event():
    stream = Stream()
    first, event, story = stream.add(DAM, T0)
    assert (first.event, first.story) == (None, None)  # nothing open yet: new event, new story
    second, event2, story2 = stream.add(DAM_OTHER_OUTLET, T0 + timedelta(hours=3))
    assert (second.event, second.story) == (event, story)
    assert (event2, story2) == (event, story)
    assert second.event_score >= stream.settings.event_threshold
    assert second.merge == []


def test_a_follow_up_days_later_is_a_new_event_in_the_same_story():
    stream = Stream()
    _, event, story = stream.add(DAM, T0)
    stream.add(DAM_OTHER_OUTLET, T0 + timedelta(hours=3))
    follow_up, event3, story3 = stream.add(DAM_INQUIRY, T0 + timedelta(days=6))
    assert follow_up.event is None, "the first event closed days ago: a new event is needed"
    assert follow_up.story == story
    assert follow_up.story_score >= stream.settings.story_threshold
    assert event3 != event and story3 == story
    assert stream.placer.story_of == {event: story, event3: story}


def test_an_unrelated_topic_starts_a_new_story():
    stream = Stream()
    _, _, dam_story = stream.add(DAM, T0)
    decision, _, chess_story = stream.add(CHESS, T0 + timedelta(hours=1))
    assert (decision.event, decision.story) == (None, None)
    assert chess_story != dam_story
    assert set(stream.placer.stories.clusters) == {dam_story, chess_story}


def test_an_event_close_to_two_open_stories_merges_the_younger_into_the_older():
    stream = Stream(get_settings(story_merge_threshold=0.3))
    _, _, harbour = stream.add(HARBOUR, T0)
    first_ferry, _, ferry = stream.add(FERRY, T0 + timedelta(hours=1))
    assert first_ferry.story is None and ferry != harbour  # two separate stories at first
    # three days on the events are closed (window two days) but both stories are open
    decision, event, story = stream.add(BRIDGE, T0 + timedelta(days=3))
    assert decision.event is None
    assert decision.story == harbour == min(harbour, ferry)  # the oldest story keeps its id
    assert decision.merge == [ferry]
    assert decision.story_score >= 0.3
    # the commit folded the younger story in: its events now belong to the older one
    assert set(stream.placer.stories.clusters) == {harbour}
    assert set(stream.placer.story_of.values()) == {harbour}
    assert stream.placer.story_of[event] == story == harbour


def test_no_merge_below_the_merge_threshold():
    stream = Stream(get_settings(story_merge_threshold=0.95))
    _, _, harbour = stream.add(HARBOUR, T0)
    _, _, ferry = stream.add(FERRY, T0 + timedelta(hours=1))
    decision, _, story = stream.add(BRIDGE, T0 + timedelta(days=3))
    assert decision.merge == []
    assert decision.story in {harbour, ferry} and story == decision.story
    assert set(stream.placer.stories.clusters) == {harbour, ferry}


# --- Assigner: plans and copies without a store ---------------------------------------------------


def make_article(
    aid: str,
    item: tuple[str, str],
    published: datetime | None = None,
    fetched_at: datetime | None = None,
    ingested_at: datetime | None = T0,
) -> Article:
    title, text = item
    return Article(
        source=aid,
        source_kind=SourceKind.JSONL,
        raw=text,
        text=text,
        title=title,
        published=published,
        fetched_at=fetched_at,
        ingested_at=ingested_at,
        id=aid,
    )


class FakeStore:
    """Gives new events and stories ids as `save_placement` would, then commits the plan."""

    def __init__(self, assigner: Assigner) -> None:
        self.assigner = assigner
        self.ids = count(1)

    def place(self, article: Article) -> Plan:
        plan = self.assigner.plan(article)
        if plan.group:
            article.story_id = article.story_id or next(self.ids)
            article.event_id = article.event_id or next(self.ids)
        self.assigner.commit(article, plan)
        return plan


def test_assigner_links_a_later_copy_and_places_it_with_its_original():
    assigner = Assigner(get_settings())
    store = FakeStore(assigner)
    original = make_article("orig", DAM, published=T0)
    store.place(original)
    copy = make_article(
        "copy",
        ("Republished: Brisk under water", DAM[1] + " Follow us for more."),
        published=T0 + timedelta(days=1),
    )
    plan = store.place(copy)
    assert copy.duplicate_of == "orig"
    assert copy.duplicate_kind == NEAR_COPY
    assert copy.duplicate_similarity is not None and copy.duplicate_similarity >= 0.6
    assert (copy.story_id, copy.event_id) == (original.story_id, original.event_id)
    assert plan.repoint == {}


def test_assigner_repoints_copies_to_an_older_article_that_arrives_later():
    assigner = Assigner(get_settings())
    store = FakeStore(assigner)
    newer = make_article("newer", DAM, published=T0 + timedelta(days=2))
    store.place(newer)
    older = make_article("older", ("Original report", DAM[1]), published=T0)
    plan = store.place(older)
    assert older.duplicate_of is None
    assert set(plan.repoint) == {"newer"} and plan.repoint_kinds == {"newer": NEAR_COPY}
    assert assigner.known["newer"].duplicate_of == "older"
    assert (older.story_id, older.event_id) == (newer.story_id, newer.event_id)


def test_assigner_records_why_it_merged_two_stories():
    assigner = Assigner(get_settings(story_merge_threshold=0.3))
    store = FakeStore(assigner)
    harbour = make_article("harbour", HARBOUR, published=T0)
    ferry = make_article("ferry", FERRY, published=T0 + timedelta(hours=1))
    store.place(harbour)
    store.place(ferry)
    assert harbour.story_id != ferry.story_id
    bridge = make_article("bridge", BRIDGE, published=T0 + timedelta(days=3))
    plan = store.place(bridge)
    assert plan.merge == [ferry.story_id]
    assert bridge.story_id == harbour.story_id
    assert plan.detail is not None and f"stories {ferry.story_id} and {harbour.story_id}" in (
        plan.detail
    )
    assert assigner.known["ferry"].story_id == harbour.story_id  # the state follows the merge


def test_assigner_leaves_a_near_empty_article_ungrouped_with_a_reason():
    assigner = Assigner(get_settings())
    article = make_article("short", ("Update", "Live blog: more soon."), published=T0)
    plan = assigner.plan(article)
    assert plan.group is False
    assert (article.story_id, article.event_id) == (None, None)
    assert article.placed_at == T0
    assert article.placement_note is not None
    assert article.placement_note.startswith("not grouped: only ")
    assert "content words" in article.placement_note


def test_an_article_with_no_time_at_all_is_placed_by_its_content():
    assigner = Assigner(get_settings())
    store = FakeStore(assigner)
    dated = make_article("dated", DAM, published=T0)
    store.place(dated)
    timeless = make_article("timeless", ("Dam report", DAM[1]), published=None, ingested_at=None)
    plan = store.place(timeless)
    assert plan.group is True
    assert timeless.placed_at is None
    assert timeless.placement_note == UNDATED_NOTE
    assert timeless.story_id == dated.story_id


# --- which of two copies is the earlier one -------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        # different days: plain order, whatever the time of day
        (datetime(2031, 3, 4, tzinfo=UTC), datetime(2031, 3, 5, 8, 0, tzinfo=UTC), True),
        (datetime(2031, 3, 5, 8, 0, tzinfo=UTC), datetime(2031, 3, 4, tzinfo=UTC), False),
        (datetime(2031, 3, 4, 23, 0, tzinfo=UTC), datetime(2031, 3, 5, 1, 0, tzinfo=UTC), True),
        # same day, one date-only (midnight): the one with a time of day counts as earlier
        (datetime(2031, 3, 4, 18, 0, tzinfo=UTC), datetime(2031, 3, 4, tzinfo=UTC), True),
        (datetime(2031, 3, 4, tzinfo=UTC), datetime(2031, 3, 4, 18, 0, tzinfo=UTC), False),
        # same day, both date-only: neither is earlier
        (datetime(2031, 3, 4, tzinfo=UTC), datetime(2031, 3, 4, tzinfo=UTC), False),
        # same day, both timed: plain order
        (datetime(2031, 3, 4, 9, 0, tzinfo=UTC), datetime(2031, 3, 4, 17, 0, tzinfo=UTC), True),
        (datetime(2031, 3, 4, 17, 0, tzinfo=UTC), datetime(2031, 3, 4, 9, 0, tzinfo=UTC), False),
        (datetime(2031, 3, 4, 9, 0, tzinfo=UTC), datetime(2031, 3, 4, 9, 0, tzinfo=UTC), False),
        # unknown times are never earlier
        (None, datetime(2031, 3, 4, tzinfo=UTC), False),
        (datetime(2031, 3, 4, tzinfo=UTC), None, False),
    ],
)
def test_earlier(first: datetime | None, second: datetime | None, expected: bool):
    assert _earlier(first, second) is expected


def test_a_timed_copy_the_same_day_as_a_date_only_original_becomes_the_original():
    assigner = Assigner(get_settings())
    store = FakeStore(assigner)
    date_only = make_article("dateonly", DAM, published=datetime(2031, 3, 4, tzinfo=UTC))
    store.place(date_only)
    timed = make_article(
        "timed", ("Timed report", DAM[1]), published=datetime(2031, 3, 4, 18, 0, tzinfo=UTC)
    )
    plan = store.place(timed)
    assert timed.duplicate_of is None
    assert set(plan.repoint) == {"dateonly"}
    assert assigner.known["dateonly"].duplicate_of == "timed"


# --- Article.placement_time -----------------------------------------------------------------------

SKEW = timedelta(hours=24)
INGESTED = datetime(2031, 3, 20, 12, 0, tzinfo=UTC)
FETCHED = datetime(2031, 3, 10, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize("fetched", [FETCHED, None])
def test_an_undated_article_is_placed_by_content_never_by_fetch_or_ingest_time(fetched):
    article = make_article("a", DAM, fetched_at=fetched, ingested_at=INGESTED)
    assert article.placement_time(SKEW) == (None, UNDATED_NOTE)


def test_a_date_far_after_the_fetch_time_is_clock_skew_and_placed_by_content():
    published = FETCHED + timedelta(hours=30)
    article = make_article("a", DAM, published=published, fetched_at=FETCHED, ingested_at=INGESTED)
    when, note = article.placement_time(SKEW)
    assert when is None
    assert note is not None
    assert "clock skew" in note and "placed by its content alone" in note
    assert published.isoformat() in note and FETCHED.isoformat() in note


def test_a_date_within_the_skew_after_the_fetch_time_is_taken_as_stated():
    published = FETCHED + timedelta(hours=20)
    article = make_article("a", DAM, published=published, fetched_at=FETCHED, ingested_at=INGESTED)
    assert article.placement_time(SKEW) == (published, None)


def test_a_file_article_dated_in_the_future_is_placed_by_its_date_without_a_note():
    future = datetime(2031, 12, 24, 10, 0, tzinfo=UTC)
    article = make_article("a", DAM, published=future, ingested_at=datetime(2026, 1, 1, tzinfo=UTC))
    assert article.placement_time(SKEW) == (future, None)


def test_the_assigner_applies_the_configured_clock_skew():
    published = FETCHED + timedelta(hours=30)
    tolerant = Assigner(get_settings(clock_skew_hours=48))
    strict = Assigner(get_settings(clock_skew_hours=24))
    first = make_article("a", DAM, published=published, fetched_at=FETCHED, ingested_at=INGESTED)
    second = make_article("b", DAM, published=published, fetched_at=FETCHED, ingested_at=INGESTED)
    tolerant.plan(first)
    strict.plan(second)
    assert (first.placed_at, first.placement_note) == (published, None)
    assert second.placed_at is None
    assert second.placement_note is not None and "clock skew" in second.placement_note
