"""Direct quotations found by their marks: “…”, "…", «…», „…“, ‘…’, ‹…›, ''…''.

A quote continued over paragraphs (the opening mark repeated at each paragraph's start, the closing
one only at the end) gives one segment per paragraph. A stray opening mark that never closes is
ignored rather than allowed to swallow the rest of the article. Apostrophes are not quote marks.
"""

from __future__ import annotations

from dataclasses import dataclass

PAIRS = {"“": "”", "«": "»", "„": "“”", "‘": "’", "‹": "›", '"': '"', "»": "«"}
OPENERS_AFTER = set(" \t\n([{—–-:/") | {""}
TWO_APOSTROPHES = "''"


@dataclass(frozen=True, slots=True)
class Segment:
    """The text inside one pair of quote marks: text[start:end] excludes the marks."""

    start: int
    end: int
    mark: str
    continued: bool = False  # runs on into the next paragraph

    @property
    def width(self) -> int:
        """Characters in each of its marks: 2 for '' (two apostrophes), else 1."""
        return len(self.mark)


def _is_opener(text: str, i: int) -> bool:
    ch = text[i]
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    if not after or after.isspace():
        return False
    if ch in {"‘", '"', "»"}:
        return before in OPENERS_AFTER or before in '“"«„'
    return True


def _is_closer(text: str, j: int, mark: str, limit: int) -> bool:
    after = text[j + 1] if j + 1 < len(text) else ""
    if mark in {"’", "'", '"'}:
        if after.isalnum():
            return False  # "Moscow’s": an apostrophe, not an end
        before = text[j - 1] if j > 0 else ""
        if mark != '"' and before in "sS" and text[j + 2 : j + 3].islower():
            # "the allies’ tanks": a plural possessive, when the quote closes later
            return text.find(mark, j + 1, limit) == -1
    return True


def _find_close(text: str, start: int, limit: int, opener: str) -> int:
    closers = PAIRS[opener]
    j = start
    while j < limit:
        if text[j] in closers and _is_closer(text, j, text[j], limit):
            return j
        if text[j] == opener and opener not in closers and _is_opener(text, j):
            return -1  # a second opening mark first: the earlier one is stray
        j += 1
    return -1


def _paragraphs(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for line in text.split("\n"):
        spans.append((start, start + len(line)))
        start += len(line) + 1
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _two_apostrophes(
    text: str, i: int, p_end: int, paragraphs: list[tuple[int, int]], index: int
) -> Segment | None:
    """A quote marked with two apostrophes (''…'', as some newspapers' archives write it)."""
    before = text[i - 1] if i > 0 else ""
    after = text[i + 2] if i + 2 < len(text) else ""
    if before not in OPENERS_AFTER or not after or after.isspace():
        return None
    close = text.find(TWO_APOSTROPHES, i + 2, p_end)
    if close != -1:
        return Segment(i + 2, close, TWO_APOSTROPHES) if text[i + 2 : close].strip() else None
    following = paragraphs[index + 1][0] if index + 1 < len(paragraphs) else None
    if following is not None and text.startswith(TWO_APOSTROPHES, following):
        end = p_end
        while end > i + 2 and text[end - 1].isspace():
            end -= 1
        return Segment(i + 2, end, TWO_APOSTROPHES, continued=True)
    return None


def find_segments(text: str) -> list[Segment]:
    """Every quoted segment in ``text``, in order."""
    segments: list[Segment] = []
    paragraphs = _paragraphs(text)
    for index, (p_start, p_end) in enumerate(paragraphs):
        i = p_start
        while i < p_end:
            ch = text[i]
            if ch == "'" and text.startswith(TWO_APOSTROPHES, i):
                found = _two_apostrophes(text, i, p_end, paragraphs, index)
                if found is not None:
                    segments.append(found)
                    if found.continued:
                        break
                    i = found.end + 2
                else:
                    i += 2
                continue
            if ch not in PAIRS or not _is_opener(text, i):
                i += 1
                continue
            close = _find_close(text, i + 1, p_end, ch)
            if close != -1:
                if text[i + 1 : close].strip():
                    segments.append(Segment(i + 1, close, ch))
                i = close + 1
                continue
            following = paragraphs[index + 1][0] if index + 1 < len(paragraphs) else None
            if following is not None and text[following] == ch:
                end = p_end
                while end > i + 1 and text[end - 1].isspace():
                    end -= 1
                segments.append(Segment(i + 1, end, ch, continued=True))
                break
            i += 1  # unbalanced: not a quote
    return segments
