"""Assign stage: near-duplicate and republication detection with MinHash LSH over word shingles."""

from __future__ import annotations

import numpy as np
from datasketch import MinHash, MinHashLSH

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


class CopyIndex:
    """Finds stored articles whose text is a near copy of a new one."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lsh = MinHashLSH(threshold=settings.dedup_threshold, num_perm=settings.dedup_num_perm)
        self._signatures: dict[str, MinHash] = {}

    def add(self, article_id: str, minhash: MinHash) -> None:
        """Index an article's signature (once)."""
        if article_id not in self._signatures:
            self._lsh.insert(article_id, minhash)
            self._signatures[article_id] = minhash

    def remove(self, article_id: str) -> None:
        """Stop matching against an article (it turned out to be a copy itself)."""
        if self._signatures.pop(article_id, None) is not None:
            self._lsh.remove(article_id)

    def matches(self, minhash: MinHash) -> list[tuple[str, float]]:
        """Indexed articles at or above the copy threshold, most similar first."""
        found = []
        for article_id in self._lsh.query(minhash):
            similarity = float(minhash.jaccard(self._signatures[article_id]))
            if similarity >= self.settings.dedup_threshold:
                found.append((article_id, similarity))
        return sorted(found, key=lambda pair: (-pair[1], pair[0]))
