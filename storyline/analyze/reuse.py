"""Paragraph reuse for the analysis stage: a paragraph parsed once is not parsed again.

Wire-heavy news republishes the same paragraphs under many outlets (exact copies, or copies with
an outlet's own first or last paragraph). spaCy parses each article paragraph by paragraph
(`storyline.analyze.nlp`), so a paragraph whose text was parsed before can take that parse
from here instead of going through the model again: the parse of a paragraph depends on its
text only, so an article assembled from reused paragraphs is parsed exactly as it would be
without reuse, and every layer (entities, quotes, claims, dates, events) gives the same result.

The cache is bounded by the number of tokens it holds (setting ``analysis_reuse_tokens``;
0 turns reuse off): least recently used paragraphs go first.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc


def paragraph_key(text: str) -> bytes:
    """The key a paragraph's parse is kept under: a 128-bit hash of its exact text."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class ParagraphCache:
    """Parses of paragraphs by text hash, least recently used first out, at most ``max_tokens``
    tokens in all (a paragraph longer than that is not kept)."""

    def __init__(self, max_tokens: int) -> None:
        self.max_tokens = max_tokens
        self.tokens = 0
        self.hits = 0  # paragraphs reused (counted by the parser: `nlp.parse_stream`)
        self.misses = 0  # paragraphs parsed
        self._docs: OrderedDict[bytes, Doc] = OrderedDict()

    def __len__(self) -> int:
        return len(self._docs)

    def get(self, key: bytes) -> Doc | None:
        """The parse kept under ``key`` (now the most recently used), or None."""
        doc = self._docs.get(key)
        if doc is not None:
            self._docs.move_to_end(key)
        return doc

    def put(self, key: bytes, doc: Doc) -> None:
        """Keep ``doc`` under ``key``, dropping the least recently used parses over the bound.
        The cached Doc must not be changed afterwards: callers hand out copies."""
        size = max(1, len(doc))
        if size > self.max_tokens or key in self._docs:
            return
        self._docs[key] = doc
        self.tokens += size
        while self.tokens > self.max_tokens:
            _, old = self._docs.popitem(last=False)
            self.tokens -= max(1, len(old))
