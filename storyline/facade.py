"""Python API: the `Storyline` facade over the settings, the store and the pipeline."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from importlib.resources import as_file, files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storyline import pipeline
from storyline.config import Settings, get_settings
from storyline.fuse.abstractive import abstract_writer
from storyline.fuse.events import DayIntensity, FusedEvent, escalation, fuse_events
from storyline.fuse.story_brief import StoryBrief, brief_story
from storyline.ingest.watch import Watcher
from storyline.model import Article, IngestFailure, IngestReport, SourceKind, Story
from storyline.pipeline import AnalyzeReport, AssignReport, Progress
from storyline.store import Store
from storyline.store.annotations import Annotations

if TYPE_CHECKING:
    from storyline.scale.ray_pipeline import BackfillReport


def demo_corpus_path() -> Path:
    """Folder of the bundled, fictional demo corpus."""
    with as_file(files("storyline.data").joinpath("demo", "corpus")) as path:
        return Path(path)


class Storyline:
    """One storyline database with its settings: ingest, analyze, assign and query.

    Example:
        >>> sl = Storyline("sqlite:///news.db")
        >>> sl.ingest(["articles/"]).ingested
    """

    def __init__(self, db_url: str | None = None, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings(db_url=db_url)
        if db_url is not None and settings is not None:
            self.settings = self.settings.model_copy(update={"db_url": db_url})
        self.store = Store(self.settings.db_url, self.settings.db_lock_timeout)

    def __enter__(self) -> Storyline:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database."""
        self.store.close()

    def ingest(
        self,
        sources: Iterable[str],
        assign: bool = True,
        progress: Progress | None = None,
        analyze: bool | None = None,
        stage: Callable[[str, IngestReport], None] | None = None,
    ) -> IngestReport:
        """Ingest paths, URLs and feed URLs; annotate them (``analyze``, default from settings);
        then place new articles in stories. ``stage`` is told each stage as it starts
        ("reading", "analysing", "placing in stories"), with the report so far; ``progress``
        each item within it."""
        self.store.check_writable()  # a read-only database: stop before fetching anything
        if stage:
            stage("reading", IngestReport())
        report = pipeline.ingest(sources, self.store, self.settings, progress)
        if self.settings.analyze_on_ingest if analyze is None else analyze:
            if stage:
                stage("analysing", report)
            report.analysis_failures = self.analyze(progress).failures
        if assign:
            if stage:
                stage("placing in stories", report)
            self.assign(progress)
        return report

    def watcher(self, feeds: list[str], state: pipeline.AssignState | None = None) -> Watcher:
        """A watcher polling ``feeds`` into this database: each poll's new articles are
        stored, analysed (setting analyze_on_ingest) and placed in stories, with the story
        state kept between polls (in ``state`` when given, to keep it across watchers)."""
        self.store.check_writable()

        kept = state or pipeline.AssignState()  # a poll places a few articles: no rebuild each
        lines = pipeline.SiteLines()  # what outlets repeat on their pages, learnt across polls

        def ingest(items: list[Article | IngestFailure]) -> tuple[int, int, int]:
            report = pipeline.store_items(items, self.store, self.settings, site_lines=lines)
            if report.ingested:
                if self.settings.analyze_on_ingest:
                    self.analyze()
                self.assign(state=kept)
            return len(report.ingested), len(report.duplicates), len(report.failures)

        return Watcher(feeds, self.store, self.settings, ingest)

    def backfill(
        self, inputs: list[str], output: Path | None = None, progress: Progress | None = None
    ) -> BackfillReport:
        """Ingest, analyse and place every article in the input shards (JSONL, WARC, Parquet ...)
        with reading, cleaning and parsing on Ray (settings ray_address, backfill_parse_actors);
        with ``output``, also write articles.parquet and events.parquet into that folder."""
        self.store.check_writable()  # before Ray starts
        from storyline.scale.backfill_output import BackfillOutput
        from storyline.scale.ray_pipeline import backfill

        folder = BackfillOutput(output) if output is not None else None
        return backfill(inputs, self.store, self.settings, folder, progress)

    def analyze(self, progress: Progress | None = None, redo: bool = False) -> AnalyzeReport:
        """Annotate articles not analysed yet (all of them with ``redo``)."""
        self.store.check_writable()
        return pipeline.analyze_pending(self.store, self.settings, progress, redo)

    def annotations(self, article_id: str) -> Annotations:
        """Entities, quotes, claims, dates and places stored for one article."""
        return self.store.annotations(article_id)

    def entities(self, **filters: Any) -> list[dict[str, Any]]:
        """Entities with mention counts (filters: entity_type, query, limit, offset)."""
        return self.store.list_entities(**filters)

    def quotes(self, **filters: Any) -> list[dict[str, Any]]:
        """Quotes across articles (filters: speaker, article_id, limit, offset)."""
        return self.store.list_quotes(**filters)

    def claims(self, **filters: Any) -> list[dict[str, Any]]:
        """Numeric claims across articles (filters: counted, article_id, limit, offset)."""
        return self.store.list_claims(**filters)

    def assign(
        self, progress: Progress | None = None, state: pipeline.AssignState | None = None
    ) -> AssignReport:
        """Place every article not yet in a story (resumes after an interruption); a process
        that assigns again and again passes the same ``state`` to skip rebuilding the window."""
        self.store.check_writable()
        return pipeline.assign_pending(self.store, self.settings, progress, state)

    def articles(self, **filters: Any) -> list[dict[str, Any]]:
        """Article summaries, newest first (filters: limit, offset, story_id, outlet)."""
        return self.store.list_articles(**filters)

    def article(self, article_id: str) -> Article:
        """One whole article."""
        return self.store.get_article(article_id)

    def stories(
        self, limit: int = 50, offset: int = 0, since: datetime | None = None
    ) -> list[Story]:
        """Stories, most recently active first (only those active since ``since``, when given)."""
        return self.store.list_stories(limit, offset, _aware(since))

    def story(self, story_id: int) -> Story:
        """One story with its events and recorded changes (a merged id gives the story it is
        now part of)."""
        return self.store.get_story(story_id)

    def brief(
        self, story_id: int, since: datetime | None = None, abstractive: bool = False
    ) -> StoryBrief:
        """A story's sourced briefing, quotes, claims, timeline and outlets; with ``since``, an
        update of what was first reported at or after it; with ``abstractive``, a briefing
        written by the model at ``abstractive_url`` too, every sentence checked against its
        sources."""
        writer = abstract_writer(self.settings) if abstractive else None
        found = self.store.get_story(story_id)
        return brief_story(found, self.store.story_material(found.id), _aware(since), writer=writer)

    def events(
        self,
        actor: str | None = None,
        target: str | None = None,
        plover: str | None = None,
        since: date | None = None,
        until: date | None = None,
        story_id: int | None = None,
        happened_only: bool = True,
    ) -> list[FusedEvent]:
        """Coded political events fused across articles (one event, many sources), oldest day
        first; ``actor``/``target`` are codes ("RUS" matches RUSGOV and RUSMIL, "NATO")."""
        found = self.store.list_events(
            actor, target, plover, since, until, story_id, happened_only, limit=None
        )
        return fuse_events(found)

    def escalation(
        self,
        a: str,
        b: str,
        since: date | None = None,
        until: date | None = None,
        story_id: int | None = None,
    ) -> list[DayIntensity]:
        """The daily Goldstein intensity between actors ``a`` and ``b``, both directions."""
        found = self.store.list_events(
            None, None, None, since, until, story_id, limit=None, pair=(a, b)
        )
        return escalation(fuse_events(found), a, b)

    def merge_stories(self, source: int, target: int) -> Story:
        """Fold story ``source`` into ``target`` (recorded as a change of both)."""
        self.store.check_writable()
        return self.store.merge_stories(source, target)

    def split_event(self, event_id: int) -> Story:
        """Move an event out of its story into a new story (recorded); returns the new story."""
        self.store.check_writable()
        return self.store.split_event(event_id)


