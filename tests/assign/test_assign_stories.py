"""Assign stage: story grouping by TF-IDF within a time window; provenance of copies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storyline import Storyline, get_settings
from storyline.assign.placement import StoryPlacer, features
from storyline.config import Settings
from storyline.model import Article, SourceKind

FLOOD = (
    "Floodwater from the Lessen river reached the centre of Brisk on {day}, and rescue boats "
    "evacuated residents from homes near the dam. The river authority said levels would keep "
    "rising. Volunteers filled sandbags along the flooded river banks through the night."
)
CHESS = (
    "The Wintermark chess open ended on {day} with a surprise winner, a sixteen-year-old who "
    "beat three grandmasters. The tournament drew players from twelve clubs and the final "
    "round lasted six hours over the board."
)


def article(text: str, title: str, when: datetime, aid: str) -> Article:
    return Article(
        source=aid,
        source_kind=SourceKind.TEXT,
        raw=text,
        text=text,
        title=title,
        published=when,
        id=aid,
    )


def _place(placer: StoryPlacer, item: Article, ids: dict[str, int]) -> tuple[int, int]:
    """Place ``item``, numbering new stories and events as the store would."""
    vector = placer.vector(features(item.title, item.text))
    decision = placer.decide(vector, item.published)  # type: ignore[arg-type]
    story = decision.story or ids.setdefault("story", 0) + 1
    event = decision.event or ids.setdefault("event", 0) + 1
    ids["story"], ids["event"] = max(ids.get("story", 0), story), max(ids.get("event", 0), event)
    placer.commit(event, story, vector, item.published, decision.merge)  # type: ignore[arg-type]
    return story, event


def test_similar_articles_join_and_others_start_stories():
    day = datetime(2031, 3, 1, tzinfo=UTC)
    placer, ids = StoryPlacer(Settings()), {}
    flood = _place(
        placer, article(FLOOD.format(day="Monday"), "Lessen floods Brisk", day, "f1"), ids
    )
    chess = _place(
        placer, article(CHESS.format(day="Sunday"), "Teenager wins Wintermark open", day, "c1"), ids
    )
    again = _place(
        placer,
        article(
            FLOOD.format(day="Tuesday"), "Brisk flood waters rise", day + timedelta(hours=5), "f2"
        ),
        ids,
    )
    assert chess[0] != flood[0]
    assert again == flood  # same story, same event


def test_stories_outside_the_window_take_no_new_articles():
    day = datetime(2031, 3, 1, tzinfo=UTC)
    placer = StoryPlacer(Settings(story_window_days=5, event_window_days=1))
    first = article(FLOOD.format(day="Monday"), "Lessen floods Brisk", day, "f1")
    later = article(FLOOD.format(day="Friday"), "Brisk floods again", day, "f2")
    placer.commit(1, 1, placer.vector(features(first.title, first.text)), day)
    vector = placer.vector(features(later.title, later.text))
    within = placer.decide(vector, day + timedelta(days=4))
    assert within.story == 1 and within.event is None  # a new event in the open story
    assert placer.decide(vector, day + timedelta(days=6)).story is None


def _jsonl(path, records):
    import json

    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def test_an_older_copy_arriving_later_becomes_the_original(tmp_path):
    text = FLOOD.format(day="Monday") + "\n\n" + CHESS.format(day="Sunday")
    newer = {
        "url": "https://www.valecourier.example/copy",
        "title": "Copy",
        "text": text,
        "published": "2031-03-05T10:00:00Z",
    }
    newest = {
        "url": "https://www.sundial.example/copy2",
        "title": "Copy two",
        "text": text,
        "published": "2031-03-06T10:00:00Z",
    }
    older = {
        "url": "https://www.northwire.example/orig",
        "title": "Original",
        "text": text,
        "published": "2031-03-04T08:00:00Z",
    }
    url = f"sqlite:///{tmp_path / 'prov.db'}"
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    _jsonl(first, [newer, newest])
    _jsonl(second, [older])
    with Storyline(settings=get_settings(db_url=url)) as sl:
        sl.ingest([str(first)])
        sl.ingest([str(second)])
        rows = {r["url"]: r for r in sl.articles()}
    original = rows[older["url"]]
    assert original["duplicate_of"] is None
    assert rows[newer["url"]]["duplicate_of"] == original["id"]
    assert rows[newest["url"]]["duplicate_of"] == original["id"]
    assert len({r["story_id"] for r in rows.values()}) == 1


def test_undated_articles_are_placed_by_content_and_keep_their_reason(tmp_path):
    path = tmp_path / "undated.txt"
    path.write_text("Brisk flood update\n\n" + FLOOD.format(day="Monday"))
    with Storyline(f"sqlite:///{tmp_path / 'u.db'}") as sl:
        report = sl.ingest([str(path)])
        stored = sl.article(report.ingested[0])
        story = sl.story(stored.story_id)
    assert stored.published is None and stored.published_note
    assert story.first_seen is None and story.last_seen is None  # not today: undated
