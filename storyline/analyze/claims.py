"""Numeric claims: how many of what, with approximation, ranges, units and who claims it.

"some 13,000 soldiers", "an estimated 100,000 troops", "800 battle tanks and armored vehicles",
"$4.5 billion", "between 3,000 and 5,000 refugees", "thousands of combat troops". Dates, times,
ordinals and numbers inside names are not claims; a bare number that counts nothing and has no
unit is dropped, and so are small counts of nouns that build sentences rather than count things
("two parties", "one table": storyline/data/claims.toml). Coordinated quantities are one claim
each ("13,000 soldiers and another 3,500 paratroopers"), so is a part and its whole ("600 of its
1,500 soldiers"); "the 5,000-strong Rapid Reaction Force" counts the force. The claimant is the
speaker of the quote the number sits in, or the source named by "according to" in its sentence.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING

from storyline.analyze.nlp import Parsed
from storyline.counted import CountedVocabulary, load_vocabulary
from storyline.model import Claim, Quote, Span, TimeRef

if TYPE_CHECKING:
    from spacy.tokens import Token

WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "dozen": 12, "a": 1,
}  # fmt: skip
SCALES = {
    "hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000,
    "trillion": 1_000_000_000_000, "bn": 1_000_000_000, "m": 1_000_000, "k": 1_000,
}  # fmt: skip
VAGUE_MEASURES = {"few", "several"}  # only before a unit: "a few kilometres"
VAGUE_SCALES = {"few", "several", "many"}  # before "hundred", "thousand": no quantity stated
VAGUE = {"dozens", "hundreds", "thousands", "millions", "billions", "scores", "tens"}
CURRENCY_SIGNS = {"$": "USD", "€": "EUR", "£": "GBP", "₽": "RUB", "¥": "JPY", "₴": "UAH"}
CURRENCY_WORDS = {
    "dollar": "USD", "dollars": "USD", "euro": "EUR", "euros": "EUR", "pound": "GBP",
    "pounds": "GBP", "ruble": "RUB", "rubles": "RUB", "rouble": "RUB", "roubles": "RUB",
    "hryvnia": "UAH", "hryvnias": "UAH", "yuan": "CNY", "yen": "JPY", "usd": "USD", "eur": "EUR",
}  # fmt: skip
UNIT_WORDS = {
    "percent": "%", "per cent": "%", "%": "%", "percentage points": "pp",
    "km": "km", "kilometres": "km", "kilometers": "km", "kilometre": "km", "kilometer": "km",
    "miles": "mi", "mile": "mi", "metres": "m", "meters": "m", "metre": "m", "meter": "m",
    "tonnes": "t", "tons": "t", "tonne": "t", "ton": "t",
    "square kilometres": "km2", "square kilometers": "km2", "barrels": "bbl", "hectares": "ha",
}  # fmt: skip
MONEY = set(CURRENCY_SIGNS.values()) | set(CURRENCY_WORDS.values())
DISTANCE_UNITS = {"km", "mi", "m", "km2", "ha"}
QUALIFIERS = [
    "an estimated", "estimated", "some", "about", "around", "roughly", "nearly", "almost",
    "approximately", "more than", "over", "up to", "at least", "fewer than", "less than",
    "as many as", "close to", "upwards of", "under", "at most", "no fewer than", "no more than",
    "just over", "just under", "well over", "tens of",
]  # fmt: skip
# "another 3,500 paratroopers", "an additional 1,200 troops": more of them, not an approximation.
LABEL_MARKS = {"number", "no", "no.", "#", "nr", "nr."}  # "the number 9 shirt": a label, no count
SKIP_ENTITY_TYPES = {"DATE", "TIME", "ORDINAL", "PERSON", "ORG", "FAC", "WORK_OF_ART", "LAW"}
_DIGITS = re.compile(r"^\d{1,3}(?:[,\u202f ]\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")


@dataclass(slots=True)
class _Number:
    first: Token
    last: Token
    value: float | None


def _value(tokens: list[Token]) -> float | None:
    """The number a run of tokens writes: "100,000", "4.5 billion", "three", "a dozen"."""
    total: float | None = None
    for tok in tokens:
        word = tok.lower_.replace(",", "").replace("\u202f", "")
        if _DIGITS.match(tok.text.replace("\u202f", ",")):
            total = float(word)
        elif word in SCALES and total is not None:
            total *= SCALES[word]
        elif word in SCALES and word in {"hundred", "thousand", "million", "billion"}:
            total = float(SCALES[word])
        elif word in WORD_NUMBERS:
            total = (
                (total or 0) + WORD_NUMBERS[word]
                if total and total < 100
                else float(WORD_NUMBERS[word])
            )
        else:
            return None
    return total


def _is_number_token(tok: Token) -> bool:
    word = tok.lower_
    if tok.ent_type_ in SKIP_ENTITY_TYPES:
        return False
    if _DIGITS.match(tok.text.replace("\u202f", ",")):
        return True
    if word in SCALES and word not in {"m", "k"}:
        return True
    return word in WORD_NUMBERS and word != "a" and tok.pos_ == "NUM"


def _numbers(tokens: list[Token]) -> list[_Number]:
    found: list[_Number] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if not _is_number_token(tok):
            nxt = tokens[i + 1].lower_ if i + 1 < len(tokens) else ""
            if tok.lower_ in VAGUE and nxt == "of":
                found.append(_Number(tok, tok, None))
            elif tok.lower_ in VAGUE_MEASURES and nxt in UNIT_WORDS:  # "a few kilometres"
                article = i > 0 and tokens[i - 1].lower_ == "a" and tok.lower_ == "few"
                found.append(_Number(tokens[i - 1] if article else tok, tok, None))
            i += 1
            continue
        j = i
        while (
            j + 1 < len(tokens)
            and _is_number_token(tokens[j + 1])
            and tokens[j + 1].i == tokens[j].i + 1
        ):
            j += 1
        before = tokens[i - 1].lower_ if i > 0 else ""
        if before in VAGUE_SCALES and all(t.lower_ in SCALES for t in tokens[i : j + 1]):
            article = i > 1 and tokens[i - 2].lower_ == "a" and before == "few"
            first = tokens[i - 2] if article else tokens[i - 1]
            found.append(_Number(first, tokens[j], None))  # "several hundred residents"
        else:
            found.append(_Number(tok, tokens[j], _value(tokens[i : j + 1])))
        i = j + 1
    return found


def _qualifier(first: Token) -> tuple[Token, str | None]:
    """The approximation words just before a number, and the token the claim starts at."""
    doc = first.doc
    for phrase in QUALIFIERS:
        size = len(phrase.split())
        begin = first.i - size
        if begin >= 0 and doc[begin : first.i].text.lower() == phrase:
            return doc[begin], phrase
    return first, None


@dataclass(slots=True)
class _Counted:
    """What a number counts: the words, the last token they reach and their head noun."""

    text: str | None
    end: Token | None
    head: Token | None


NOTHING = _Counted(None, None, None)


def _counted(number: _Number) -> _Counted:
    """What a number counts: its head noun with modifiers and coordinated nouns."""
    last = number.last
    doc = last.doc
    of = doc[last.i + 1] if last.i + 1 < len(doc) and doc[last.i + 1].lower_ == "of" else None
    if of is not None:
        pobj = next((c for c in of.children if c.dep_ == "pobj"), None)
        return _noun_phrase(of.i + 1, pobj) if pobj is not None else NOTHING
    if number.value is None and last.lower_ not in SCALES:
        return NOTHING  # "dozens" with no "of", "a few" before a unit
    if _hyphen_word(last) == "strong":  # "the 5,000-strong Rapid Reaction Force"
        strong = doc[last.i + 2]
        if strong.head.i > strong.i and strong.head.pos_ in {"NOUN", "PROPN"}:
            return _noun_phrase(strong.i + 1, strong.head)
        return NOTHING
    if _hyphen_word(last) is not None:
        return NOTHING  # "a 10-point plan", "a 30-year-old": a measure of a thing, not a count
    head = last.head if last.dep_ in {"nummod", "quantmod", "compound", "amod"} else None
    if head is None and last.dep_ == "conj" and last.head.dep_ in {"nummod", "quantmod"}:
        head = last.head.head  # "between 3,000 and 5,000 citizens": the range's noun
    if head is None or head.i <= last.i or head.pos_ not in {"NOUN", "PROPN"}:
        nxt = doc[last.i + 1] if last.i + 1 < len(doc) else None
        if nxt is not None and nxt.pos_ == "NOUN" and nxt.lower_ not in UNIT_WORDS:
            head = nxt
        else:
            return NOTHING
    return _noun_phrase(last.i + 1, head)


def _hyphen_word(last: Token) -> str | None:
    """The word joined to a number by a hyphen: "strong" in "5,000-strong", else None."""
    doc = last.doc
    if last.i + 2 < len(doc) and doc[last.i + 1].text in {"-", "‑"} and not last.whitespace_:
        return doc[last.i + 2].lower_
    return None


def _has_number(token: Token) -> bool:
    return any(c.dep_ == "nummod" or c.like_num for c in token.children if c.i < token.i)


def _noun_phrase(begin: int, head: Token) -> _Counted:
    doc = head.doc
    end = head
    for conj in head.conjuncts:
        if conj.i <= end.i or conj.pos_ not in {"NOUN", "PROPN"} or conj.i - end.i > 4:
            continue
        if _has_number(conj):
            break  # "13,000 soldiers and another 3,500 paratroopers": a claim of its own
        end = conj
    numbers = [i for i in range(begin, head.i) if doc[i].like_num]
    if numbers:  # "600 of its 1,500 soldiers" counts soldiers; 1,500 is a claim of its own
        begin = numbers[-1] + 1
    while begin < head.i and doc[begin].lower_ in UNIT_WORDS:
        begin += 1
    words = doc[begin : end.i + 1]
    text = words.text.strip()
    return _Counted(text or None, end, head)


def _unit(number: _Number) -> tuple[str | None, Token]:
    """Currency or measurement unit around a number, and the token the claim ends at so far."""
    doc = number.first.doc
    before = doc[number.first.i - 1] if number.first.i > 0 else None
    if before is not None and before.text in CURRENCY_SIGNS:
        return CURRENCY_SIGNS[before.text], number.last
    joined = _hyphen_word(number.last)
    if joined is not None and joined in UNIT_WORDS:  # "a 30-kilometre exclusion zone"
        return UNIT_WORDS[joined], doc[number.last.i + 2]
    after = doc[number.last.i + 1] if number.last.i + 1 < len(doc) else None
    if after is None:
        return None, number.last
    if after.i + 1 < len(doc):  # a two-word unit: "square kilometres"
        two = doc[after.i : after.i + 2].text.lower()
        if two in UNIT_WORDS:
            return UNIT_WORDS[two], doc[after.i + 1]
    if after.lower_ in UNIT_WORDS:
        return UNIT_WORDS[after.lower_], after
    if after.lower_ in CURRENCY_WORDS:
        return CURRENCY_WORDS[after.lower_], after
    return None, number.last


def _range(number: _Number, numbers: list[_Number]) -> tuple[_Number | None, bool]:
    """The upper end of "between 3,000 and 5,000", "from 10 to 20", "3,000-5,000"."""
    doc = number.last.doc
    nxt = doc[number.last.i + 1] if number.last.i + 1 < len(doc) else None
    if nxt is None or nxt.lower_ not in {"and", "to", "-", "–"}:
        return None, False
    first = (
        nxt.i + 2 if nxt.i + 1 < len(doc) and doc[nxt.i + 1].text in CURRENCY_SIGNS else nxt.i + 1
    )
    upper = next((n for n in numbers if n.first.i == first and n.value is not None), None)
    if upper is None:
        return None, False
    at = number.first.i - 1
    if at > 0 and doc[at].text in CURRENCY_SIGNS:
        at -= 1  # "between €1.5 billion and €2 billion"
    before = doc[at].lower_ if at >= 0 else ""
    if nxt.lower_ == "and" and before != "between":
        return None, False
    return upper, before in {"between", "from"}


def _in_time(start: int, end: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    """Whether [start, end) overlaps a temporal expression (spans sorted, non-overlapping)."""
    i = bisect_left(starts, end) - 1
    return i >= 0 and spans[i][1] > start


def _claimant(start: int, end: int, quotes: list[Quote], starts: list[int]) -> Quote | None:
    """The quote (sorted by start) that contains [start, end) and has a speaker."""
    last = bisect_right(starts, start)
    for quote in reversed(quotes[max(0, last - 8) : last]):
        if start >= quote.span.start and end <= quote.span.end + 1 and quote.speaker:
            return quote
    return None


def _money_for(end: Token) -> _Counted:
    """What a sum is for: "$300 million in aid" (the noun after "in")."""
    doc = end.doc
    after = doc[end.i + 1] if end.i + 1 < len(doc) else None
    if after is None or after.lower_ != "in":
        return NOTHING
    pobj = next((c for c in after.children if c.dep_ == "pobj"), None)
    if pobj is None or pobj.pos_ != "NOUN" or pobj.ent_type_ in SKIP_ENTITY_TYPES | {"DATE"}:
        return NOTHING
    return _noun_phrase(after.i + 1, pobj)


def _is_label(number: _Number) -> bool:
    """ "the number 9 shirt", "No. 10": a number used as a name, not a count."""
    doc = number.first.doc
    return number.first.i > 0 and doc[number.first.i - 1].lower_ in LABEL_MARKS


def _skipped(number: _Number, text_span: tuple[int, int], times: _Times) -> bool:
    """Numbers that are no claims: inside a date, years, clock times, "one of", labels."""
    if _in_time(*text_span, *times):
        return True
    doc = number.last.doc
    nxt = doc[number.last.i + 1] if number.last.i + 1 < len(doc) else None
    if nxt is not None and ("year" in nxt.lower_ or nxt.text in {":", "th", "st"}):
        return True
    if number.first.lower_ == "one" and nxt is not None and nxt.lower_ == "of":
        return True  # "one of the largest fines" counts nothing
    return _is_label(number)


_Times = tuple[list[tuple[int, int]], list[int]]


def find_claims(
    parsed: Parsed,
    article_id: str,
    times: list[TimeRef],
    quotes: list[Quote],
    vocabulary: CountedVocabulary | None = None,
) -> list[Claim]:
    """Numeric claims of one parsed article, in text order.

    ``vocabulary`` (default: storyline/data/claims.toml) says which small counts are no news.
    """
    vocab = vocabulary or load_vocabulary()
    claims: list[Claim] = []
    time_spans = sorted((t.span.start, t.span.end) for t in times)
    spans_and_starts: _Times = (time_spans, [a for a, _ in time_spans])
    ordered = sorted(quotes, key=lambda q: q.span.start)
    starts = [q.span.start for q in ordered]
    for offset, sent in parsed.sentences():
        tokens = list(sent)
        numbers = _numbers(tokens)
        skip: set[int] = set()
        for number in numbers:
            if number.first.i in skip:
                continue
            n_start = number.first.idx + offset
            n_end = number.last.idx + len(number.last.text) + offset
            if _skipped(number, (n_start, n_end), spans_and_starts):
                continue
            start_tok, qualifier = _qualifier(number.first)
            upper, range_marker = _range(number, numbers)
            anchor = number
            if upper is not None:
                skip.add(upper.first.i)
                anchor = upper
                if range_marker:
                    start_tok = number.first.doc[number.first.i - 1]
                    if start_tok.text in CURRENCY_SIGNS and start_tok.i > 0:
                        start_tok = start_tok.doc[start_tok.i - 1]  # "between €1.5 and €2 bn"
            unit, end_tok = _unit(anchor)
            if (
                unit
                and number.first.i > 0
                and number.first.doc[number.first.i - 1].text in CURRENCY_SIGNS
                and start_tok.i == number.first.i
            ):
                start_tok, qualifier = _qualifier(number.first.doc[number.first.i - 1])
            counted = (
                NOTHING
                if unit in DISTANCE_UNITS  # "a few kilometres of the river" counts no river
                else _counted(_Number(anchor.first, end_tok, anchor.value))
            )
            money_for = counted.text is None and unit in MONEY
            if money_for:  # what the sum is for is said, but the claim is the sum
                counted = _money_for(end_tok)
            if counted.text is None and unit is None:
                continue
            head = counted.head
            before = start_tok.doc[start_tok.i - 1].lower_ if start_tok.i > 0 else ""
            if (
                unit is None
                and head is not None
                and vocab.is_trivial(number.value, head.lemma_ or head.lower_, before)
            ):
                continue  # "two parties", "the two countries": how the sentence is built
            if counted.end is not None and counted.end.i > end_tok.i and not money_for:
                end_tok = counted.end
            start = start_tok.idx + offset
            end = end_tok.idx + len(end_tok.text) + offset
            approximate = qualifier is not None or number.value is None
            quote = _claimant(start, end, ordered, starts)
            claims.append(
                Claim(
                    Span(article_id, start, end),
                    number.value,
                    unit,
                    counted.text,
                    approximate,
                    parsed.text[start:end],
                    upper.value if upper else None,
                    qualifier or ("vague count" if number.value is None else None),
                    quote.speaker if quote else None,
                    quote.speaker_entity_id if quote else None,
                )
            )
    return claims
