"""Assign stage: near-duplicate and republication detection with MinHash LSH over word shingles.

Two kinds of copy are found. A *near copy* shares most word shingles with an earlier article
(republished, re-titled, with spam lines added or paragraphs cut). A *same-facts* copy uses other
words but the same names and numbers in nearly the same proportion: a translation, or a close
rewrite of one report. Both are indexed with MinHash LSH, so a lookup costs the same however many
articles are indexed.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from itertools import chain
from typing import Any

import numpy as np
from datasketch import MinHash

from storyline.assign.columns import (
    StateError,
    array,
    counts,
    fields,
    integer,
    split,
    texts_from_state,
    texts_to_state,
)
from storyline.assign.streaming import STOP
from storyline.clean.meta import normalise_for_hash
from storyline.config import Settings

# Signatures are stored, so the hashing scheme is fixed rather than left to the library default.
SCHEME = "affine32"


def shingles(text: str, size: int) -> set[bytes]:
    """Overlapping runs of ``size`` normalised words (the whole text when it is shorter)."""
    words = normalise_for_hash(text).split()
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


@cache
def _permutations(num_perm: int) -> np.ndarray:
    return MinHash(num_perm=num_perm, scheme=SCHEME).permutations


def _empty(num_perm: int) -> MinHash:
    """A new MinHash; the permutations (the same for every one) are drawn once, not each time."""
    return MinHash(num_perm=num_perm, scheme=SCHEME, permutations=_permutations(num_perm))


def signature(text: str, settings: Settings) -> MinHash:
    """MinHash of the text's shingles."""
    minhash = _empty(settings.dedup_num_perm)
    minhash.update_batch(list(shingles(text, settings.dedup_shingle_words)))
    return minhash


def to_bytes(minhash: MinHash) -> bytes:
    """Serialise a MinHash for the store."""
    return np.asarray(minhash.hashvalues, dtype=np.uint64).tobytes()


def from_bytes(data: bytes, settings: Settings) -> MinHash | None:
    """A MinHash back from the store; None when it was made with another permutation count."""
    values = np.frombuffer(data, dtype=np.uint64)
    if len(values) != settings.dedup_num_perm:
        return None
    return MinHash(
        num_perm=settings.dedup_num_perm,
        hashvalues=values,
        scheme=SCHEME,
        permutations=_permutations(settings.dedup_num_perm),  # drawn once, not per article
    )


_FACT = re.compile(r"[^\W\d_][\w'’-]*|\d[\d,.]*\d|\d")


def fact_tokens(text: str) -> set[str]:
    """The names and numbers of a text: capitalised words that are not stop words, and numbers
    with their separators removed. Translations and rewrites keep these while words change."""
    found = set()
    for token in _FACT.findall(text):
        if token[0].isdigit():
            found.add(token.replace(",", "").rstrip("."))
        elif token[0].isupper() and token.lower() not in STOP:
            found.add(token.lower().replace("’", "'"))
    return found


def fact_signature(tokens: set[str], settings: Settings) -> MinHash:
    """MinHash of a text's names and numbers (its `fact_tokens`)."""
    minhash = _empty(settings.dedup_num_perm)
    minhash.update_batch([token.encode("utf-8") for token in tokens])
    return minhash


@cache
def banding(
    threshold: float, num_perm: int, weights: tuple[float, float] = (0.1, 0.9)
) -> tuple[int, int]:
    """LSH bands and rows per band for a Jaccard threshold: the split of ``num_perm`` hash values
    that minimises the weighted chance of false candidates below the threshold and of missed pairs
    above it. Weighted against missed pairs: the exact check removes false candidates later."""
    below, above = np.linspace(0.0, threshold, 201), np.linspace(threshold, 1.0, 201)
    best: tuple[float, int, int] | None = None
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            false_candidates = np.trapezoid(1 - (1 - below**rows) ** bands, below)
            missed = np.trapezoid((1 - above**rows) ** bands, above)
            error = float(weights[0] * false_candidates + weights[1] * missed)
            if best is None or error < best[0]:
                best = (error, bands, rows)
    assert best is not None
    return best[1], best[2]


