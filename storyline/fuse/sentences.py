"""Fuse stage: sentences of a clean text, as character spans, without a parser.

A briefing over a story of thousands of articles has to split them all in well under a second, so
sentences are cut by rule: at a full stop, question or exclamation mark (with any closing quotes
or brackets) followed by a space and a capital, a digit or an opening quote, unless the stop ends
a known abbreviation or an initial; and always at a line break.
"""

from __future__ import annotations

import re

# Words that end with a full stop without ending a sentence (lower-cased, without the stop).
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof gen lt col maj capt sgt cmdr adm gov sen rep rev st sr jr mt ft
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thurs fri sat sun
    no nos vol pp fig inc ltd co corp bros dept univ est approx vs etc al e.g i.e u.s u.k u.n
    a.m p.m d.c n.y l.a""".split()
)
_END = re.compile(r"""[.!?]+['"’”)\]]*(?:''|”)?\s+(?=["'“‘(\[]|``|[A-Z0-9])""")
_BREAK = re.compile(r"\n\s*")
_LAST_WORD = re.compile(r"([\w.]+)[.!?]*['\"’”)\]]*\s*$")


def _is_abbreviation(before: str) -> bool:
    match = _LAST_WORD.search(before)
    if match is None:
        return False
    word = match.group(1).lower().rstrip(".")
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "John F. Kennedy"
    return word in ABBREVIATIONS


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``, stripped of surrounding space."""
    spans: list[tuple[int, int]] = []
    for line in _lines(text):
        start = line[0]
        for match in _END.finditer(text, line[0], line[1]):
            stop = match.group(0).rstrip()
            if (
                stop.startswith(".")
                and len(stop) == 1
                and _is_abbreviation(text[start : match.start() + 1])
            ):
                continue
            spans.append((start, match.start() + len(stop)))
            start = match.end()
        spans.append((start, line[1]))
    return [_strip(text, s, e) for s, e in spans if text[s:e].strip()]


def _lines(text: str) -> list[tuple[int, int]]:
    lines, start = [], 0
    for match in _BREAK.finditer(text):
        lines.append((start, match.start()))
        start = match.end()
    lines.append((start, len(text)))
    return [(s, e) for s, e in lines if e > s]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# Double quote marks: openers, closers, and the straight mark that opens or closes by position;
# PTB-style `` and '' (as in DUC texts) open and close.
_MARK = re.compile(r"[“„«”»\"]|``|''")
_OPENS = frozenset(("“", "„", "«", "``"))
_CLOSES = frozenset(("”", "»", "''"))


def balanced(text: str) -> bool:
    """Whether every double quotation in ``text`` is opened and closed inside it: no closer
    without its opener, none left open."""
    open_ = False
    for match in _MARK.finditer(text):
        mark = match.group()
        if mark in _OPENS:
            if open_:
                return False
            open_ = True
        elif mark in _CLOSES:
            if not open_:
                return False
            open_ = False
        else:
            open_ = not open_
    return not open_


def sentence_units(text: str) -> list[tuple[int, int]]:
    """Sentences that are whole for a reader: `sentence_spans`, except that a sentence ending
    inside an open quotation is joined to the next one on its line, so a quote of several
    sentences is one unit. A quotation still open at a line's end (a quote that runs into the
    next paragraph, as news prints them) ends its unit there; `balanced` tells such units."""
    spans = sentence_spans(text)
    marks = [(m.start(), m.group()) for m in _MARK.finditer(text)]
    if not marks:
        return spans
    units: list[tuple[int, int]] = []
    open_ = False
    next_mark = 0
    for start, end in spans:
        if units and open_ and "\n" not in text[units[-1][1] : start]:
            units[-1] = (units[-1][0], end)
        else:
            units.append((start, end))
            open_ = False
        while next_mark < len(marks) and marks[next_mark][0] < start:
            next_mark += 1
        while next_mark < len(marks) and marks[next_mark][0] < end:
            mark = marks[next_mark][1]
            open_ = True if mark in _OPENS else False if mark in _CLOSES else not open_
            next_mark += 1
    return units
