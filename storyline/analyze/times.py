"""Analyze stage: find temporal expressions and normalise them against the publication date.

Values follow TimeML (TempEval-3): 2031-03-04, 2031-03, 2031-W10, 2031-SU, 199 (a decade),
P3D (a duration), PRESENT_REF. Expressions that need the publication date keep ``value`` None
when it is unknown: nothing is guessed. Weekdays and months without a year are placed before
the publication date unless the sentence looks ahead ("will", "next").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from storyline.clean.datelines import find_dates
from storyline.model import Span, TimeRef

MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
}
_MONTH_ABBR = {name[:3]: number for name, number in MONTHS.items()} | {"sept": 9}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
}
VAGUE = {"several", "few", "a few", "many", "some", "couple of", "a couple of", "coming", "past"}
UNITS = {
    "year": "Y",
    "month": "M",
    "week": "W",
    "day": "D",
    "hour": "H",
    "minute": "M",
    "decade": "Y",
    "century": "Y",
}
PARTS_OF_DAY = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}
# Cues that a sentence looks ahead. "would" is left out: reported speech about the past uses it.
_FUTURE = re.compile(
    r"\b(will|shall|'ll|next|plans? to|planned|scheduled|expected to|upcoming|going to|set to)\b",
    re.IGNORECASE,
)

_MONTH = (
    r"(?P<month>"
    + "|".join(
        [
            *MONTHS,
            "jan",
            "feb",
            "mar",
            "apr",
            "jun",
            "jul",
            "aug",
            "sept",
            "sep",
            "oct",
            "nov",
            "dec",
        ]
    )
    + r")\.?"
)
_NUM = r"(?P<n>\d+(?:\.\d+)?|" + "|".join(sorted(NUMBERS, key=len, reverse=True)) + r")"
_VAGUE = r"(?P<vague>several|a few|few|many|some|a couple of|couple of)"
_UNIT = r"(?P<unit>years?|months?|weeks?|days?|hours?|minutes?|decades?|centur(?:y|ies))"


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    kind: str
    value: str | None
    granularity: str | None
    derivation: str


Result = tuple[str, str | None, str | None, str]  # kind, value, granularity, derivation
Handler = Callable[[re.Match[str], date | None, str], Result | None]  # None: not a time


def _looks_ahead(context: str) -> bool:
    return bool(_FUTURE.search(context))


def _month_number(word: str) -> int:
    word = word.lower().rstrip(".")
    return MONTHS.get(word) or _MONTH_ABBR[word[:4] if word.startswith("sept") else word[:3]]


def _year_for_month(month: int, anchor: date, ahead: bool) -> int:
    if ahead:
        return anchor.year if month >= anchor.month else anchor.year + 1
    return anchor.year if month <= anchor.month else anchor.year - 1


def _unresolved() -> tuple[str | None, str]:
    return None, "unresolved: publication date unknown"


def _is_modal_may(m: re.Match[str]) -> bool:
    return m["month"].lower() == "may" and not m["month"][0].isupper()


def _month_day(m: re.Match[str], anchor: date | None, context: str) -> Result | None:
    if _is_modal_may(m):
        return None
    month, day = _month_number(m["month"]), int(m["day"])
    if m["year"]:
        return "DATE", f"{int(m['year']):04d}-{month:02d}-{day:02d}", "day", "stated"
    if anchor is None:
        return "DATE", *_unresolved()[:1], "day", _unresolved()[1]
    year = _year_for_month(month, anchor, _looks_ahead(context))
    try:
        date(year, month, day)
    except ValueError:
        return "DATE", None, "day", "invalid calendar date"
    return "DATE", f"{year:04d}-{month:02d}-{day:02d}", "day", "year from publication date"


def _month_only(m: re.Match[str], anchor: date | None, context: str) -> Result | None:
    if _is_modal_may(m):
        return None  # "may" the verb, not May
    month = _month_number(m["month"])
    if m["year"]:
        return "DATE", f"{int(m['year']):04d}-{month:02d}", "month", "stated"
    if anchor is None:
        value, how = _unresolved()
        return "DATE", value, "month", how
    year = _year_for_month(month, anchor, _looks_ahead(context))
    return "DATE", f"{year:04d}-{month:02d}", "month", "year from publication date"


def _relative_unit(m: re.Match[str], anchor: date | None, context: str) -> Result | None:
    which, unit = m["which"].lower(), m["unit"].lower()
    step = {
        "last": -1,
        "past": -1,
        "previous": -1,
        "this": 0,
        "current": 0,
        "next": 1,
        "coming": 1,
    }[which]
    granularity = unit if unit in ("year", "month", "week", "quarter") else "season"
    if anchor is None:
        value, how = _unresolved()
        return "DATE", value, granularity, how
    if unit == "year":
        return "DATE", f"{anchor.year + step:04d}", "year", "relative to publication"
    if unit == "month":
        index = anchor.year * 12 + anchor.month - 1 + step
        return "DATE", f"{index // 12:04d}-{index % 12 + 1:02d}", "month", "relative to publication"
    if unit == "week":
        iso = (anchor + timedelta(weeks=step)).isocalendar()
        return "DATE", f"{iso.year:04d}-W{iso.week:02d}", "week", "relative to publication"
    if unit == "quarter":
        index = anchor.year * 4 + (anchor.month - 1) // 3 + step
        return "DATE", f"{index // 4:04d}-Q{index % 4 + 1}", "quarter", "relative to publication"
    season = SEASONS[unit]
    year = anchor.year + step
    return "DATE", f"{year:04d}-{season}", "season", "relative to publication"


def _deictic_day(m: re.Match[str], anchor: date | None, context: str) -> Result | None:
    word = m[0].lower()
    if word in ("now", "currently", "at present", "the present"):
        return "DATE", "PRESENT_REF", None, "relative to publication"
    if word == "recently":
        return "DATE", "PAST_REF", None, "relative to publication"
    if anchor is None:
        value, how = _unresolved()
        return "DATE", value, "day", how
    offset = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}[word]
    day = anchor + timedelta(days=offset)
    if word == "tonight":
        return "TIME", f"{day.isoformat()}TNI", "day", "relative to publication"
    return "DATE", day.isoformat(), "day", "relative to publication"


def _weekday(m: re.Match[str], anchor: date | None, context: str) -> Result | None:
    target = WEEKDAYS.index(m["weekday"].lower())
    part = PARTS_OF_DAY.get((m["part"] or "").lower())
    kind = "TIME" if part else "DATE"
    if anchor is None:
        value, how = _unresolved()
        return kind, value, "day", how
    modifier = (m["mod"] or "").lower()
    ahead = modifier == "next" or (modifier != "last" and _looks_ahead(context))
    delta = (target - anchor.weekday()) % 7
    if ahead:
        day = anchor + timedelta(days=delta or 7 if modifier == "next" else delta)
    else:
        day = anchor - timedelta(days=(anchor.weekday() - target) % 7)
    value = day.isoformat() + (f"T{part}" if part else "")
    return kind, value, "day", "inferred from tense" if not modifier else "relative to publication"


def _ago(m: re.Match[str], anchor: date | None, context: str) -> Result | None:
    unit = m["unit"].lower().rstrip("s")
    if m["vague"] or unit not in ("year", "month", "week", "day", "decade"):
        return None
    amount = int(float(NUMBERS.get(m["n"].lower(), m["n"])))
    if anchor is None:
        value, how = _unresolved()
        return "DATE", value, unit, how
    if unit in ("year", "decade"):
        years = amount * (10 if unit == "decade" else 1)
        return "DATE", f"{anchor.year - years:04d}", "year", "relative to publication"
    if unit == "month":
        index = anchor.year * 12 + anchor.month - 1 - amount
        return "DATE", f"{index // 12:04d}-{index % 12 + 1:02d}", "month", "relative to publication"
    day = anchor - timedelta(days=amount * (7 if unit == "week" else 1))
    return "DATE", day.isoformat(), "day", "relative to publication"


def _quarter(m: re.Match[str], anchor: date | None, context: str) -> Result | None:
    number = {"first": 1, "second": 2, "third": 3, "fourth": 4}[m["ordinal"].lower()]
    if m["year"]:
        return "DATE", f"{m['year']}-Q{number}", "quarter", "stated"
    if anchor is None:
        value, how = _unresolved()
        return "DATE", value, "quarter", how
    current = (anchor.month - 1) // 3 + 1
    ahead = _looks_ahead(context)
    year = (
        anchor.year
        + (1 if ahead and number < current else 0)
        - (1 if not ahead and number > current else 0)
    )
    return "DATE", f"{year:04d}-Q{number}", "quarter", "year from publication date"


def _reference(m: re.Match[str], anchor: date | None, context: str) -> Result | None:
    word = " ".join(m[0].lower().split())
    if word in ("the future", "soon", "in the future"):
        return "DATE", "FUTURE_REF", None, "relative to publication"
    if word in ("the past", "previously", "formerly", "in the past"):
        return "DATE", "PAST_REF", None, "relative to publication"
    if word == "the weekend":
        if anchor is None:
            value, how = _unresolved()
            return "DATE", value, "week", how
        iso = anchor.isocalendar()
        return "DATE", f"{iso.year:04d}-W{iso.week:02d}-WE", "week", "relative to publication"
    return None


def _century(m: re.Match[str], anchor: date | None, context: str) -> Result | None:
    return "DATE", f"{int(m['n']) - 1:02d}", "century", "stated"


def _year(m: re.Match[str], anchor: date | None, context: str) -> Result | None:
    return "DATE", m["year"], "year", "stated"


def _decade(m: re.Match[str], anchor: date | None, context: str) -> Result | None:
    return "DATE", m["decade"][:3], "decade", "stated"


def _duration(m: re.Match[str], anchor: date | None, context: str) -> Result | None:
    unit = (
        m["unit"].lower().rstrip("s").replace("centurie", "century").replace("centuri", "century")
    )
    if m["vague"]:
        amount = "X"
    else:
        word = m["n"].lower()
        amount = str(NUMBERS.get(word, word))
        if unit == "decade":
            amount = str(int(float(amount) * 10)) if amount != "X" else "X"
        elif unit == "century":
            amount = str(int(float(amount) * 100)) if amount != "X" else "X"
    letter = UNITS[unit]
    prefix = "PT" if unit in ("hour", "minute") else "P"
    return "DURATION", f"{prefix}{amount}{letter}", None, "stated"


def _set(m: re.Match[str], anchor: date | None, context: str) -> Result | None:
    unit = (m["unit"] or "").lower().rstrip("s")
    word = m[0].lower()
    letter = {"daily": "D", "weekly": "W", "monthly": "M", "annually": "Y", "yearly": "Y"}.get(
        word, UNITS.get(unit, "D")
    )
    return "SET", f"P1{letter}", None, "stated"


def _part_of_day(m: re.Match[str], anchor: date | None, context: str) -> Result | None:
    which, part = m["which"].lower(), PARTS_OF_DAY[m["part"].lower()]
    if anchor is None:
        value, how = _unresolved()
        return "TIME", value, "day", how
    offset = {"this": 0, "yesterday": -1, "tomorrow": 1, "last": -1}[which]
    if which == "last" and part != "NI":
        return None  # "last morning" is not said; leave it to other rules
    day = anchor + timedelta(days=offset)
    return "TIME", f"{day.isoformat()}T{part}", "day", "relative to publication"


SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}


def _season(m: re.Match[str], anchor: date | None, context: str) -> Result | None:
    season = SEASONS[m["season"].lower()]
    after = context[context.find(m[0]) + len(m[0]) :].lstrip()
    if m["season"][0].isupper() and after[:1].isupper():
        return None  # "the Winter Olympics": a name, not a season
    if m["every"]:
        return "SET", f"XXXX-{season}", "season", "stated"
    if anchor is None:
        value, how = _unresolved()
        return "DATE", value, "season", how
    start = SEASON_START[season]
    year = anchor.year
    if _looks_ahead(context):
        year += 1 if start + 2 < anchor.month else 0
    elif start > anchor.month:
        year -= 1
    return "DATE", f"{year:04d}-{season}", "season", "year from publication date"


def _set_weekday(m: re.Match[str], anchor: date | None, context: str) -> Result | None:
    day = WEEKDAYS.index(m["weekday"].lower()) + 1
    return "SET", f"XXXX-WXX-{day}", None, "stated"


def _edge_of_period(m: re.Match[str], anchor: date | None, context: str) -> Result | None:
    unit = m["unit"].lower()
    if anchor is None:
        value, how = _unresolved()
        return "DATE", value, unit, how
    if unit == "month":
        return "DATE", f"{anchor.year:04d}-{anchor.month:02d}", "month", "relative to publication"
    if unit == "year":
        return "DATE", f"{anchor.year:04d}", "year", "relative to publication"
    iso = anchor.isocalendar()
    return "DATE", f"{iso.year:04d}-W{iso.week:02d}", "week", "relative to publication"


RULES: list[tuple[re.Pattern[str], Handler]] = [
    (
        re.compile(
            r"\b(?P<which>this|yesterday|tomorrow|last)\s+(?P<part>morning|afternoon|evening|night)\b",
            re.I,
        ),
        _part_of_day,
    ),
    (
        re.compile(
            r"\b(?:(?P<every>every|each)\s+|the\s+)(?P<season>spring|summer|autumn|winter)\b"
            r"(?!\s+of\b)",
            re.I,
        ),
        _season,
    ),
    (
        re.compile(
            r"\b(?:every|each)\s+(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|"
            r"sunday)\b",
            re.I,
        ),
        _set_weekday,
    ),
    (
        re.compile(
            r"\bthe\s+(?:start|beginning|end|middle)\s+of\s+(?:the|this)\s+(?P<unit>month|year|week)\b",
            re.I,
        ),
        _edge_of_period,
    ),
    (
        re.compile(
            rf"\b(?:(?:early|mid|late)[- ]?)?{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?"
            r"(?:,?\s+(?P<year>\d{4}))?\b",
            re.I,
        ),
        _month_day,
    ),
    (
        re.compile(
            rf"\b(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}"
            r"(?:,?\s+(?P<year>\d{4}))?\b",
            re.I,
        ),
        _month_day,
    ),
    (
        re.compile(
            rf"\b(?:the\s+(?:start|beginning|end|middle)\s+of\s+)?(?:(?:early|mid|late)[- ]?"
            rf"(?:last\s+)?)?{_MONTH}(?:,?\s+(?P<year>\d{{4}}))?\b",
            re.I,
        ),
        _month_only,
    ),
    (
        re.compile(
            r"\b(?:the\s+)?(?P<which>last|past|previous|this|current|next|coming)\s+"
            r"(?P<unit>year|month|week|quarter|spring|summer|autumn|fall|winter)\b",
            re.I,
        ),
        _relative_unit,
    ),
    (
        re.compile(
            r"\b(today|tonight|yesterday|tomorrow|now|currently|at present|recently)\b", re.I
        ),
        _deictic_day,
    ),
    (
        re.compile(
            r"\b(?P<mod>last|next|this)?\s*(?P<weekday>monday|tuesday|wednesday|thursday|"
            r"friday|saturday|sunday)(?:\s+(?P<part>morning|afternoon|evening|night))?\b",
            re.I,
        ),
        _weekday,
    ),
    (re.compile(r"\b(?:the\s+)?(?P<decade>1[89]\d0|20\d0)s\b", re.I), _decade),
    (re.compile(r"(?<![\d,.$€£-])\b(?P<year>1[89]\d\d|20\d\d)\b(?!\d|,\d|%|-\d|\.\d)"), _year),
    (
        re.compile(
            rf"\b(?:the\s+(?:past|last|next|coming)\s+)?(?:{_NUM}|{_VAGUE})\s+(?:more\s+)?"
            rf"{_UNIT}\b",
            re.I,
        ),
        _duration,
    ),
    (re.compile(rf"\b(?:{_NUM}|{_VAGUE})\s+{_UNIT}\s+(?:ago|earlier)\b", re.I), _ago),
    (
        re.compile(
            r"\b(?:the\s+)?(?P<ordinal>first|second|third|fourth)[- ]quarter"
            r"(?:\s+of\s+(?P<year>\d{4}))?\b",
            re.I,
        ),
        _quarter,
    ),
    (
        re.compile(
            r"\b(?:in\s+)?the\s+(?:future|past)\b|\b(?:soon|previously|formerly)\b|"
            r"\bthe\s+weekend\b",
            re.I,
        ),
        _reference,
    ),
    (re.compile(r"\b(?:the\s+)?(?P<n>\d{1,2})(?:st|nd|rd|th)\s+century\b", re.I), _century),
    (
        re.compile(
            r"\b(?:every|each)\s+(?P<unit>day|week|month|year|season)\b|"
            r"\b(?:daily|weekly|monthly|annually|yearly)\b",
            re.I,
        ),
        _set,
    ),
]


def _sentence_before(text: str, start: int, end: int) -> str:
    """The clause that governs an expression's tense: from its sentence start to just after it."""
    head = text[max(0, start - 120) : start]
    cut = max(head.rfind(". "), head.rfind("\n"), head.rfind("; "))
    return head[cut + 1 :] + text[start : end + 15]


