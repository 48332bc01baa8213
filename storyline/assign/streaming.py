"""Streaming clustering: place each article once, on arrival, with a cost that stays flat.

Vectors are TF-IDF over words of the title (counted twice) and text, with document frequencies
accumulated as articles stream in (no batch fit). Each cluster keeps a summed centroid. Candidate
clusters come from an inverted index over the heaviest terms of each live cluster, never from a
scan: a new article looks up its own heaviest terms, scores only the clusters they point to, and
clusters that fall out of the time window leave the index. The cost per article therefore depends
on the window's size, not on how many articles came before.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import islice, repeat
from sys import intern
from typing import Any, NamedTuple

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from storyline.assign.background import (
    PRIOR_DOCS,
    UNSEEN_PRIOR,
    background_priors,
    doc_chance,
)
from storyline.assign.columns import (
    StateError,
    array,
    counts,
    fields,
    integer,
    split,
    strings,
    texts_from_state,
    texts_to_state,
    time_from_state,
    time_to_state,
    times_from_array,
    times_to_array,
)

_WORD = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|[^\W\d_]", re.UNICODE)
STOP = frozenset(ENGLISH_STOP_WORDS) | {"said", "says", "say", "would", "also", "new", "mr", "ms"}
_PTB = re.compile(r"-[LR][RSC]B-|``|''", re.IGNORECASE)  # Penn Treebank brackets and quotes

Vector = dict[str, float]
NAME_PREFIX = "@"  # names and entity ids live beside words in one vector, marked so
_SEPARATOR = "\x00"  # between the terms of a packed vector (no word contains it)


def _pack_terms(mapping: dict[str, float] | Counter[str], dtype: type) -> tuple[str, bytes] | None:
    """The keys joined into one string and the values as bytes of ``dtype``; None when a key
    contains the separator (then the mapping is kept as it is)."""
    joined = _SEPARATOR.join(mapping)
    if joined.count(_SEPARATOR) != max(len(mapping) - 1, 0):
        return None
    return joined, np.fromiter(mapping.values(), dtype=dtype, count=len(mapping)).tobytes()


def _unpack_terms(joined: str, data: bytes, dtype: type) -> tuple[list[str], list[Any]]:
    """The keys and values `_pack_terms` packed, in their order."""
    values = np.frombuffer(data, dtype=dtype).tolist()
    return (joined.split(_SEPARATOR) if values else []), values


def words(text: str) -> list[str]:
    """Lower-case content words (no stop words, no numbers, no tokeniser artefacts)."""
    # Lower-cased and quotes made straight once for the whole text, then split in C: the same
    # words as splitting first, a few times faster (the assign stage splits every article).
    # ("İ" lower-cases to two characters, "i" and a combining dot: it is read as "i".)
    text = _PTB.sub(" ", text).replace("İ", "i").lower().replace("’", "'")
    return [w for w in _WORD.findall(text) if len(w) > 1 and w not in STOP]


@dataclass(slots=True)
class TermStats:
    """Document frequencies accumulated over the stream."""

    docs: int = 0
    df: Counter[str] = field(default_factory=Counter)

    def to_state(self) -> dict[str, Any]:
        """The statistics as data (`columns`): the terms as one text, the counts as int64 (a
        million terms read back in a fraction of the time of a Counter of objects)."""
        df = self.df
        return {
            "docs": self.docs,
            "terms": texts_to_state(list(df)),
            "counts": np.fromiter(df.values(), dtype=np.int64, count=len(df)),
        }

    @classmethod
    def from_state(cls, state: object) -> TermStats:
        """The statistics `to_state` saved; `columns.StateError` when ``state`` is not that."""
        found = fields(state, "docs", "terms", "counts")
        terms = texts_from_state(found["terms"])
        values = counts(found["counts"], length=len(terms)).tolist()
        df: Counter[str] = Counter()
        dict.update(df, zip(terms, values, strict=True))  # one dictionary built, not two
        if len(df) != len(terms):
            raise StateError("a term counted twice")
        return cls(integer(found["docs"]), df)

    def observe(self, terms: Iterable[str]) -> None:
        self.docs += 1
        self.df.update(set(terms))

    def idf(self, term: str, language: str = "en") -> float:
        """Inverse document frequency over the stream, with the word's frequency in its
        language as a prior worth `background.PRIOR_DOCS` articles: stable while the stream is
        small, the stream's own as it grows. Names (``@`` terms) count as the word."""
        prior = PRIOR_DOCS * doc_chance(term.lstrip(NAME_PREFIX), language)
        return math.log((self.docs + PRIOR_DOCS) / (self.df.get(term, 0) + prior)) + 1.0