def ingest(sources: Iterable[str], db_url: str | None = None) -> IngestReport:
    """Ingest ``sources`` into the database at ``db_url`` (default from settings) and place them."""
    with Storyline(db_url) as sl:
        return sl.ingest(sources)


def stories(
    db_url: str | None = None, limit: int = 50, offset: int = 0, since: datetime | None = None
) -> list[Story]:
    """Stories in the database at ``db_url``, most recently active first."""
    with Storyline(db_url) as sl:
        return sl.stories(limit, offset, since)


def _aware(value: datetime | None) -> datetime | None:
    """A naive datetime is taken as UTC (the store keeps UTC)."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def analyze(
    text: str,
    published: datetime | date | None = None,
    title: str | None = None,
    settings: Settings | None = None,
) -> Article:
    """Annotate one text without a database: entities, quotes, claims, dates and places.

    ``published`` anchors relative dates ("on Thursday"); without it they stay unresolved.
    """
    from storyline.analyze.annotate import analyze_articles
    from storyline.clean.meta import content_hash

    if isinstance(published, date) and not isinstance(published, datetime):
        published = datetime(published.year, published.month, published.day, 12, tzinfo=UTC)
    article = Article(
        source="<text>",
        source_kind=SourceKind.TEXT,
        raw=text,
        text=text,
        title=title,
        published=published,
        id=content_hash(text)[:16],
        language="en",
    )
    return next(analyze_articles([article], settings or get_settings()))
