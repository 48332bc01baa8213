"""The baseline of bench/clustering.py: storyline's first story grouping, kept for comparison.

TF-IDF fitted on the whole batch, each article compared with the centroid of every story active
within the window (a scan), joining the best at or above the threshold. `assign/placement.py`
replaced it in the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer

from storyline.config import Settings
from storyline.model import Article


def story_text(article: Article) -> str:
    """What the grouping compares: the title twice (headlines carry the topic) and the text."""
    title = article.title or ""
    return f"{title}\n{title}\n{article.text}"


@dataclass(slots=True)
class _StoryState:
    first: datetime
    last: datetime
    total: csr_matrix  # sum of member vectors, sparse over the fitted vocabulary
    members: list[tuple[str, csr_matrix]] = field(default_factory=list)  # (title, vector)
    unit: csr_matrix | None = None  # normalised centroid, recomputed only when a member joins

    def centroid(self) -> csr_matrix:
        if self.unit is None:
            norm = float(np.sqrt(self.total.multiply(self.total).sum()))
            self.unit = self.total / norm if norm else self.total
        return self.unit


class StoryGrouper:
    """Places articles in stories: the best centroid above a threshold, else a new story."""

    def __init__(self, settings: Settings, texts: list[str]) -> None:
        self.settings = settings
        self.window = timedelta(days=settings.story_window_days)
        self.vectorizer = TfidfVectorizer(
            sublinear_tf=True, stop_words="english", lowercase=True, dtype=np.float32
        )
        self.vectorizer.fit(texts or ["empty"])
        self.stories: dict[int, _StoryState] = {}

    def vector(self, article: Article) -> csr_matrix:
        """The article's L2-normalised TF-IDF vector (a 1-row sparse matrix)."""
        return self.vectors([article])[0]

    def vectors(self, articles: list[Article]) -> list[csr_matrix]:
        """Vectors of many articles in one pass (much cheaper than one call each)."""
        if not articles:
            return []
        matrix = csr_matrix(self.vectorizer.transform([story_text(a) for a in articles]))
        return [matrix[i] for i in range(matrix.shape[0])]

    def best(self, vector: csr_matrix, when: datetime) -> tuple[int | None, float]:
        """The story whose centroid is closest, among stories active within the window."""
        best_id, best_score = None, 0.0
        for story_id, state in self.stories.items():
            if when - state.last > self.window or state.first - when > self.window:
                continue
            score = _dot(vector, state.centroid())
            if score > best_score:
                best_id, best_score = story_id, score
        if best_score < self.settings.story_threshold:
            return None, best_score
        return best_id, best_score

    def add(self, story_id: int, article: Article, vector: csr_matrix) -> None:
        """Record that ``article`` is in ``story_id``."""
        when = article.published
        assert when is not None  # the benchmark's streams are dated
        state = self.stories.get(story_id)
        if state is None:
            state = self.stories[story_id] = _StoryState(
                when, when, csr_matrix(vector.shape, dtype=np.float32)
            )
        state.first, state.last = min(state.first, when), max(state.last, when)
        state.total = state.total + vector
        state.unit = None
        state.members.append((article.title or "", vector))

    def title(self, story_id: int) -> str:
        """The title of the member closest to the story's centroid."""
        state = self.stories[story_id]
        centroid = state.centroid()
        scored = [(_dot(vec, centroid), title) for title, vec in state.members if title]
        return max(scored)[1] if scored else "(untitled story)"


def _dot(a: csr_matrix, b: csr_matrix) -> float:
    return float(a.multiply(b).sum())