_NO_TIME = np.iinfo(np.int64).min  # an article added without a time: never expires
_FLUSH = 1024  # articles gathered in a dictionary before they become a sorted run


class CopyIndex:
    """Finds indexed articles whose signature is at or above a Jaccard threshold of a new one.

    Banded MinHash LSH, stored compactly so that 60 days of a busy stream fit in memory: each
    article costs its band keys (8 bytes each, with a 4-byte reference) and its signature cut to
    16 bits a value (a false match between two cut values has probability 1/65,536, which moves a
    similarity estimate by about 10^-5). Band keys live in sorted NumPy runs merged like a
    log-structured tree, so a lookup is a binary search per run and memory stays a few hundred
    bytes per article rather than the kilobytes of a dictionary of sets.
    """

    def __init__(self, settings: Settings, threshold: float | None = None) -> None:
        self.threshold = settings.dedup_threshold if threshold is None else threshold
        self.num_perm = settings.dedup_num_perm
        self.bands, self.rows = banding(self.threshold, self.num_perm)
        rng = np.random.default_rng(20220124)
        self._multipliers = rng.integers(1, 2**62, size=self.rows, dtype=np.uint64) * 2 + 1
        self._salts = rng.integers(0, 2**63, size=self.bands, dtype=np.uint64)
        # Rows of these arrays are articles in the order added: row i holds sequence base + i.
        self._base = 0
        self._next = 0
        self._signatures = np.zeros((64, self.num_perm), dtype=np.uint16)
        self._times = np.full(64, _NO_TIME, dtype=np.int64)
        self._alive = np.zeros(64, dtype=bool)
        self._ids: list[str | None] = []
        self._sequence: dict[str, int] = {}
        self._expired_to = 0  # sequences before this were looked at by `expire`
        self._buffer: dict[int, list[int]] = {}
        self._buffered = 0
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []  # (sorted keys, sequences)

    def __len__(self) -> int:
        return len(self._sequence)

    def to_state(self) -> dict[str, Any]:
        """The index as data (`columns`): the rows still held, the ids of the articles still
        indexed, the recent keys and the sorted runs. The hashing constants are not saved: the
        settings the snapshot was made under give the same ones."""
        rows = self._next - self._base
        buffer, runs = self._buffer, self._runs
        return {
            "base": self._base,
            "next": self._next,
            "expired_to": self._expired_to,
            "signatures": self._signatures[:rows],
            "times": self._times[:rows],
            "alive": self._alive[:rows].astype(np.uint8),
            "ids": texts_to_state([i for i in self._ids if i is not None]),
            "buffer_keys": np.fromiter(buffer, dtype=np.uint64, count=len(buffer)),
            "buffer_counts": np.fromiter(map(len, buffer.values()), np.int64, len(buffer)),
            "buffer_sequences": np.fromiter(chain.from_iterable(buffer.values()), np.int64),
            "buffered": self._buffered,
            "run_sizes": np.array([len(keys) for keys, _ in runs], dtype=np.int64),
            "run_keys": np.concatenate([np.zeros(0, np.uint64)] + [k for k, _ in runs]),
            "run_sequences": np.concatenate([np.zeros(0, np.int64)] + [s for _, s in runs]),
        }

    @classmethod
    def from_state(cls, settings: Settings, threshold: float | None, state: object) -> CopyIndex:
        """An index (made as ``CopyIndex(settings, threshold)``) holding what `to_state` saved;
        `columns.StateError` when ``state`` is not that."""
        found = fields(
            state, "base", "next", "expired_to", "signatures", "times", "alive", "ids",
            "buffer_keys", "buffer_counts", "buffer_sequences", "buffered", "run_sizes",
            "run_keys", "run_sequences",
        )  # fmt: skip
        index = cls(settings, threshold)
        base = integer(found["base"])
        end = integer(found["next"], base)
        rows = end - base
        signatures = array(found["signatures"], "<u2", rows, index.num_perm)
        alive = array(found["alive"], "|u1", rows)
        if len(alive) and int(alive.max()) > 1:
            raise StateError("an article neither indexed nor dropped")
        held = np.flatnonzero(alive)
        ids = texts_from_state(found["ids"], len(held))
        sequence = dict(zip(ids, (held + base).tolist(), strict=True))
        if len(sequence) != len(ids):
            raise StateError("an article indexed twice")
        keys = array(found["buffer_keys"], "<u8")
        sequences = array(found["buffer_sequences"], "<i8")
        buffer = dict(zip(keys.tolist(), split(sequences.tolist(), counts(
            found["buffer_counts"], len(sequences), len(keys)
        )), strict=True))  # fmt: skip
        run_keys = array(found["run_keys"], "<u8")
        run_sequences = array(found["run_sequences"], "<i8", len(run_keys))
        sizes = counts(found["run_sizes"], len(run_keys))
        # Copied: views would keep the whole file's buffer alive for as long as the runs last.
        runs = [
            (k.copy(), q.copy())
            for k, q in zip(split(run_keys, sizes), split(run_sequences, sizes), strict=True)
        ]
        if len(buffer) != len(keys) or not all((k[1:] >= k[:-1]).all() for k, _ in runs):
            raise StateError("recent keys saved twice, or a run out of order")
        if any(len(s) and (s.min() < 0 or s.max() >= end) for s in (sequences, run_sequences)):
            raise StateError("a key of an article never indexed")
        # Room for a quarter more before the arrays grow: how much there was does not matter.
        capacity = max(64, rows + rows // 4)
        index._signatures = np.zeros((capacity, index.num_perm), dtype=np.uint16)
        index._signatures[:rows] = signatures
        index._times = np.full(capacity, _NO_TIME, dtype=np.int64)
        index._times[:rows] = array(found["times"], "<i8", rows)
        index._alive = np.zeros(capacity, dtype=bool)
        index._alive[:rows] = alive.astype(bool)
        slots = np.full(rows, None, dtype=object)  # each id put in its row in C
        slots[held] = ids
        index._ids = slots.tolist()
        index._base, index._next, index._sequence = base, end, sequence
        index._expired_to = integer(found["expired_to"])
        if index._expired_to > end:
            raise StateError("expired up to an article never indexed")
        index._buffer, index._buffered = buffer, integer(found["buffered"])
        index._runs = runs
        return index

    def _keys(self, minhash: MinHash) -> np.ndarray:
        values = np.asarray(minhash.hashvalues[: self.bands * self.rows], dtype=np.uint64)
        # Array arithmetic on uint64 wraps around silently: a multiply-add hash of each band.
        mixed = (values.reshape(self.bands, self.rows) * self._multipliers).sum(axis=1)
        return mixed ^ self._salts

    def add(self, article_id: str, minhash: MinHash, when: datetime | None = None) -> None:
        """Index an article's signature (once); ``when`` lets `expire` drop it later."""
        if article_id in self._sequence:
            return
        if self._next - self._base == len(self._alive):
            self._make_room()
        sequence, row = self._next, self._next - self._base
        self._next += 1
        self._signatures[row] = np.asarray(minhash.hashvalues, dtype=np.uint64).astype(np.uint16)
        self._times[row] = _NO_TIME if when is None else int(when.timestamp())
        self._alive[row] = True
        self._ids.append(article_id)
        self._sequence[article_id] = sequence
        for key in self._keys(minhash).tolist():
            self._buffer.setdefault(key, []).append(sequence)
        self._buffered += 1
        if self._buffered >= _FLUSH:
            self._flush()

    def _make_room(self) -> None:
        """Drop leading rows of articles no longer indexed; grow the arrays if still full."""
        alive = np.flatnonzero(self._alive[: self._next - self._base])
        drop = int(alive[0]) if len(alive) else self._next - self._base
        size = self._next - self._base - drop
        capacity = len(self._alive) if size < len(self._alive) // 2 else 2 * len(self._alive)
        signatures = np.zeros((capacity, self.num_perm), dtype=np.uint16)
        times = np.full(capacity, _NO_TIME, dtype=np.int64)
        alive_now = np.zeros(capacity, dtype=bool)
        signatures[:size] = self._signatures[drop : drop + size]
        times[:size] = self._times[drop : drop + size]
        alive_now[:size] = self._alive[drop : drop + size]
        self._signatures, self._times, self._alive = signatures, times, alive_now
        del self._ids[:drop]
        self._base += drop

    def _living(self, sequences: np.ndarray) -> np.ndarray:
        rows = sequences - self._base
        inside = rows >= 0
        return inside & self._alive[np.where(inside, rows, 0)]

    def _flush(self) -> None:
        """Turn the dictionary of recent keys into a sorted run; merge runs of similar size."""
        if not self._buffer:
            return
        keys = np.fromiter(
            (key for key, seqs in self._buffer.items() for _ in seqs), dtype=np.uint64
        )
        sequences = np.fromiter(
            (seq for seqs in self._buffer.values() for seq in seqs), dtype=np.int64
        )
        order = np.argsort(keys, kind="stable")
        self._runs.append((keys[order], sequences[order]))
        self._buffer, self._buffered = {}, 0
        while len(self._runs) >= 2 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            (keys_a, seqs_a), (keys_b, seqs_b) = self._runs.pop(-2), self._runs.pop()
            keys, sequences = np.concatenate([keys_a, keys_b]), np.concatenate([seqs_a, seqs_b])
            keep = self._living(sequences)  # entries of expired and removed articles go here
            keys, sequences = keys[keep], sequences[keep]
            order = np.argsort(keys, kind="stable")
            self._runs.append((keys[order], sequences[order]))

    def expire(self, before: datetime) -> None:
        """Forget articles added with a time before ``before``, in the order they were added,
        up to the first one that is not old enough (articles added without a time stay)."""
        start, end = max(self._expired_to, self._base) - self._base, self._next - self._base
        times = self._times[start:end]
        dated = times != _NO_TIME
        recent = np.flatnonzero(dated & (times >= int(before.timestamp())))
        stop = int(recent[0]) if len(recent) else len(times)
        for offset in np.flatnonzero(dated[:stop] & self._alive[start : start + stop]).tolist():
            self.remove(self._ids[start + offset] or "")
        self._expired_to = self._base + start + stop

    def remove(self, article_id: str) -> None:
        """Stop matching against an article (it turned out to be a copy itself)."""
        sequence = self._sequence.pop(article_id, None)
        if sequence is not None:
            self._alive[sequence - self._base] = False
            self._ids[sequence - self._base] = None

    def matches(self, minhash: MinHash) -> list[tuple[str, float]]:
        """Indexed articles at or above the copy threshold, most similar first."""
        keys = self._keys(minhash)
        found: list[int] = []
        for key in keys.tolist():
            found.extend(self._buffer.get(key, ()))
        for run_keys, run_sequences in self._runs:
            low = np.searchsorted(run_keys, keys, side="left")
            high = np.searchsorted(run_keys, keys, side="right")
            for start, end in zip(low.tolist(), high.tolist(), strict=True):
                found.extend(run_sequences[start:end].tolist())
        if not found:
            return []
        sequences = np.unique(np.asarray(found, dtype=np.int64))
        sequences = sequences[self._living(sequences)]
        rows = sequences - self._base
        mine = np.asarray(minhash.hashvalues, dtype=np.uint64).astype(np.uint16)
        similarity = (self._signatures[rows] == mine).mean(axis=1)
        matched = [
            (self._ids[row] or "", float(value))
            for row, value in zip(rows.tolist(), similarity.tolist(), strict=True)
            if value >= self.threshold
        ]
        return sorted(matched, key=lambda pair: (-pair[1], pair[0]))
