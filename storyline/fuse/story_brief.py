"""Fuse stage: everything a reader needs first about one story, every item with its sources.

`brief_story` takes a story and its articles (with quotes, claims and dates from analysis) and
returns a `StoryBrief`: the briefing sentences, key quotes, numeric claims with their conflicts,
the timeline and the outlets' parts. With ``since`` it is an update: only what was first
reported at or after that time (articles before it still count as corroboration). With a
``writer`` (the optional abstractive mode), a written briefing checked against its sources too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from storyline.collector import collector_paused
from storyline.fuse.abstractive import MATERIAL, Abstract, Writer
from storyline.fuse.body import antecedents
from storyline.fuse.briefing import BriefSentence, Source, choose_sentences
from storyline.fuse.facts import ClaimFact, FusedQuote, fuse_claims, fuse_quotes
from storyline.fuse.key_quotes import figure_order, key_quotes
from storyline.fuse.sourcing import first_published
from storyline.fuse.timeline import OutletRole, TimelineEntry, outlets, timeline
from storyline.model import Article, Story

MAX_QUOTES = 8


@dataclass(slots=True)
class StoryBrief:
    """A story's briefing and the fused layers under it."""

    story_id: int
    title: str
    first_seen: datetime | None
    last_seen: datetime | None
    since: datetime | None
    articles: int  # articles the brief read
    new_articles: int  # of them, published at or after ``since`` (all when there is none)
    sentences: list[BriefSentence] = field(default_factory=list)
    quotes: list[FusedQuote] = field(default_factory=list)
    claims: list[ClaimFact] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)
    figure_order: list[int] = field(default_factory=list)  # claims, the most needed first
    outlets: list[OutletRole] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    abstract: Abstract | None = None  # the written briefing, when one was asked for


def _new(first: datetime | None, since: datetime | None) -> bool:
    return since is None or (first is not None and first >= since)


def brief_story(
    story: Story,
    articles: list[Article],
    since: datetime | None = None,
    max_sentences: int = 12,
    writer: Writer | None = None,
) -> StoryBrief:
    """The brief of ``story`` from ``articles``; an update of what is new when ``since`` is set;
    with ``writer``, a written briefing of the story's most central sentences as well."""
    with collector_paused():
        result = _brief(story, articles, since, max_sentences)
        if writer is None:
            return result
        sources = [_source(a) for a in articles]
        material = choose_sentences(sources, max_sentences=MATERIAL, since=since)
    result.abstract = writer(material)
    dropped = len(result.abstract.dropped)
    if dropped:
        result.notes.append(
            f"{dropped} of {dropped + len(result.abstract.sentences)} written sentences were "
            "dropped: no source sentence supports them (listed under the written briefing)"
        )
    return result


def _source(article: Article) -> Source:
    return Source(
        article.id or "",
        article.text,
        article.published,
        article.outlet,
        article.duplicate_of,
        article.title,
        antecedents(article),
    )


def _brief(
    story: Story, articles: list[Article], since: datetime | None, max_sentences: int
) -> StoryBrief:
    new = [a for a in articles if _new(a.published, since)]
    result = StoryBrief(
        story.id,
        story.title,
        story.first_seen,
        story.last_seen,
        since,
        len(articles),
        len(new),
    )
    sources = [_source(a) for a in articles]
    result.sentences = choose_sentences(sources, max_sentences=max_sentences, since=since)
    quotes = [q for q in fuse_quotes(articles) if _new(q.first, since)]
    result.quotes = key_quotes(quotes, MAX_QUOTES)
    result.claims = _new_claims(fuse_claims(articles), since)
    result.figure_order = figure_order(result.claims)
    result.timeline = [e for e in timeline(articles) if _new(first_published(e.sources), since)]
    result.outlets = outlets(new)
    undated = sum(a.published is None for a in articles)
    if undated:
        result.notes.append(
            f"{undated} of {len(articles)} articles have no publication date: they come last in "
            "the briefing and are left out of updates"
        )
    if not result.sentences:
        result.notes.append(
            "nothing new to brief since that date" if since else "no sentence long enough to brief"
        )
    return result


def _new_claims(claims: list[ClaimFact], since: datetime | None) -> list[ClaimFact]:
    """Claims first reported since ``since``, and older ones that a new one conflicts with;
    conflict indexes are renumbered for the shorter list."""
    new = {i for i, c in enumerate(claims) if _new(first_published(c.sources), since)}
    keep = sorted(new | {j for i in new for j in claims[i].conflicts})
    position = {old: n for n, old in enumerate(keep)}
    kept = [claims[i] for i in keep]
    for claim in kept:
        claim.conflicts = [position[j] for j in claim.conflicts if j in position]
    return kept
