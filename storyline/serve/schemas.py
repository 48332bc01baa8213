"""Serve: response models of the REST API (they make the OpenAPI schema exact)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RemovedLineOut(BaseModel):
    """A line cleaning removed, and why."""

    line: str
    reason: str
    position: int


class SearchHitOut(BaseModel):
    """An article that matches a search, with the text around the first match."""

    id: str
    title: str | None
    outlet: str | None = Field(
        description="the outlet's key: its registered domain (cnn.com), else the name given"
    )
    outlet_name: str | None = Field(
        None, description="the name to show for the outlet; its key when none is known"
    )
    url: str | None
    published: str | None
    language: str | None
    story_id: int | None
    duplicate_of: str | None
    snippet: str


class SearchPage(BaseModel):
    """One page of search results, best match first."""

    items: list[SearchHitOut]
    total: int
    limit: int
    offset: int


class ArticleSummaryOut(BaseModel):
    """An article in a listing."""

    id: str
    title: str | None
    outlet: str | None = Field(
        description="the outlet's key: its registered domain (cnn.com), else the name given"
    )
    outlet_name: str | None = Field(
        None, description="the name to show for the outlet; its key when none is known"
    )
    url: str | None
    published: str | None = Field(description="ISO 8601; null when undated")
    published_confidence: str | None = Field(
        None, description="high, medium or low (low: estimated from its story); null when undated"
    )
    language: str | None
    story_id: int | None
    event_id: int | None = Field(description="the event inside the story")
    duplicate_of: str | None = Field(description="id of the earliest copy, when this is a copy")
    duplicate_kind: str | None = Field(
        description="'near copy' (republished) or 'same facts' (a translation or rewrite)"
    )
    source_kind: str
    ingested_at: str | None
    placed_at: str | None = Field(description="the time the article was placed in its story by")
    placement_note: str | None = Field(
        description="why it was not placed by its publication date, or not grouped at all"
    )


class ArticleOut(BaseModel):
    """A whole article: metadata, clean text and the lines cleaning removed."""

    id: str
    title: str | None
    outlet: str | None = Field(
        description="the outlet's key: its registered domain (cnn.com), else the name given"
    )
    outlet_name: str | None = Field(
        None, description="the name to show for the outlet; its key when none is known"
    )
    url: str | None
    canonical_url: str | None
    source: str
    source_kind: str
    published: str | None
    published_source: str | None = Field(
        description="where the date came from: record, feed, html-meta, url, dateline, "
        "weekday-date in text, or story (estimated from the story's dated articles)"
    )
    published_confidence: str | None = Field(
        None, description="how sure the date is: high, medium or low; null when undated"
    )
    published_note: str | None = Field(description="why the date is unknown, when it is")
    language: str | None
    language_score: float | None
    encoding: str | None
    encoding_note: str | None
    authors: list[str] = Field(
        default_factory=list, description="the authors the page or record names (its byline)"
    )
    image_url: str | None = Field(None, description="the lead image the page names")
    image_caption: str | None = Field(None, description="the lead image's caption")
    fetched_at: str | None
    ingested_at: str | None
    stages: list[str]
    content_hash: str | None
    duplicate_of: str | None
    duplicate_similarity: float | None
    duplicate_kind: str | None
    story_id: int | None
    event_id: int | None
    placed_at: str | None
    placement_note: str | None
    text: str
    removed_lines: list[RemovedLineOut]


class StoryOut(BaseModel):
    """A story: its title, time span, outlets and articles (ids, oldest first)."""

    id: int
    title: str
    first_seen: str | None
    last_seen: str | None
    article_count: int
    outlets: list[str]
    article_ids: list[str]


class StoryEventOut(BaseModel):
    """One event inside a story: the articles that report the same happening."""

    id: int
    title: str
    first_seen: str | None
    last_seen: str | None
    article_count: int
    article_ids: list[str]


class StoryChangeOut(BaseModel):
    """A recorded merge or split."""

    kind: str = Field(description="'merged' (other_story_id folded into story_id) or 'split'")
    story_id: int
    other_story_id: int | None
    at: str
    article_id: str | None = Field(description="the article whose arrival caused it")
    detail: str | None


class TreeArticleOut(ArticleSummaryOut):
    """An original article with the copies of it (republished or translated) under it."""

    copies: list[ArticleSummaryOut]


class TreeEventOut(StoryEventOut):
    """An event with its original articles, each with its copies."""

    articles: list[TreeArticleOut]


class StoryDetailOut(StoryOut):
    """A story with its events, article summaries (oldest first), tree and recorded changes."""

    articles: list[ArticleSummaryOut]
    events: list[StoryEventOut]
    changes: list[StoryChangeOut]
    tree: list[TreeEventOut] = Field(description="events → original articles → their copies")


class ArticlePage(BaseModel):
    """One page of articles."""

    items: list[ArticleSummaryOut]
    total: int
    limit: int
    offset: int


class StoryPage(BaseModel):
    """One page of stories."""

    items: list[StoryOut]
    total: int
    limit: int
    offset: int


class ErrorBody(BaseModel):
    """What went wrong and what to do."""

    code: str
    message: str


class ErrorOut(BaseModel):
    """The one error shape of the API."""

    error: ErrorBody


# --- analysis --------------------------------------------------------------------------------


class SpanOut(BaseModel):
    """A character range in the article's clean text."""

    start: int
    end: int


