"""Assign stage: decide, article by article, whether it is a copy, which event and which story.

`Assigner` holds the state of a stream: the copy indexes, the open events and stories, and light
records of the articles seen. It never touches the database: `plan` decides for one article
(setting ``story_id``/``event_id`` to existing ids or None for new ones), the runner saves the
placement, then `commit` folds the article into the state with the ids the store gave it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

import numpy as np
from datasketch import MinHash

from storyline.assign.columns import (
    StateError,
    array,
    counts,
    fields,
    ids_from_array,
    ids_to_array,
    integer,
    numbers_from_array,
    numbers_to_array,
    split,
    strings,
    texts_from_state,
    texts_to_state,
    times_from_array,
    times_to_array,
)
from storyline.assign.dedup import (
    CopyIndex,
    fact_signature,
    fact_tokens,
    from_bytes,
    signature,
    to_bytes,
)
from storyline.assign.names import names
from storyline.assign.placement import StoryPlacer, counts_of, features
from storyline.assign.streaming import (
    Packed,
    Vector,
    pack_vector,
    top_terms,
    unpack_vector,
    vectors_from_state,
    vectors_to_state,
    words,
)
from storyline.config import Settings
from storyline.model import Article

TITLE_CANDIDATES = 8  # members kept per story and event to choose its title from
CANDIDATE_TERMS = 30  # a candidate's heaviest terms, enough to rank it against the centroid
NEAR_COPY = "near copy"
SAME_FACTS = "same facts"
_KINDS = frozenset({None, NEAR_COPY, SAME_FACTS})  # what a remembered copy may be


@dataclass(slots=True)
class _Known:
    """What the assigner remembers of an article: enough to link copies and follow merges."""

    when: datetime | None  # its placement time; None: undated, placed by content alone
    story_id: int | None
    event_id: int | None
    duplicate_of: str | None
    similarity: float | None
    kind: str | None = None
    seen: datetime | None = None  # the stream's clock when it came: undated records age by it


def _known_to_state(known: dict[str, _Known]) -> dict[str, Any]:
    """The records as one column per field (`columns`): saved and read back several times faster
    than as objects (a snapshot holds one per article of the copy window). A similarity that is
    None is saved as NaN; copy links, rare, as JSON lists."""
    records = known.values()
    return {
        "ids": texts_to_state(list(known)),
        "when": times_to_array(r.when for r in records),
        "story": ids_to_array(r.story_id for r in records),
        "event": ids_to_array(r.event_id for r in records),
        "duplicate_of": [r.duplicate_of for r in records],
        "similarity": numbers_to_array(r.similarity for r in records),
        "kind": [r.kind for r in records],
        "seen": times_to_array(r.seen for r in records),
    }


def _known_from_state(state: object) -> dict[str, _Known]:
    found = fields(
        state, "ids", "when", "story", "event", "duplicate_of", "similarity", "kind", "seen"
    )
    ids = texts_from_state(found["ids"])
    size = len(ids)
    columns = (
        times_from_array(found["when"], size),
        ids_from_array(found["story"], size),
        ids_from_array(found["event"], size),
        strings(found["duplicate_of"], size, optional=True),
        numbers_from_array(found["similarity"], size),
        strings(found["kind"], size, optional=True),
        times_from_array(found["seen"], size),
    )
    if not set(columns[5]) <= _KINDS:
        raise StateError("a copy of a kind this version does not make")
    similarity = array(found["similarity"], "<f8")
    if not (np.isnan(similarity) | ((similarity >= 0) & (similarity <= 1))).all():
        raise StateError("a copy's similarity outside 0 to 1")
    known = dict(zip(ids, map(_Known, *columns), strict=True))
    if len(known) != size:
        raise StateError("an article remembered twice")
    return known


def _members_from_state(state: object) -> dict[tuple[str, int], list[tuple[str, Packed | Vector]]]:
    """The title candidates `Assigner.to_state` saved: for each story and event, its titles and
    their heaviest terms (left packed)."""
    found = fields(state, "levels", "clusters", "counts", "titles", "vectors")
    levels = strings(found["levels"])
    if not set(levels) <= {"story", "event"}:
        raise StateError("title candidates of something other than a story or an event")
    clusters = array(found["clusters"], "<i8", len(levels)).tolist()
    sizes = counts(found["counts"], length=len(levels))
    total = int(sizes.sum())
    titles = texts_from_state(found["titles"], total)
    vectors = vectors_from_state(found["vectors"], total)
    members = split(list(zip(titles, vectors, strict=True)), sizes)
    kept = dict(zip(zip(levels, clusters, strict=True), members, strict=True))
    if len(kept) != len(levels):
        raise StateError("title candidates of one cluster saved twice")
    return kept


@dataclass(slots=True)
class Plan:
    """The decision for one article, with what `commit` needs afterwards."""

    group: bool
    vector: Vector = field(default_factory=dict)
    when: datetime | None = None
    repoint: dict[str, float | None] = field(default_factory=dict)
    repoint_kinds: dict[str, str] = field(default_factory=dict)  # what each re-pointed copy is
    merge: list[int] = field(default_factory=list)
    detail: str | None = None
    copy_keys: tuple[MinHash | None, MinHash | None] = (None, None)  # near copy, same facts


def _earlier(first: datetime | None, second: datetime | None) -> bool:
    """Whether ``first`` counts as published before ``second``. A date without a time of day
    (stored as midnight) could be any time that day: on the same day, a publication with a time
    of day counts as the earlier one, since only it can show when it appeared."""
    if first is None or second is None:
        return False
    if first.date() != second.date():
        return first < second
    first_dated_only, second_dated_only = first.time() == time(0), second.time() == time(0)
    if first_dated_only or second_dated_only:
        return second_dated_only and not first_dated_only
    return first < second


class Assigner:
    """Places a stream of articles; state is rebuilt from stored context with `restore`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.skew = timedelta(hours=settings.clock_skew_hours)
        self.placer = StoryPlacer(settings)
        self.copies = CopyIndex(settings)
        self.facts = CopyIndex(settings, settings.same_facts_threshold)
        self.known: dict[str, _Known] = {}
        # Title candidates of each open story and event: (title, its heaviest terms, packed).
        self._members: dict[tuple[str, int], list[tuple[str, Packed | Vector]]] = {}
        self._placed = 0

    def _forget(self, now: datetime) -> None:
        """Drop what can no longer matter, so memory is bounded by the windows on an endless
        stream: copies past the copy window, records of articles past every window, members of
        closed clusters."""
        copy_horizon = now - timedelta(days=self.settings.copy_window_days)
        self.copies.expire(copy_horizon)
        self.facts.expire(copy_horizon)
        days = max(self.settings.copy_window_days, self.settings.story_window_days)
        horizon = now - timedelta(days=days)
        self.known = {
            aid: record
            for aid, record in self.known.items()
            if (record.when or record.seen) is None or (record.when or record.seen) >= horizon
        }
        self._drop_closed_members()

    def _drop_closed_members(self) -> None:
        """Forget the title candidates of stories and events no longer open."""
        open_clusters = {
            "story": self.placer.stories.clusters,
            "event": self.placer.events.clusters,
        }
        self._members = {
            key: members
            for key, members in self._members.items()
            if key[1] in open_clusters[key[0]]
        }

    # --- state ----------------------------------------------------------------------------------

    def to_state(self) -> dict[str, Any]:
        """Everything the assigner holds, except its settings, as data (`columns`: JSON values
        and NumPy arrays), for `assign.snapshot`. Title candidates of closed clusters are dropped
        first: a rebuild from the story window gathers them for every cluster of the window, and
        they are most of a snapshot."""
        self._drop_closed_members()
        members = list(self._members.items())
        return {
            "known": _known_to_state(self.known),
            "members": {
                "levels": [level for (level, _), _ in members],
                "clusters": np.array([cid for (_, cid), _ in members], dtype=np.int64),
                "counts": np.array([len(found) for _, found in members], dtype=np.int64),
                "titles": texts_to_state([title for _, found in members for title, _ in found]),
                "vectors": vectors_to_state(v for _, found in members for _, v in found),
            },
            "placed": self._placed,
            "placer": self.placer.to_state(),
            "copies": self.copies.to_state(),
            "facts": self.facts.to_state(),
        }

    @classmethod
    def from_state(cls, settings: Settings, state: object) -> Assigner:
        """An assigner holding what `to_state` saved under the same placement settings, each
        part built through its constructor; `columns.StateError` when ``state`` is not that."""
        found = fields(state, "known", "members", "placed", "placer", "copies", "facts")
        assigner = cls(settings)
        assigner.known = _known_from_state(found["known"])
        assigner._members = _members_from_state(found["members"])
        assigner._placed = integer(found["placed"])
        assigner.placer = StoryPlacer.from_state(settings, found["placer"])
        assigner.copies = CopyIndex.from_state(settings, None, found["copies"])
        threshold = settings.same_facts_threshold
        assigner.facts = CopyIndex.from_state(settings, threshold, found["facts"])
        return assigner

    @property
    def clock(self) -> datetime | None:
        """The latest placement time the stream has seen (None while nothing is dated)."""
        return self.placer.stories.clock

    def _remember(self, article: Article) -> None:
        self.known[article.id or ""] = _Known(
            article.placed_at,
            article.story_id,
            article.event_id,
            article.duplicate_of,
            article.duplicate_similarity,
            article.duplicate_kind,
            article.placed_at or self.clock,
        )

    def _add_member(self, article: Article, vector: Vector) -> None:
        """Keep the article as a title candidate of its story and event. Each keeps the
        `TITLE_CANDIDATES` closest to its centroid: candidates gather up to twice that many,
        then the farthest go, so the centroid is compared with members once per few articles."""
        if not article.title or article.story_id is None:
            return
        heavy = pack_vector({term: vector[term] for term in top_terms(vector, CANDIDATE_TERMS)})
        for level, cluster_id in (("story", article.story_id), ("event", article.event_id)):
            if cluster_id is None:
                continue
            members = self._members.setdefault((level, cluster_id), [])
            members.append((article.title, heavy))
            if len(members) >= 2 * TITLE_CANDIDATES:
                clusters = self.placer.stories if level == "story" else self.placer.events
                cluster = clusters.clusters.get(cluster_id)
                if cluster is None:
                    del members[:TITLE_CANDIDATES]
                else:
                    members.sort(key=lambda m: cluster.cosine(unpack_vector(m[1])), reverse=True)
                    del members[TITLE_CANDIDATES:]

    def restore(self, article: Article) -> None:
        """Take in an article placed earlier, so that new ones can join its event and story."""
        if article.story_id is None:
            self._remember(article)
            return  # not grouped (too little text): nothing to join
        counts = features(article.title, article.text)
        vector = self.placer.vector(counts, article.language)
        self.placer.restore(article.event_id, article.story_id, vector, article.placed_at)
        self._remember(article)
        self._add_member(article, vector)
        if article.duplicate_of is None:
            when = article.placed_at or self.clock
            minhash = from_bytes(article.signature, self.settings) if article.signature else None
            if minhash is not None:
                self.copies.add(article.id or "", minhash, when)
            tokens = fact_tokens(article.text)
            if len(tokens) >= self.settings.same_facts_min_tokens:
                facts = fact_signature(tokens, self.settings)
                self.facts.add(article.id or "", facts, when)

    # --- deciding -------------------------------------------------------------------------------

    def plan(self, article: Article) -> Plan:
        """Decide where ``article`` goes; sets its placement time, note, copy link and ids."""
        when, note = article.placement_time(self.skew)
        article.placed_at, article.placement_note = when, note
        heading, body = words(article.title or ""), words(article.text)
        size = len(heading) + len(body)
        if size < self.settings.story_min_words:
            reason = f"not grouped: only {size} content words, too few to compare"
            article.placement_note = f"{note}; {reason}" if note else reason
            article.story_id = article.event_id = None
            return Plan(group=False, when=when)
        minhash: MinHash | None = None
        linked: dict[str, tuple[float | None, str]] = {}
        if len(body) >= self.settings.dedup_shingle_words:  # a shorter text is one shingle,
            minhash = signature(article.text, self.settings)  # or none: it matches by chance
            article.signature = to_bytes(minhash)
            linked = self._link(article, self.copies.matches(minhash), NEAR_COPY)
        facts, tokens = None, fact_tokens(article.text)
        if len(tokens) >= self.settings.same_facts_min_tokens:
            facts = fact_signature(tokens, self.settings)
            if article.duplicate_of is None and not linked:
                linked = self._link(article, self.facts.matches(facts), SAME_FACTS)
        named = names(article.title, article.text)
        vector = self.placer.vector(counts_of(heading, body, named), article.language)
        repoint = {aid: similarity for aid, (similarity, _) in linked.items()}
        plan = Plan(True, vector, when, repoint, {aid: k for aid, (_, k) in linked.items()})
        plan.copy_keys = (minhash, facts)
        anchor = article.duplicate_of or (next(iter(repoint)) if repoint else None)
        if anchor is not None and self.known[anchor].story_id is not None:
            article.story_id = self.known[anchor].story_id  # a copy goes where its original is
            article.event_id = self.known[anchor].event_id
            return plan
        decision = self.placer.decide(vector, when)
        article.story_id, article.event_id = decision.story, decision.event
        plan.merge = decision.merge
        if decision.merge:
            plan.detail = (
                f"a new article matched stories {', '.join(map(str, decision.merge))} and "
                f"{decision.story} at cosine {decision.story_score:.2f} or more"
            )
        return plan

    def _link(
        self, article: Article, matches: list[tuple[str, float]], kind: str
    ) -> dict[str, tuple[float | None, str]]:
        """Link ``article`` to the earliest copy it matches; return copies that it predates.

        The earliest known copy is the original: when the new article is older than the original
        it matches, it becomes the original and the returned ids are re-pointed to it, each with
        its similarity and what kind of copy of the new original it now is.
        """
        matches = [(aid, sim) for aid, sim in matches if aid in self.known]
        if not matches:
            return {}
        original_id, similarity = matches[0]
        seen = {original_id}
        while (parent := self.known[original_id].duplicate_of) in self.known and parent not in seen:
            original_id = parent  # follow a chain to its root
            seen.add(parent)
        original = self.known[original_id]
        if _earlier(article.placed_at, original.when):
            followers = [a for a, k in self.known.items() if k.duplicate_of == original_id]
            moved: dict[str, tuple[float | None, str]] = {}
            for aid in [original_id, *followers]:
                record = self.known[aid]
                record.duplicate_of = article.id
                record.similarity = record.similarity or round(similarity, 4)
                # A copy of the old original shares wording with the new one only when both
                # links are near copies; otherwise what it surely shares is the facts.
                near = kind == NEAR_COPY and (aid == original_id or record.kind == NEAR_COPY)
                record.kind = NEAR_COPY if near else SAME_FACTS
                moved[aid] = (record.similarity, record.kind)
            return moved
        article.duplicate_of, article.duplicate_similarity = original_id, round(similarity, 4)
        article.duplicate_kind = kind
        return {}

    # --- after the store saved the placement ----------------------------------------------------

    def commit(self, article: Article, plan: Plan) -> None:
        """Fold a saved article into the state, with the ids the store gave it."""
        if not plan.group or article.story_id is None or article.event_id is None:
            self._remember(article)
            return
        for source in plan.merge:
            for record in self.known.values():
                if record.story_id == source:
                    record.story_id = article.story_id
            self._members.setdefault(("story", article.story_id), []).extend(
                self._members.pop(("story", source), [])
            )
        self.placer.commit(article.event_id, article.story_id, plan.vector, plan.when, plan.merge)
        self._remember(article)
        self._add_member(article, plan.vector)
        for aid in plan.repoint:
            self.copies.remove(aid)
            self.facts.remove(aid)
        if article.duplicate_of is None:
            minhash, facts = plan.copy_keys
            when = plan.when or self.clock
            if minhash is not None:
                self.copies.add(article.id or "", minhash, when)
            if facts is not None:
                self.facts.add(article.id or "", facts, when)
        self._placed += 1
        if self._placed % 1000 == 0 and self.clock is not None:
            self._forget(self.clock)

    def titles(self, level: str, ids: set[int]) -> dict[int, str]:
        """For each story or event (``level``), the title of the member closest to its centroid."""
        clusters = self.placer.stories if level == "story" else self.placer.events
        chosen = {}
        for cluster_id in ids:
            members = self._members.get((level, cluster_id))
            cluster = clusters.clusters.get(cluster_id)
            if members and cluster is not None:
                chosen[cluster_id] = max(
                    members, key=lambda m: (cluster.cosine(unpack_vector(m[1])), m[0])
                )[0]
            elif members:  # closed by the time the batch ended (a later date came): its first
                chosen[cluster_id] = members[0][0]
        return chosen