def _candidates(text: str, anchor: date | None) -> list[_Found]:
    found = []
    for d in find_dates(text):
        start = d.start
        bracket = text.find("(", d.start, d.end)
        if bracket != -1:  # "Tuesday (01.25.2022)": the weekday is its own expression
            start = bracket + 1
        found.append(_Found(start, d.end, "DATE", d.value.date().isoformat(), "day", "stated"))
    for pattern, handler in RULES:
        for match in pattern.finditer(text):
            if not match.group(0).strip():
                continue
            start = match.start() + (len(match.group(0)) - len(match.group(0).lstrip()))
            result = handler(match, anchor, _sentence_before(text, start, match.end()))
            if result is not None:
                found.append(_Found(start, match.end(), *result))
    return found


def find_times(text: str, anchor: date | None, article_id: str = "") -> list[TimeRef]:
    """Temporal expressions in ``text``, normalised against ``anchor`` (the publication date)."""
    chosen: list[_Found] = []
    taken: list[tuple[int, int]] = []
    for cand in sorted(_candidates(text, anchor), key=lambda c: (-(c.end - c.start), c.start)):
        if any(cand.start < end and start < cand.end for start, end in taken):
            continue
        chosen.append(cand)
        taken.append((cand.start, cand.end))
    return [
        TimeRef(
            span=Span(article_id, c.start, c.end),
            text=text[c.start : c.end],
            value=c.value,
            granularity=c.granularity,
            derivation=c.derivation,
            kind=c.kind,
        )
        for c in sorted(chosen, key=lambda c: c.start)
    ]
