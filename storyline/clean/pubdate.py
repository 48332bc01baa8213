"""Clean stage: an article's publication date from the best evidence it carries.

Evidence, best first: the source's own field (a JSONL ``published``, a feed entry's date), the
page's metadata, a date in the URL (``/2022/01/27/``), a dateline or an "Updated:" stamp at the
top of the text, then a date the text gives for itself ("this Tuesday (01.25.2022)"). Each date
records where it came from (``published_source``) and how sure it is (``published_confidence``).
An article with none of them is left undated: the time storyline fetched or ingested it says when
it was seen, not when it appeared, and is never used in its place.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from urllib.parse import unquote, urlsplit

from storyline.clean.datelines import FoundDate, find_dates
from storyline.model import Article, DateConfidence

_HEAD_CHARS = 1500
UNDATED_REASON = (
    "no publication date in the record, the page's metadata, the URL, a dateline or the text"
)

# The agency dateline form "this Tuesday (01.25.2022)": a weekday with a numeric date in brackets.
# A weekday beside a written-out date ("will meet on Monday, March 3") is an event, not a dateline.
_WEEKDAY_DATELINE = re.compile(
    r"\b(this|on|last)?\s*[A-Z][a-z]+day\s*\(\d{1,2}[./]\d{1,2}[./]\d{4}\)"
)

# Dates in URL paths: /2022/01/27/, /2022-01-27-, _20220127. (A compact date must stand between
# separators, so a long numeric id is not read as one.)
_URL_DATES = (
    re.compile(r"(?<![\d])(?P<y>(?:19|20)\d\d)/(?P<m>[01]?\d)/(?P<d>[0-3]?\d)(?=/|$|[-_.])"),
    re.compile(r"(?<![\d])(?P<y>(?:19|20)\d\d)[-_](?P<m>[01]\d)[-_](?P<d>[0-3]\d)(?![\d])"),
    re.compile(r"(?<=[/_.,-])(?P<y>(?:19|20)\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)(?=[/_.,-]|$)"),
)

# Where a date read by an ingest reader or the HTML extractor came from, and how far to trust it.
_SOURCE_CONFIDENCE = {
    "record": DateConfidence.HIGH,
    "feed": DateConfidence.HIGH,
    "html-meta": DateConfidence.HIGH,
    "url": DateConfidence.MEDIUM,
    "dateline": DateConfidence.MEDIUM,
    "weekday-date in text": DateConfidence.MEDIUM,
}


def confidence_of(source: str | None) -> DateConfidence | None:
    """How sure a date from ``source`` (a ``published_source`` value) is; None when unknown."""
    if not source:
        return None
    head = source.split(" (", 1)[0]
    if head.startswith("story"):
        return DateConfidence.LOW
    return _SOURCE_CONFIDENCE.get(head)


def date_from_url(url: str | None) -> datetime | None:
    """The day a URL's path gives (midnight UTC), or None when it gives none or an invalid one."""
    if not url:
        return None
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return None
    for pattern in _URL_DATES:
        for match in pattern.finditer(path):
            try:
                day = date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                continue
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
    return None


def weekday_date(text: str) -> FoundDate | None:
    """The date of an agency-style weekday dateline near the top, if there is one."""
    head = text[:_HEAD_CHARS]
    match = _WEEKDAY_DATELINE.search(head)
    if match is None:
        return None
    found = find_dates(head[match.start() : match.end()])
    return found[0] if found and found[0].weekday_stated else None


def _found(article: Article, found: FoundDate, how: str) -> None:
    notes = [n for n in (found.note, None if found.has_time else "day precision") if n]
    article.published = found.value
    article.published_source = how + (f" ({'; '.join(notes)})" if notes else "")


def settle_date(article: Article, head_datelines: list[FoundDate]) -> None:
    """Give ``article`` the publication date of its best evidence, with its source and
    confidence; leave it undated, saying so, when there is none. ``head_datelines`` are the
    datelines the text cleaner found at the top of the text."""
    if article.published is None:
        from_url = date_from_url(article.url)
        if from_url is not None:
            article.published, article.published_source = from_url, "url (day precision)"
        elif head_datelines:
            _found(article, head_datelines[0], "dateline")
        elif (stated := weekday_date(article.text)) is not None:
            _found(article, stated, "weekday-date in text")
    if article.published is None:
        article.published_source = article.published_confidence = None
        article.published_note = article.published_note or UNDATED_REASON
        return
    confidence = confidence_of(article.published_source)
    article.published_confidence = confidence.value if confidence else None
    article.published_note = None