class EntityOut(BaseModel):
    """A canonical entity: the same id in every article."""

    id: str
    name: str
    type: str = Field(description="PERSON, ORG, GPE, LOC, FAC or NORP")
    aliases: list[str]
    roles: list[str]
    country: str | None = Field(description="ISO 3166-1 alpha-3, when known")
    key: str | None = Field(None, description="canonical key the id is derived from")


class EntityRowOut(BaseModel):
    """An entity in a listing, with how often it is mentioned."""

    id: str
    name: str
    type: str
    country: str | None
    aliases: list[str]
    roles: list[str]
    mention_count: int
    article_count: int


class MentionOut(SpanOut):
    """Words naming an entity, and how they were tied to it."""

    text: str
    entity_id: str | None
    type: str | None
    how: str | None = Field(description="name, short name, role, gazetteer, metonymy, demonym...")
    role: str | None
    note: str | None


class QuoteOut(SpanOut):
    """Direct, indirect or mixed speech with its speaker."""

    text: str
    kind: str = Field(description="direct, indirect or mixed")
    speaker: str | None
    speaker_entity_id: str | None
    cue: str | None
    channel: str | None
    speaker_span: SpanOut | None


class ClaimOut(SpanOut):
    """A numeric claim; quantity null for vague counts ("thousands of troops")."""

    text: str
    quantity: float | None
    quantity_max: float | None
    unit: str | None
    counted: str | None
    approximate: bool
    qualifier: str | None
    claimant: str | None
    claimant_entity_id: str | None


class TimeOut(SpanOut):
    """A temporal expression; value (TimeML) null when it cannot be resolved."""

    text: str
    value: str | None
    granularity: str | None
    derivation: str | None
    kind: str


class PlaceOut(SpanOut):
    """A place mention, geocoded offline; null coordinates when not found."""

    name: str
    country: str | None
    lat: float | None
    lon: float | None
    kind: str | None
    geonames_id: int | None
    entity_id: str | None


class StoryPlaceOut(BaseModel):
    """A place a story's articles mention, with how often; null coordinates when unknown."""

    name: str
    country: str | None = Field(description="ISO 3166 alpha-3; null when unknown")
    kind: str | None
    lat: float | None
    lon: float | None
    mentions: int
    articles: int


