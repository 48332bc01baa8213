"""Assign stage: story grouping by TF-IDF within a time window; provenance of copies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storyline import Storyline, get_settings
from storyline.assign.stories import StoryGrouper
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


def test_similar_articles_join_and_others_start_stories():
    day = datetime(2031, 3, 1, tzinfo=UTC)
    items = [
        article(FLOOD.format(day="Monday"), "Lessen floods Brisk", day, "f1"),
        article(CHESS.format(day="Sunday"), "Teenager wins Wintermark open", day, "c1"),
        article(FLOOD.format(day="Tuesday"), "Brisk flood waters rise", day, "f2"),
    ]
    grouper = StoryGrouper(Settings(), [i.text for i in items])
    grouper.add(1, items[0], grouper.vector(items[0]))
    story, score = grouper.best(grouper.vector(items[1]), day)
    assert story is None and score < Settings().story_threshold
    grouper.add(2, items[1], grouper.vector(items[1]))
    story, score = grouper.best(grouper.vector(items[2]), day + timedelta(days=1))
    assert story == 1 and score > 0.5


def test_stories_outside_the_window_take_no_new_articles():
    day = datetime(2031, 3, 1, tzinfo=UTC)
    first = article(FLOOD.format(day="Monday"), "Lessen floods Brisk", day, "f1")
    later = article(FLOOD.format(day="Friday"), "Brisk floods again", day, "f2")
    grouper = StoryGrouper(Settings(story_window_days=5), [first.text, later.text])
    grouper.add(1, first, grouper.vector(first))
    assert grouper.best(grouper.vector(later), day + timedelta(days=4))[0] == 1
    assert grouper.best(grouper.vector(later), day + timedelta(days=6))[0] is None


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


def test_undated_articles_are_placed_by_ingest_time_and_keep_their_reason(tmp_path):
    path = tmp_path / "undated.txt"
    path.write_text("Brisk flood update\n\n" + FLOOD.format(day="Monday"))
    with Storyline(f"sqlite:///{tmp_path / 'u.db'}") as sl:
        report = sl.ingest([str(path)])
        stored = sl.article(report.ingested[0])
        story = sl.story(stored.story_id)
    assert stored.published is None and stored.published_note
    assert story.first_seen == stored.ingested_at