def tfidf(counts: Counter[str], stats: TermStats, language: str = "en") -> Vector:
    """Sublinear TF-IDF, L2-normalised (``language``: a wordfreq code, see `background`),
    with `TermStats.idf` written out: it runs for every term of every article."""
    priors, df = background_priors(language), stats.df
    docs, log, unseen = stats.docs + PRIOR_DOCS, math.log, UNSEEN_PRIOR
    vector = {}
    for term, count in counts.items():
        prior = priors.get(term)  # most terms are words; names are looked up as their word
        if prior is None:
            prior = priors.get(term[1:], unseen) if term[0] == NAME_PREFIX else unseen
        # Terms are interned: vectors and centroids kept for weeks share one string per term.
        vector[intern(term)] = (1.0 + log(count)) * (log(docs / (df.get(term, 0) + prior)) + 1.0)
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {t: v / norm for t, v in vector.items()} if norm else {}


def dot(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


def top_terms(vector: Vector, k: int) -> list[str]:
    # What heapq.nlargest returns (ties in insertion order), several times faster on short vectors.
    return sorted(vector, key=vector.__getitem__, reverse=True)[:k]


Packed = tuple[str, bytes]  # a vector's terms, joined, and the bytes of its float64 values


def pack_vector(vector: Vector) -> Packed | Vector:
    """A vector as one string of terms and the bytes of its values: saved and read back many
    times faster than a dictionary (no object per term), and a fraction of its memory. Terms that
    contain the separator, which words never do, leave the vector as it is."""
    packed = _pack_terms(vector, np.float64)
    return vector if packed is None else packed


def unpack_vector(packed: Packed | Vector) -> Vector:
    """The vector `pack_vector` packed, with the same terms, order and values (a vector that
    was left as it is comes back as it is)."""
    if isinstance(packed, dict):
        return packed
    terms, values = _unpack_terms(*packed, np.float64)
    return dict(zip(map(intern, terms), values, strict=True))


def vectors_to_state(vectors: Iterable[Packed | Vector]) -> dict[str, Any]:
    """Vectors, packed or not, as columns (`columns`): the packed terms of all as one UTF-8
    text, each one's length in bytes there and number of terms, and all values as one float64
    array. A vector that cannot be packed (a term with the separator) is kept apart, as JSON."""
    texts, widths, sizes, values = [], [], [], []
    loose: list[list[Any]] = []
    for position, vector in enumerate(vectors):
        packed = pack_vector(vector) if isinstance(vector, dict) else vector
        if isinstance(packed, dict):
            loose.append([position, list(packed), list(packed.values())])
            packed = ("", b"")
        joined, data = packed
        text = joined.encode("utf-8", "surrogatepass")  # as `columns.encode_text`
        texts.append(text)
        widths.append(len(text))
        sizes.append(len(data) // 8)
        values.append(data)
    return {
        "text": np.frombuffer(b"".join(texts), dtype=np.uint8),
        "widths": np.array(widths, dtype=np.int64),
        "sizes": np.array(sizes, dtype=np.int64),
        "values": np.frombuffer(b"".join(values), dtype=np.float64),
        "loose": loose,
    }


def vectors_from_state(state: object, length: int) -> list[Packed | Vector]:
    """The ``length`` vectors `vectors_to_state` saved, packed (unpacked when first used) but for
    those kept apart; `columns.StateError` when ``state`` is not that."""
    found = fields(state, "text", "widths", "sizes", "values", "loose")
    text = array(found["text"], "|u1")
    widths = counts(found["widths"], len(text), length)
    sizes = counts(found["sizes"], length=length)
    values = array(found["values"], "<f8", int(sizes.sum()))
    if not np.isfinite(values).all():
        raise StateError("a vector's weight is not a finite number")
    raw, data = memoryview(text), memoryview(values).cast("B") if len(values) else b""
    ends, stops = np.cumsum(widths), np.cumsum(sizes * 8)
    joined = [  # each decoded where it lies in the file's buffer
        str(raw[start:end], "utf-8", "surrogatepass")
        for start, end in zip((ends - widths).tolist(), ends.tolist(), strict=True)
    ]
    # `unpack_vector` splits the terms on the separator when the vector is used: check now that
    # there is one term per value (a scan in C, a small part of the time to read)
    separators = np.fromiter(map(str.count, joined, repeat(_SEPARATOR)), np.int64, len(joined))
    if not np.array_equal(separators, np.maximum(sizes - 1, 0)) or widths[sizes == 0].any():
        raise StateError("a vector's terms and values differ in number")
    starts = (stops - sizes * 8).tolist()
    weights = [bytes(data[start:end]) for start, end in zip(starts, stops.tolist(), strict=True)]
    vectors: list[Packed | Vector] = list(zip(joined, weights, strict=True))
    if not isinstance(found["loose"], list):
        raise StateError("expected a list of vectors kept apart")
    for item in found["loose"]:
        if not isinstance(item, list) or len(item) != 3:
            raise StateError("expected a vector kept apart as [position, terms, values]")
        position = integer(item[0])
        terms, kept = strings(item[1]), item[2]
        if position >= length or vectors[position] != ("", b"") or not isinstance(kept, list):
            raise StateError("a vector kept apart out of place")
        if len(kept) != len(terms) or not all(type(w) is float and math.isfinite(w) for w in kept):
            raise StateError("a vector kept apart with values that are not its terms'")
        vectors[position] = dict(zip(terms, kept, strict=True))
    return vectors


class Cluster:
    """A cluster's running state: summed member vectors, time span and index keys.

    The squared norm of the sum is kept up to date as members join, so scoring an article
    against the cluster costs as much as the article's own terms, however large the cluster.
    Saved, the summed vector is packed (`pack_vector`); a cluster made from a packed one
    (``packed``) keeps it packed until it is first used: a process that starts from a snapshot of
    thousands of open clusters pays for the few its articles touch, not for every centroid of the
    window.
    """

    __slots__ = (
        "_packed",
        "_total",
        "first",
        "id",
        "indexed_at",
        "keys",
        "last",
        "namesq",
        "seen",
        "size",
        "sumsq",
    )

    def __init__(
        self,
        id: int,
        first: datetime | None,
        last: datetime | None,
        total: Vector | None = None,
        size: int = 0,
        keys: list[str] | None = None,  # terms under which it is indexed
        indexed_at: int = 0,  # the size at the last re-indexing
        sumsq: float = 0.0,
        seen: datetime | None = None,
        namesq: float = 0.0,
        packed: Packed | None = None,  # the summed vector packed, in place of ``total``
    ) -> None:
        # first and last span the dated members only (None while every member is undated);
        # seen is the stream's clock at the last join, which expiry goes by
        self.id, self.first, self.last = id, first, last
        self._total: Vector | None = None if packed is not None else {} if total is None else total
        self._packed: Packed | None = packed
        self.size = size
        self.keys: list[str] = [] if keys is None else keys
        self.indexed_at = indexed_at
        self.sumsq = sumsq
        self.namesq = namesq  # the part of sumsq that is names (terms with NAME_PREFIX)
        self.seen = seen if seen is not None else last

    @property
    def total(self) -> Vector:
        """The sum of the members' vectors (unpacked on first use after loading)."""
        if self._total is None:
            assert self._packed is not None
            self._total, self._packed = unpack_vector(self._packed), None
        return self._total

    @total.setter
    def total(self, vector: Vector) -> None:
        self._total, self._packed = vector, None

    def saved_total(self) -> Packed | Vector:
        """The summed vector to save: packed (as it was loaded, when it was never used since)."""
        if self._total is None:
            assert self._packed is not None
            return self._packed
        return pack_vector(self._total)

    def add(self, vector: Vector, when: datetime | None, clock: datetime | None = None) -> None:
        """Add a member: ``when`` is its time (None: undated), ``clock`` the stream's."""
        total, sumsq, namesq = self.total, self.sumsq, self.namesq
        for term, value in vector.items():
            old = total.get(term, 0.0)
            total[term] = old + value
            grown = value * (2 * old + value)
            sumsq += grown
            if term[0] == NAME_PREFIX:
                namesq += grown
        self.sumsq, self.namesq = sumsq, namesq
        self.size += 1
        if when is not None:
            self.first = when if self.first is None else min(self.first, when)
            self.last = when if self.last is None else max(self.last, when)
        latest = max((t for t in (when, clock, self.seen) if t is not None), default=None)
        self.seen = latest

    def gap(self, when: datetime) -> timedelta | None:
        """How far ``when`` lies outside the span of the dated members (zero inside it); None
        when no member is dated."""
        if self.first is None or self.last is None:
            return None
        if when < self.first:
            return self.first - when
        return max(when - self.last, timedelta(0))

    def cosine(self, vector: Vector) -> float:
        """Cosine of a unit ``vector`` with the cluster's centroid."""
        if self.sumsq <= 0:
            return 0.0
        total = self.total
        return sum(v * total.get(t, 0.0) for t, v in vector.items()) / math.sqrt(self.sumsq)

    def similarity(self, vector: Vector) -> tuple[float, float | None]:
        """Cosine of a unit ``vector`` with the centroid, and the cosine of their names alone
        (None when the article names no one, or the cluster no one)."""
        if self.sumsq <= 0:
            return 0.0, None
        total = self.total
        dot = names_dot = names_norm = 0.0
        for term, value in vector.items():
            product = value * total.get(term, 0.0)
            dot += product
            if term[0] == NAME_PREFIX:
                names_dot += product
                names_norm += value * value
        cosine = dot / math.sqrt(self.sumsq)
        if names_norm <= 0 or self.namesq <= 0:
            return cosine, None
        return cosine, names_dot / math.sqrt(names_norm * self.namesq)

    def centroid(self) -> Vector:
        norm = math.sqrt(self.sumsq) if self.sumsq > 0 else 0.0
        return {t: v / norm for t, v in self.total.items()} if norm else {}


class Match(NamedTuple):
    """An open cluster scored against an article."""

    id: int
    score: float  # cosine with the centroid, less the time decay
    names: float | None  # cosine of the names alone (None: no names on one side)
    timeless: bool  # scored by content alone (the article or every member undated)


def _squares(total: Vector) -> tuple[float, float]:
    """The squared norm of a summed vector, and the part of it that is names."""
    squares = names = 0.0
    for term, value in total.items():
        squares += value * value
        if term[0] == NAME_PREFIX:
            names += value * value
    return squares, names


class StreamClusterer:
    """Single-pass clustering with an inverted index of live clusters.

    ``threshold`` is the cosine at which an article joins a cluster; ``window`` how long a
    cluster stays open after its last article; scores decay linearly with the time gap by
    ``decay`` per window. ``index_terms`` and ``query_terms`` bound the index and the lookups,
    ``max_postings`` the clusters taken from one term (the most recently indexed ones), and
    ``max_terms`` a cluster's centroid: when it is re-indexed, only its heaviest terms are kept,
    so a long story costs a bounded amount of memory (the light tail barely moves a cosine).
    """

    def __init__(
        self,
        threshold: float,
        window: timedelta,
        decay: float = 0.0,
        index_terms: int = 40,
        query_terms: int = 25,
        max_postings: int = 200,
        max_terms: int = 3000,
    ) -> None:
        self.threshold = threshold
        self.window = window
        self.decay = decay
        self.index_terms = index_terms
        self.query_terms = query_terms
        self.max_postings = max_postings
        self.max_terms = max_terms
        self.clusters: dict[int, Cluster] = {}
        self._postings: dict[str, dict[int, None]] = {}  # ordered sets: newest last
        # Every cluster, in the order it was last indexed: the order the postings list them in,
        # so that a snapshot saves this and the keys, and the postings are rebuilt from them.
        self._indexed: dict[int, None] = {}
        self._next_id = 1
        self._expired_at: datetime | None = None
        self.clock: datetime | None = None  # the latest dated time seen: undated members age by it
        self.candidates_scored = 0  # for the speed benchmark: stays flat as the stream grows

    def to_state(self) -> dict[str, Any]:
        """The open clusters and the stream's clock as data (`columns`), one column per field.
        The postings are not saved: the order clusters were last indexed in rebuilds them."""
        clusters = list(self.clusters.values())
        return {
            "ids": np.array([c.id for c in clusters], dtype=np.int64),
            "first": times_to_array(c.first for c in clusters),
            "last": times_to_array(c.last for c in clusters),
            "seen": times_to_array(c.seen for c in clusters),
            "sizes": np.array([c.size for c in clusters], dtype=np.int64),
            "indexed_at": np.array([c.indexed_at for c in clusters], dtype=np.int64),
            "sumsq": np.array([c.sumsq for c in clusters], dtype=np.float64),
            "namesq": np.array([c.namesq for c in clusters], dtype=np.float64),
            "key_counts": np.array([len(c.keys) for c in clusters], dtype=np.int64),
            "keys": texts_to_state([term for c in clusters for term in c.keys]),
            "totals": vectors_to_state(c.saved_total() for c in clusters),
            "indexed": np.array(list(self._indexed), dtype=np.int64),
            "next_id": self._next_id,
            "expired_at": time_to_state(self._expired_at),
            "clock": time_to_state(self.clock),
            "candidates_scored": self.candidates_scored,
        }

    @classmethod
    def from_state(
        cls, state: object, threshold: float, window: timedelta, decay: float = 0.0
    ) -> StreamClusterer:
        """A clusterer (made with these parameters) holding what `to_state` saved; centroids
        stay packed until used. `columns.StateError` when ``state`` is not that."""
        found = fields(
            state, "ids", "first", "last", "seen", "sizes", "indexed_at", "sumsq", "namesq",
            "key_counts", "keys", "totals", "indexed", "next_id", "expired_at", "clock",
            "candidates_scored",
        )  # fmt: skip
        ids = array(found["ids"], "<i8")
        size = len(ids)
        if len(np.unique(ids)) != size or (size and int(ids.min()) < 1):
            raise StateError("a cluster saved twice, or with an id below 1")
        squares = [array(found[name], "<f8", size) for name in ("sumsq", "namesq")]
        if not all(np.isfinite(column).all() and (column >= 0).all() for column in squares):
            raise StateError("a cluster's norm is not a finite, non-negative number")
        terms = texts_from_state(found["keys"])
        columns = (
            ids.tolist(),
            times_from_array(found["first"], size),
            times_from_array(found["last"], size),
            times_from_array(found["seen"], size),
            counts(found["sizes"], length=size).tolist(),
            counts(found["indexed_at"], length=size).tolist(),
            squares[0].tolist(),
            squares[1].tolist(),
            split(terms, counts(found["key_counts"], len(terms), size)),
            vectors_from_state(found["totals"], size),
        )
        clusterer = cls(threshold, window, decay)
        for cid, first, last, seen, members, indexed_at, sumsq, namesq, keys, total in zip(
            *columns, strict=True
        ):
            packed = None if isinstance(total, dict) else total
            clusterer.clusters[cid] = Cluster(
                cid, first, last, total if packed is None else None, members, keys,
                indexed_at, sumsq, seen, namesq, packed,
            )  # fmt: skip
        indexed = array(found["indexed"], "<i8", size)
        if not np.array_equal(np.sort(indexed), np.sort(ids)):
            raise StateError("the order clusters were indexed in is not of these clusters")
        order, clusters = indexed.tolist(), clusterer.clusters
        clusterer._indexed = dict.fromkeys(order)
        # `_post`, written out: it runs for every key of every open cluster (a default
        # dictionary makes a new term's posting in C: three times faster than `setdefault`)
        postings: defaultdict[str, dict[int, None]] = defaultdict(dict)
        for cid in order:
            for term in clusters[cid].keys:
                postings[term][cid] = None
        clusterer._postings = dict(postings)
        clusterer._next_id = integer(found["next_id"], max(ids.tolist(), default=0) + 1)
        clusterer._expired_at = time_from_state(found["expired_at"])
        clusterer.clock = time_from_state(found["clock"])
        clusterer.candidates_scored = integer(found["candidates_scored"])
        return clusterer

    def tick(self, when: datetime | None) -> datetime | None:
        """Move the stream's clock on to ``when`` (undated: left as it is); the clock."""
        if when is not None and (self.clock is None or when > self.clock):
            self.clock = when
        return self.clock

    def _expire(self) -> None:
        now = self.clock
        if now is None:
            return  # nothing dated yet: no time has passed
        if self._expired_at is not None and now - self._expired_at < self.window / 20:
            return  # expiry scans live clusters: do it as time moves on, not per article
        self._expired_at = now
        stale = []
        for cluster in self.clusters.values():
            if cluster.seen is None:
                cluster.seen = now  # joined before anything dated came: ages from here
            elif now - cluster.seen > self.window:
                stale.append(cluster)
        for cluster in stale:
            self._unindex(cluster)
            del self.clusters[cluster.id]

    def _unindex(self, cluster: Cluster) -> None:
        self._indexed.pop(cluster.id, None)
        for term in cluster.keys:
            posting = self._postings.get(term)
            if posting is not None:
                posting.pop(cluster.id, None)
                if not posting:
                    del self._postings[term]
        cluster.keys = []

    def _index(self, cluster: Cluster, force: bool = False) -> None:
        # A cluster's heaviest terms settle as it grows: re-index it after each of its first
        # members, then each time it has grown by an eighth, so a large story is not re-sorted
        # on every article.
        if not force and cluster.keys and cluster.size - cluster.indexed_at < cluster.size // 8:
            return
        self._unindex(cluster)
        if len(cluster.total) > self.max_terms:
            kept = top_terms(cluster.total, self.max_terms)
            cluster.total = {term: cluster.total[term] for term in kept}
            cluster.sumsq, cluster.namesq = _squares(cluster.total)
        cluster.keys = top_terms(cluster.total, self.index_terms)
        cluster.indexed_at = cluster.size
        self._post(cluster)

    def _post(self, cluster: Cluster) -> None:
        """List the cluster last under each of its keys."""
        self._indexed[cluster.id] = None
        for term in cluster.keys:
            self._postings.setdefault(term, {})[cluster.id] = None

    def candidates(self, vector: Vector) -> set[int]:
        """Open clusters indexed under one of the heaviest terms of ``vector``."""
        found: set[int] = set()
        for term in top_terms(vector, self.query_terms):
            posting = self._postings.get(term)
            if posting:  # the most recently indexed clusters, when a term is everywhere
                found.update(islice(reversed(posting), self.max_postings))
        return found

    def ranked(self, vector: Vector, when: datetime | None) -> list[Match]:
        """Open clusters that share a heavy term with ``vector``, best (decayed) score first.

        A dated article is scored against clusters whose dated span lies within the window of
        it, losing ``decay`` per window of time outside that span; an undated article, or a
        cluster with no dated member, is scored by content alone."""
        self.tick(when)
        self._expire()
        window = self.window.total_seconds()
        scored = []
        for cluster_id in self.candidates(vector):
            cluster = self.clusters[cluster_id]
            gap = None if when is None else cluster.gap(when)
            if gap is not None and gap > self.window:
                continue  # out of the window (not expired yet)
            score, names = cluster.similarity(vector)
            if gap is not None:
                score -= self.decay * min(gap.total_seconds() / window, 1.0)
            scored.append(Match(cluster_id, score, names, gap is None))
            self.candidates_scored += 1
        return sorted(scored, key=lambda m: (-m.score, m.id))

    def best(self, vector: Vector, when: datetime | None) -> tuple[int | None, float]:
        """The best open cluster for ``vector`` and its (decayed) score, from the index only."""
        ranked = self.ranked(vector, when)
        return (ranked[0].id, ranked[0].score) if ranked else (None, 0.0)

    def join(self, cluster_id: int, vector: Vector, when: datetime | None) -> None:
        """Add an article to ``cluster_id`` (created when new: ids may come from a store);
        ``when`` None for an undated article."""
        clock = self.tick(when)
        cluster = self.clusters.get(cluster_id)
        if cluster is None:
            cluster = self.clusters[cluster_id] = Cluster(cluster_id, when, when, seen=clock)
            self._next_id = max(self._next_id, cluster_id + 1)
        cluster.add(vector, when, clock)
        self._index(cluster)

    def merge(self, source: int, target: int) -> None:
        """Fold cluster ``source`` into ``target`` (both open)."""
        gone = self.clusters.pop(source)
        self._unindex(gone)
        cluster = self.clusters[target]
        for term, value in gone.total.items():
            cluster.total[term] = cluster.total.get(term, 0.0) + value
        cluster.size += gone.size
        firsts = [t for t in (cluster.first, gone.first) if t is not None]
        lasts = [t for t in (cluster.last, gone.last) if t is not None]
        cluster.first, cluster.last = min(firsts, default=None), max(lasts, default=None)
        seen = [t for t in (cluster.seen, gone.seen) if t is not None]
        cluster.seen = max(seen, default=None)
        cluster.sumsq, cluster.namesq = _squares(cluster.total)
        self._index(cluster, force=True)

    def place(self, vector: Vector, when: datetime | None) -> tuple[int, bool, float]:
        """Put an article in its cluster: (cluster id, whether it is new, score)."""
        cluster_id, score = self.best(vector, when)
        created = cluster_id is None or score < self.threshold
        if created:
            cluster_id = self._next_id
        assert cluster_id is not None
        self.join(cluster_id, vector, when)
        return cluster_id, created, score
