"""Fuse stage: a story's timeline of dated happenings, and who reported what first.

A timeline entry is a sentence that mentions a day (a date the analysis resolved to a calendar
day: "on Thursday" against the publication date, "January 24"), or that tells a coded political
event that happened (dated by its sentence, else by its article's publication day), filed under
that day, with the events it tells ("RUSGOV THREATEN UKR"). The same happening told in
near-identical sentences by several articles is one entry with several sources.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from storyline.fuse.body import (
    alone_on_line,
    antecedents,
    leaning,
    names_within,
    not_body,
    with_antecedents,
)
from storyline.fuse.briefing import content_tokens
from storyline.fuse.sourcing import (
    Sourced,
    TokenIndex,
    earliest_first,
    jaccard,
    origin_of,
    sentence_around,
    sourced,
)
from storyline.model import Article

SAME_ENTRY = 0.5  # word Jaccard of two sentences filed under one day: one entry
SAME_ACROSS_DAYS = 0.8  # word Jaccard of two sentences filed under two days: one entry, once


@dataclass(slots=True)
class TimelineEntry:
    """Something that happened on ``day``, as the sources tell it."""

    day: str  # ISO date, YYYY-MM-DD
    text: str  # the sentence of the earliest source
    derivation: str | None  # how the day was found: stated, relative to publication ...
    sources: list[Sourced] = field(default_factory=list)
    support: int = 0
    events: list[str] = field(default_factory=list)  # coded events it tells: "NATO CONSULT RUS"


@dataclass(slots=True)
class OutletRole:
    """An outlet's part in a story."""

    outlet: str  # the key: articles are grouped by it
    articles: int
    first: datetime | None
    originals: int  # articles that are nobody's copy
    copies_of: list[str] = field(default_factory=list)  # outlets it republished
    name: str | None = None  # the name to show, from the first of its articles that has one


def _is_day(value: str | None) -> bool:
    return value is not None and len(value) == 10 and value[4] == "-" and value[7] == "-"


def timeline(articles: list[Article], limit: int = 30) -> list[TimelineEntry]:
    """Dated entries of ``articles``, earliest day first; the best supported when there are more
    than ``limit``."""
    entries: list[TimelineEntry] = []
    words: list[frozenset[str]] = []
    origins: list[set[str]] = []
    by_day: dict[str, list[int]] = {}
    told = TokenIndex(Counter(), SAME_ACROSS_DAYS)  # every entry's words, to find retellings
    for article in earliest_first(articles):
        used: set[tuple[int, str]] = set()
        names = antecedents(article)
        for day, start, end, derivation, label in _dated(article):
            resolved = names_within(names, start, end)
            sentence = article.text[start:end]
            if leaning(sentence, frozenset(resolved)):
                continue  # "He said ..." with nobody named: not an item on its own
            sentence = with_antecedents(sentence, resolved)
            mine = frozenset(content_tokens(sentence))
            same_day = by_day.setdefault(day, [])
            match = next((i for i in same_day if jaccard(mine, words[i]) >= SAME_ENTRY), None)
            if match is None:  # the same sentence filed under another day: told once
                match = next(
                    (
                        i
                        for i in sorted(told.candidates(mine))
                        if jaccard(mine, words[i]) >= SAME_ACROSS_DAYS
                    ),
                    None,
                )
            if match is None:
                told.add(len(entries), mine)
                entries.append(TimelineEntry(day, sentence, derivation))
                words.append(mine)
                origins.append(set())
                match = len(entries) - 1
                same_day.append(match)
            entry = entries[match]
            if label and label not in entry.events:
                entry.events.append(label)
            if (match, article.id or "") in used:
                continue  # the same sentence found again by its date and by its event
            used.add((match, article.id or ""))
            entry.sources.append(sourced(article, start, end))
            origins[match].add(origin_of(article))
    for entry, found in zip(entries, origins, strict=True):
        entry.support = len(found)
    if len(entries) > limit:
        entries = sorted(entries, key=lambda e: -e.support)[:limit]
    return sorted(entries, key=lambda e: (e.day, -e.support))


def _dated(article: Article) -> list[tuple[str, int, int, str | None, str | None]]:
    """(day, sentence start, end, how the day was found, event label) for each day-dated
    sentence and each coded event that happened, in text order: one whole body sentence each
    (headlines, captions and broken quotes are not timeline items)."""
    found = []
    for ref in article.times:
        if ref.kind != "DATE" or not _is_day(ref.value) or ref.granularity != "day":
            continue
        unit = _unit(article, ref.span.start, ref.span.end)
        if unit is not None:
            found.append((ref.value or "", *unit, ref.derivation, None))
    for event in article.events:
        if event.negated or event.hypothetical or not _is_day(event.date):
            continue
        target = f" {event.target.code or event.target.name}" if event.target else ""
        who = event.actor.code or event.actor.name if event.actor else "?"
        label = f"{who} {event.plover}{target}"
        unit = _unit(article, event.span.start, event.span.start + 1)
        if unit is not None:
            found.append((event.date or "", *unit, event.date_derivation, label))
    return sorted(found, key=lambda item: (item[1], item[4] is not None))


def _unit(article: Article, start: int, end: int) -> tuple[int, int] | None:
    """The sentence unit holding ``start:end`` when it is one whole body sentence, else None."""
    first, last = sentence_around(article.text, start, start + 1)
    alone = alone_on_line(article.text, first, last)
    if end > last or not_body(article.text[first:last], article.title, alone):
        return None
    return first, last


def outlets(articles: list[Article]) -> list[OutletRole]:
    """Each outlet's articles, first publication, originals and whom it republished; the outlet
    that reported first comes first."""
    by_id = {a.id: a for a in articles}
    roles: dict[str, OutletRole] = {}
    for article in earliest_first(articles):
        name = article.outlet or "unknown outlet"
        role = roles.get(name)
        if role is None:
            role = roles[name] = OutletRole(name, 0, article.published, 0)
        role.articles += 1
        role.name = role.name or article.outlet_name
        original = by_id.get(article.duplicate_of) if article.duplicate_of else None
        if article.duplicate_of is None:
            role.originals += 1
        elif original is not None:
            source = original.outlet or "unknown outlet"
            if source != name and source not in role.copies_of:
                role.copies_of.append(source)
    return list(roles.values())
