"""Story, not topic: articles that share a topic's vocabulary but not its people and places stay
apart; reports of one chain of happenings join, dated or not, in any order. Fictional events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storyline.assign.assigner import Assigner
from storyline.assign.placement import features
from storyline.config import get_settings
from storyline.model import Article, SourceKind

DAY = datetime(2031, 3, 4, 9, tzinfo=UTC)

# Two football stories and a transfer story: one topic, different people, clubs and places.
MATCH = (
    "Harwick Rovers beat Velmora City 3-1 at Brookfield Park on Saturday. Striker Ansel Brook "
    "scored twice for Rovers before City's keeper Mona Seld was sent off, and Rovers manager "
    "Petra Lind praised the home crowd after the league match."
)
MATCH_REPORT = (
    "Ansel Brook scored twice as Harwick Rovers won 3-1 against Velmora City at Brookfield Park. "
    "City goalkeeper Mona Seld was sent off in the second half; Rovers manager Petra Lind said "
    "the league win was deserved."
)
OTHER_MATCH = (
    "Ostmark United drew 2-2 with Tallin Athletic at Kestrel Road on Saturday. Midfielder Rune "
    "Halloway scored a late equaliser for United after Athletic striker Ida Vasko had put them "
    "ahead, and United manager Gregor Pim praised the crowd after the league match."
)


def _article(aid: str, title: str, text: str, published: datetime | None) -> Article:
    return Article(
        source=aid, source_kind=SourceKind.TEXT, raw=text, title=title, text=text, id=aid,
        published=published, language="en",
    )  # fmt: skip


class _Stream:
    """The assigner fed one article at a time, with ids given as the store would."""

    def __init__(self) -> None:
        self.assigner = Assigner(get_settings())
        self.next_story = self.next_event = 1

    def place(self, article: Article) -> Article:
        plan = self.assigner.plan(article)
        if plan.group and article.event_id is None:
            article.event_id, self.next_event = self.next_event, self.next_event + 1
        if plan.group and article.story_id is None:
            article.story_id, self.next_story = self.next_story, self.next_story + 1
        self.assigner.commit(article, plan)
        return article


def test_reports_of_one_match_join_and_another_match_of_the_league_does_not():
    stream = _Stream()
    first = stream.place(_article("a", "Rovers beat City", MATCH, DAY))
    second = stream.place(_article("b", "Brook double sinks City", MATCH_REPORT, DAY))
    other = stream.place(_article("c", "United held by Athletic", OTHER_MATCH, DAY))
    assert first.story_id == second.story_id
    assert other.story_id != first.story_id


def test_an_undated_report_joins_its_story_by_content():
    stream = _Stream()
    first = stream.place(_article("a", "Rovers beat City", MATCH, DAY))
    stream.place(_article("c", "United held by Athletic", OTHER_MATCH, DAY))
    undated = stream.place(_article("b", "Brook double sinks City", MATCH_REPORT, None))
    assert undated.story_id == first.story_id
    assert undated.placed_at is None


def test_an_undated_article_that_matches_nothing_starts_its_own_story():
    stream = _Stream()
    first = stream.place(_article("a", "Rovers beat City", MATCH, DAY))
    other = stream.place(_article("c", "United held by Athletic", OTHER_MATCH, None))
    assert other.story_id is not None and other.story_id != first.story_id


def test_the_same_report_weeks_later_scores_lower_than_the_same_day():
    stream = _Stream()
    stream.place(_article("a", "Rovers beat City", MATCH, DAY))
    vector = stream.assigner.placer.vector(features("Brook double sinks City", MATCH_REPORT))
    same_day = stream.assigner.placer.stories.ranked(vector, DAY)[0].score
    later = stream.assigner.placer.stories.ranked(vector, DAY + timedelta(days=25))[0].score
    assert later < same_day


def test_the_same_articles_in_two_orders_make_the_same_stories():
    articles = [
        ("a", "Rovers beat City", MATCH, DAY),
        ("b", "Brook double sinks City", MATCH_REPORT, DAY + timedelta(hours=3)),
        ("c", "United held by Athletic", OTHER_MATCH, DAY + timedelta(hours=1)),
        ("d", "Pim's United draw again", OTHER_MATCH.replace("Saturday", "the weekend"), None),
    ]
    groupings = []
    for order in (articles, articles[::-1]):
        stream = _Stream()
        placed = {aid: stream.place(_article(aid, t, x, w)).story_id for aid, t, x, w in order}
        groupings.append({frozenset(a for a in placed if placed[a] == s) for s in placed.values()})
    assert groupings[0] == groupings[1] == {frozenset("ab"), frozenset("cd")}


def test_two_hundred_copies_of_one_article_make_one_story_of_copies():
    stream = _Stream()
    placed = [
        stream.place(_article(f"copy{i}", "Rovers beat City", MATCH, DAY + timedelta(minutes=i)))
        for i in range(200)
    ]
    assert {a.story_id for a in placed} == {placed[0].story_id}
    assert sum(a.duplicate_of == "copy0" for a in placed) == 199


def test_a_one_line_article_is_not_grouped_and_says_why():
    stream = _Stream()
    line = stream.place(_article("one", "", "Rovers won.", DAY))
    assert line.story_id is None
    assert line.placement_note and "too few to compare" in line.placement_note


def test_a_story_closed_before_the_batch_ends_still_gets_a_title():
    """Titles are chosen once a batch is placed; a later date in the same batch may have closed
    the story by then, and an untitled first article must not leave it "(untitled story)"."""
    stream = _Stream()
    untitled = stream.place(_article("a", "", MATCH, DAY))
    stream.place(_article("b", "Brook double sinks City", MATCH_REPORT, DAY))
    stream.place(_article("c", "United held by Athletic", OTHER_MATCH, DAY + timedelta(days=90)))
    assert untitled.story_id not in stream.assigner.placer.stories.clusters  # closed
    titles = stream.assigner.titles("story", {untitled.story_id})
    assert titles == {untitled.story_id: "Brook double sinks City"}
