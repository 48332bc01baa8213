"""Two-level streaming placement: event clusters (same happening) inside story threads.

An article first looks for an open event it belongs to (tight threshold, short window); joining
one puts it in that event's story. Otherwise it starts a new event, placed in the open story it
is closest to (looser threshold, longer window), or in a new story. When a new event is close to
two stories at once, it bridges them and the younger story is merged into the older one; the
caller records that merge. Both levels use the index-only candidate search of `streaming`, so the
cost per article does not grow with the number of stories stored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from storyline.assign.streaming import StreamClusterer, TermStats, Vector, tfidf, words
from storyline.config import Settings

ENTITY_PREFIX = "@"  # entity-id features live beside words in one vector


def features(title: str | None, text: str, entity_ids: Iterable[str] = ()) -> Counter[str]:
    """Term counts of an article: title words twice (headlines carry the topic), text words, and
    the ids of the canonical entities it mentions (when analysed), so that "Stoltenberg" and
    "the NATO chief" count as the same feature."""
    return counts_of(words(title or ""), words(text), entity_ids)


def counts_of(heading: list[str], body: list[str], entity_ids: Iterable[str] = ()) -> Counter[str]:
    """`features` from words already split off the title (``heading``) and the text."""
    counts = Counter(heading)
    counts.update(heading)
    counts.update(body)
    counts.update(f"{ENTITY_PREFIX}{entity_id}" for entity_id in entity_ids)
    return counts


@dataclass(slots=True)
class Decision:
    """Where an article goes; ``None`` means a new event or story is to be created."""

    event: int | None
    story: int | None
    event_score: float = 0.0
    story_score: float = 0.0
    merge: list[int] = field(default_factory=list)  # stories folded into ``story``


class StoryPlacer:
    """Holds the open events and stories of a stream and decides where each article goes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stats = TermStats()
        self.events = StreamClusterer(
            settings.event_threshold,
            timedelta(days=settings.event_window_days),
            decay=settings.event_decay,
        )
        self.stories = StreamClusterer(
            settings.story_threshold, timedelta(days=settings.story_window_days)
        )
        self.story_of: dict[int, int] = {}  # event id -> story id

    def vector(self, counts: Counter[str]) -> Vector:
        """The article's TF-IDF vector; its terms update the stream's document frequencies."""
        self.stats.observe(counts)
        return tfidf(counts, self.stats)

    def decide(self, vector: Vector, when: datetime) -> Decision:
        """Where ``vector`` belongs, without changing any state."""
        events = self.events.ranked(vector, when)
        if events and events[0][1] >= self.settings.event_threshold:
            event, score = events[0]
            story = self.story_of.get(event)
            if story is not None and story in self.stories.clusters:
                return Decision(event, story, score, score)
        stories = [
            (story, score)
            for story, score in self.stories.ranked(vector, when)
            if score >= self.settings.story_threshold
        ]
        if not stories:
            return Decision(None, None)
        story, score = stories[0]
        bridged = [s for s, sc in stories[1:] if sc >= self.settings.story_merge_threshold]
        if bridged and score >= self.settings.story_merge_threshold:
            target = min([story, *bridged])  # the oldest story keeps its id
            merged = sorted(s for s in [story, *bridged] if s != target)
            return Decision(None, target, 0.0, score, merged)
        return Decision(None, story, 0.0, score)

    def commit(
        self, event: int, story: int, vector: Vector, when: datetime, merged: Iterable[int] = ()
    ) -> None:
        """Record that the article with ``vector`` went to ``event`` in ``story``."""
        for source in merged:
            if source in self.stories.clusters and source != story:
                self.stories.merge(source, story)
            for event_id, story_id in self.story_of.items():
                if story_id == source:
                    self.story_of[event_id] = story
        self.story_of[event] = story
        self.events.join(event, vector, when)
        self.stories.join(story, vector, when)
        if len(self.story_of) > 2 * len(self.events.clusters) + 1000:  # forget closed events
            self.story_of = {e: s for e, s in self.story_of.items() if e in self.events.clusters}

    def restore(self, event: int | None, story: int, vector: Vector, when: datetime) -> None:
        """Re-load an article placed earlier (context for a new batch); events may be unknown
        for articles placed before events existed."""
        if event is not None:
            self.story_of[event] = story
            self.events.join(event, vector, when)
        self.stories.join(story, vector, when)
