"""A news stream where a third of the articles are republished copies, as in wire-heavy news.

Used by bench/throughput.py: after every two articles of the stream comes a copy of an article
seen earlier, under another outlet (so it is stored and analysed, not refused as a duplicate),
in turn: an exact copy; the outlet's own first paragraph (a dateline and credit) in place of
the original's first, or before it when the original is one paragraph; the last paragraph
changed (only originals of two or more paragraphs, else the copy is exact).
"""

from __future__ import annotations

import random

OUTLETS = ("harbour-times", "valley-post", "coast-daily", "metro-ledger", "river-herald")


def _copy(original: dict[str, str], n: int, rng: random.Random) -> dict[str, str]:
    outlet = OUTLETS[n % len(OUTLETS)]
    paragraphs = original["text"].split("\n\n")
    kind = n % 3
    own = f"({outlet.replace('-', ' ').title()}) This report was republished from the wires."
    if kind == 1:
        paragraphs = [own, *paragraphs[1:]] if len(paragraphs) > 1 else [own, *paragraphs]
    elif kind == 2 and len(paragraphs) > 1:
        paragraphs = [*paragraphs[:-1], f"{own} It was updated at {rng.randint(1, 12)} pm."]
    return {
        **original,
        "url": f"https://{outlet}.example/wire/{n}",
        "text": "\n\n".join(paragraphs),
    }


def republished_stream(originals: list[dict[str, str]], size: int) -> list[dict[str, str]]:
    """``size`` articles: two originals, then a republished copy of one seen so far, and so on."""
    rng = random.Random(11)
    rows: list[dict[str, str]] = []
    seen: list[dict[str, str]] = []
    source = iter(originals)
    while len(rows) < size:
        if len(rows) % 3 == 2 and seen:
            rows.append(_copy(rng.choice(seen), len(rows) // 3, rng))
            continue
        original = next(source)
        seen.append(original)
        rows.append(original)
    return rows
