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
from typing import Any

import numpy as np

from storyline.assign.background import language_of
from storyline.assign.columns import StateError, array, fields
from storyline.assign.names import names
from storyline.assign.streaming import (
    NAME_PREFIX,
    Match,
    StreamClusterer,
    TermStats,
    Vector,
    tfidf,
    words,
)
from storyline.config import Settings


def features(title: str | None, text: str) -> Counter[str]:
    """Term counts of an article: title words twice (headlines carry the topic), text words and
    the names it mentions (`names`). They come from the article alone, analysed or not, so
    placement is the same whether analysis ran first (`ingest`), later or never (`--no-analyze`),
    and the benchmarks measure what the pipeline does."""
    return counts_of(words(title or ""), words(text), names(title, text))


def counts_of(
    heading: list[str], body: list[str], named: Counter[str] | None = None
) -> Counter[str]:
    """`features` from words already split off the title (``heading``) and the text, and its
    names."""
    counts = Counter(heading)
    counts.update(heading)
    counts.update(body)
    for name, count in (named or {}).items():
        counts[f"{NAME_PREFIX}{name}"] += count
    return counts


NAMES_ENOUGH = 15  # distinct names an article needs before they must agree with an event's


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
        self.events = StreamClusterer(*self._parameters("event"))
        self.stories = StreamClusterer(*self._parameters("story"))
        self.story_of: dict[int, int] = {}  # event id -> story id

    def _parameters(self, level: str) -> tuple[float, timedelta, float]:
        """Threshold, window and decay of the event or story clusterer, from the settings."""
        settings = self.settings
        if level == "event":
            days, decay = settings.event_window_days, settings.event_decay
            return settings.event_threshold, timedelta(days=days), decay
        days, decay = settings.story_window_days, settings.story_decay
        return settings.story_threshold, timedelta(days=days), decay

    def to_state(self) -> dict[str, Any]:
        """The open events and stories, the term statistics and which story holds each event,
        as data (`columns`)."""
        return {
            "stats": self.stats.to_state(),
            "events": self.events.to_state(),
            "stories": self.stories.to_state(),
            "story_of": {
                "events": np.fromiter(self.story_of, dtype=np.int64, count=len(self.story_of)),
                "stories": np.fromiter(self.story_of.values(), np.int64, len(self.story_of)),
            },
        }

    @classmethod
    def from_state(cls, settings: Settings, state: object) -> StoryPlacer:
        """A placer with ``settings`` holding what `to_state` saved under the same placement
        settings; `columns.StateError` when ``state`` is not that."""
        found = fields(state, "stats", "events", "stories", "story_of")
        placer = cls(settings)
        placer.stats = TermStats.from_state(found["stats"])
        placer.events = StreamClusterer.from_state(found["events"], *placer._parameters("event"))
        placer.stories = StreamClusterer.from_state(found["stories"], *placer._parameters("story"))
        links = fields(found["story_of"], "events", "stories")
        events = array(links["events"], "<i8")
        stories = array(links["stories"], "<i8", len(events))
        placer.story_of = dict(zip(events.tolist(), stories.tolist(), strict=True))
        if len(placer.story_of) != len(events):
            raise StateError("an event in two stories")
        return placer

    def vector(self, counts: Counter[str], language: str | None = None) -> Vector:
        """The article's TF-IDF vector (``language``: the article's language code); its terms
        update the stream's document frequencies."""
        self.stats.observe(counts)
        return tfidf(counts, self.stats, language_of(language))

    def _joins(self, match: Match, threshold: float, names: float) -> bool:
        """Whether a scored cluster takes the article: its cosine reaches ``threshold`` (raised
        by `undated_margin` when no time can back the content), and where both sides name
        people, places or bodies, their names agree to ``names``: sharing vocabulary without
        sharing actors is a topic, not a story."""
        if match.timeless:  # no date backs the content: the names must agree as for a story
            threshold += self.settings.undated_margin
            names = max(names, self.settings.story_names)
        return match.score >= threshold and (match.names is None or match.names >= names)

    def decide(self, vector: Vector, when: datetime | None) -> Decision:
        """Where ``vector`` belongs, without changing any state."""
        settings = self.settings
        events = self.events.ranked(vector, when)
        # Names decide an event only for an article that names enough people, places and bodies
        # for their agreement to mean something: long reports of one day's politics share much
        # vocabulary, while two outlets' short takes on one event may name different people.
        named = sum(1 for term in vector if term[0] == NAME_PREFIX)
        names = settings.event_names if named >= NAMES_ENOUGH else 0.0
        if events and self._joins(events[0], settings.event_threshold, names):
            event, score = events[0].id, events[0].score
            story = self.story_of.get(event)
            if story is not None and story in self.stories.clusters:
                return Decision(event, story, score, score)
        stories = [
            match
            for match in self.stories.ranked(vector, when)
            if self._joins(match, settings.story_threshold, settings.story_names)
        ]
        if not stories:
            return Decision(None, None)
        story, score = stories[0].id, stories[0].score
        bridged = [m.id for m in stories[1:] if m.score >= settings.story_merge_threshold]
        if bridged and score >= settings.story_merge_threshold:
            target = min([story, *bridged])  # the oldest story keeps its id
            merged = sorted(s for s in [story, *bridged] if s != target)
            return Decision(None, target, 0.0, score, merged)
        return Decision(None, story, 0.0, score)

    def commit(
        self,
        event: int,
        story: int,
        vector: Vector,
        when: datetime | None,
        merged: Iterable[int] = (),
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

    def restore(self, event: int | None, story: int, vector: Vector, when: datetime | None) -> None:
        """Re-load an article placed earlier (context for a new batch); events may be unknown
        for articles placed before events existed."""
        if event is not None:
            self.story_of[event] = story
            self.events.join(event, vector, when)
        self.stories.join(story, vector, when)
