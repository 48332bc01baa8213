"""Assign stage: near-duplicate and republication detection with MinHash LSH over word shingles.

Two kinds of copy are found. A *near copy* shares most word shingles with an earlier article
(republished, re-titled, with spam lines added or paragraphs cut). A *same-facts* copy uses other
words but the same names and numbers in nearly the same proportion: a translation, or a close
rewrite of one report. Both are indexed with MinHash LSH, so a lookup costs the same however many
articles are indexed.
"""

from __future__ import annotations

import re
from collections import deque
from datetime import datetime

import numpy as np
from datasketch import MinHash, MinHashLSH

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


def signature(text: str, settings: Settings) -> MinHash:
    """MinHash of the text's shingles."""
    minhash = MinHash(num_perm=settings.dedup_num_perm, scheme=SCHEME)
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
    return MinHash(num_perm=settings.dedup_num_perm, hashvalues=values, scheme=SCHEME)


_FACT = re.compile(r"[^\W\d_][\w'’-]*|\d[\d,.]*\d|\d")


def fact_tokens(text: str) -> set[str]:
    """The names and numbers of a text: capitalised words that are not stop words, and numbers
    with their separators removed. Translations and rewrites keep these while words change."""
    found = set()
    for match in _FACT.finditer(text):
        token = match.group(0)
        if token[0].isdigit():
            found.add(token.replace(",", "").rstrip("."))
        elif token[0].isupper() and token.lower() not in STOP:
            found.add(token.lower().replace("’", "'"))
    return found


def fact_signature(tokens: set[str], settings: Settings) -> MinHash:
    """MinHash of a text's names and numbers (its `fact_tokens`)."""
    minhash = MinHash(num_perm=settings.dedup_num_perm, scheme=SCHEME)
    minhash.update_batch([token.encode("utf-8") for token in tokens])
    return minhash


class CopyIndex:
    """Finds indexed articles whose signature is at or above a Jaccard threshold of a new one."""

    def __init__(self, settings: Settings, threshold: float | None = None) -> None:
        self.settings = settings
        self.threshold = settings.dedup_threshold if threshold is None else threshold
        # Weighted against missed pairs: more, narrower bands offer a pair near the threshold as a
        # candidate almost always; the exact check below then removes the extra candidates.
        self._lsh = MinHashLSH(
            threshold=self.threshold, num_perm=settings.dedup_num_perm, weights=(0.1, 0.9)
        )
        self._signatures: dict[
            str, np.ndarray
        ] = {}  # hash values only: a MinHash is 3 times larger
        self._added: deque[tuple[datetime, str]] = deque()  # for expiry, oldest first

    def __len__(self) -> int:
        return len(self._signatures)

    def add(self, article_id: str, minhash: MinHash, when: datetime | None = None) -> None:
        """Index an article's signature (once); ``when`` lets `expire` drop it later."""
        if article_id not in self._signatures:
            self._lsh.insert(article_id, minhash)
            self._signatures[article_id] = minhash.hashvalues
            if when is not None:
                self._added.append((when, article_id))

    def expire(self, before: datetime) -> None:
        """Forget articles added with a time before ``before`` (in the order they were added)."""
        while self._added and self._added[0][0] < before:
            self.remove(self._added.popleft()[1])

    def remove(self, article_id: str) -> None:
        """Stop matching against an article (it turned out to be a copy itself)."""
        if self._signatures.pop(article_id, None) is not None:
            self._lsh.remove(article_id)

    def matches(self, minhash: MinHash) -> list[tuple[str, float]]:
        """Indexed articles at or above the copy threshold, most similar first."""
        found = []
        for article_id in self._lsh.query(minhash):
            similarity = float(np.mean(minhash.hashvalues == self._signatures[article_id]))
            if similarity >= self.threshold:
                found.append((article_id, similarity))
        return sorted(found, key=lambda pair: (-pair[1], pair[0]))