class ActorOut(BaseModel):
    """A party to a coded event: CAMEO-style code, country and sector."""

    name: str
    code: str | None = Field(description="RUSGOV, NATO, USA ...; null when nothing can be coded")
    country: str | None = Field(description="ISO 3166-1 alpha-3")
    sector: str | None = Field(description="GOV, MIL, IGO, COP ...")
    entity_id: str | None
    via: str | None = Field(description="How it was coded: name, demonym, role ...")


class CodedEventOut(SpanOut):
    """A political event coded in one sentence of the article (span: the sentence)."""

    trigger_start: int
    trigger_end: int
    cue: str
    plover: str
    mode: str | None
    cameo: str
    goldstein: float = Field(description="-10 (conflict) to +10 (cooperation)")
    actor: ActorOut | None
    target: ActorOut | None
    date: str | None
    place: str | None
    negated: bool
    hypothetical: bool
    quoted: bool
    text: str


class AnnotationsOut(BaseModel):
    """Everything the analysis stage found in one article."""

    analyzed_at: str | None = Field(description="null: not analysed yet")
    analysis_note: str | None
    entities: list[EntityOut]
    mentions: list[MentionOut]
    quotes: list[QuoteOut]
    claims: list[ClaimOut]
    times: list[TimeOut]
    places: list[PlaceOut]
    events: list[CodedEventOut]


class QuoteRowOut(QuoteOut):
    """A quote listed across articles."""

    article_id: str
    outlet: str | None
    published: str | None
    speaker_span: SpanOut | None = None


class ClaimRowOut(ClaimOut):
    """A numeric claim listed across articles."""

    article_id: str
    outlet: str | None
    published: str | None


class EntityPage(BaseModel):
    """One page of entities."""

    items: list[EntityRowOut]
    limit: int
    offset: int


class QuotePage(BaseModel):
    """One page of quotes."""

    items: list[QuoteRowOut]
    limit: int
    offset: int


class ClaimPage(BaseModel):
    """One page of numeric claims."""

    items: list[ClaimRowOut]
    limit: int
    offset: int


# --- political events --------------------------------------------------------------------------


class EventOut(BaseModel):
    """A political event fused across articles (GDELT-like fields, PLOVER type and mode)."""

    event_id: str = Field(description="Stable id: actor, type, target, status and day")
    sql_date: str | None = Field(description="Day of the event, YYYYMMDD")
    actor1_code: str | None = Field(description="Actor code: RUSGOV, NATO, USA ...")
    actor1_name: str | None
    actor2_code: str | None = Field(description="Target code, when there is a target")
    actor2_name: str | None
    event_code: str = Field(description="CAMEO code")
    event_root_code: str = Field(description="CAMEO root code (two digits)")
    plover: str = Field(description="PLOVER event type")
    mode: str | None = Field(description="PLOVER-style mode: alert, troops, written ...")
    quad_class: int | None = Field(
        description="1 verbal cooperation, 2 material cooperation, 3 verbal conflict, "
        "4 material conflict"
    )
    goldstein_scale: float = Field(description="Intensity, -10 (conflict) to +10 (cooperation)")
    num_sources: int = Field(description="Independent articles (copies count once)")
    num_articles: int
    place: str | None
    status: str = Field(description="happened, negated or hypothetical")
    quoted: bool = Field(description="Every report of it is inside a quote")
    article_ids: str = Field(description="Comma-separated article ids, earliest first")
    outlets: str
    sentence: str = Field(description="The sentence of the earliest report")


class EventPage(BaseModel):
    """One page of political events."""

    items: list[EventOut]
    total: int
    limit: int
    offset: int


class DayIntensityOut(BaseModel):
    """One day of a pair of actors' escalation curve (mean Goldstein value, -10 to +10)."""

    day: str
    forward: float | None = Field(description="A toward B; null when no event that day")
    backward: float | None = Field(description="B toward A")
    combined: float | None
    events_forward: int
    events_backward: int
    article_dated: int = Field(
        0, description="Events of the day dated by their article: the sentence gives no day"
    )
