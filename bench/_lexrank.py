"""LexRank (Erkan and Radev, 2004), the baseline the briefing is measured against.

Sentences are nodes; an edge joins two whose idf-modified cosine is at least 0.1; the score is the
stationary distribution of a random walk on that graph with damping 0.15. The top-scored
sentences are taken until the word budget is reached, in the order of their scores, as sumy's
implementation does. Only for benchmarks: storyline's briefing does not use it.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from storyline.fuse.briefing import content_tokens
from storyline.fuse.sentences import sentence_spans

THRESHOLD = 0.1
DAMPING = 0.15


def lexrank(documents: list[str], max_words: int) -> list[str]:
    """Sentences of ``documents`` chosen by LexRank, best first, up to ``max_words`` words."""
    sentences = [doc[s:e] for doc in documents for s, e in sentence_spans(doc)]
    sentences = [s for s in sentences if len(s.split()) >= 6]
    if not sentences:
        return []
    bags = [Counter(content_tokens(s)) for s in sentences]
    df = Counter(term for bag in bags for term in bag)
    idf = {term: math.log(len(bags) / count) for term, count in df.items()}
    vectors = [{t: c * idf[t] for t, c in bag.items()} for bag in bags]
    norms = [math.sqrt(sum(v * v for v in vec.values())) or 1.0 for vec in vectors]
    size = len(sentences)
    adjacency = np.zeros((size, size))
    for i in range(size):
        for j in range(i, size):
            small, large = sorted((vectors[i], vectors[j]), key=len)
            cosine = sum(v * large.get(t, 0.0) for t, v in small.items()) / (norms[i] * norms[j])
            if cosine >= THRESHOLD:
                adjacency[i, j] = adjacency[j, i] = 1.0
    degree = adjacency.sum(axis=1, keepdims=True)
    transition = adjacency / np.where(degree == 0, 1, degree)
    scores = np.full(size, 1.0 / size)
    for _ in range(100):
        updated = DAMPING / size + (1 - DAMPING) * transition.T @ scores
        if np.abs(updated - scores).sum() < 1e-6:
            scores = updated
            break
        scores = updated
    chosen, words = [], 0
    for index in np.argsort(-scores, kind="stable"):
        chosen.append(sentences[index])
        words += len(sentences[index].split())
        if words >= max_words:
            break
    return chosen
