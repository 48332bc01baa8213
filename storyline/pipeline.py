"""Runs the stages in order over many articles: ingest → clean → store → analyze → assign.

Stages never touch the database; this runner persists what they return, one article per
transaction, so a kill at any point leaves no half-written article and a re-run resumes.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from storyline.assign import snapshot
from storyline.assign.dating import estimate_date, estimate_note
from storyline.assign.kept_state import AssignState
from storyline.clean.article import clean_article
from storyline.clean.site_lines import SiteLines, host_of
from storyline.config import Settings
from storyline.errors import StorageError, StorylineError
from storyline.ingest.sources import read_sources
from storyline.model import Article, IngestFailure, IngestReport, Stage
from storyline.safe_text import quote
from storyline.store import Store
from storyline.store.stories import Placement

if TYPE_CHECKING:
    from storyline.analyze.entities import EntityRegistry
    from storyline.analyze.nlp import Parsed
    from storyline.analyze.places import Geocoder

PARALLEL_MIN = 200  # articles waiting before analysis starts parse workers (auto setting)
FIRST_PAGES_KEPT = 1_000  # copies of a run's first pages of each outlet, to clean again

Progress = Callable[[str], None]


def ingest(
    specs: Iterable[str],
    store: Store,
    settings: Settings,
    progress: Progress | None = None,
    strict: bool = False,
) -> IngestReport:
    """Read, clean and store every article in ``specs``; go on past bad items and report them.

    With ``strict`` an unexpected error (a bug, not bad input) is raised instead of reported.
    """
    return store_items(read_sources(specs, settings), store, settings, progress, strict)


def clean_item(
    item: Article | IngestFailure,
    settings: Settings,
    strict: bool = False,
    site_lines: SiteLines | None = None,
) -> Article | IngestFailure:
    """Clean one read item (with the run's memory of repeated lines, when given); a failure
    passes through, and bad input becomes a failure."""
    if isinstance(item, IngestFailure):
        return item
    try:
        return clean_article(item, settings, site_lines)
    except StorylineError as exc:
        return IngestFailure(item.source, str(exc))
    except Exception as exc:  # a parser bug on one odd page must not stop a batch
        if strict:
            raise
        return IngestFailure(
            item.source,
            f"unexpected {type(exc).__name__} while cleaning ({quote(exc)}); "
            "the item was skipped: please report it with the input",
        )


def store_cleaned(
    item: Article | IngestFailure, store: Store, report: IngestReport, strict: bool = False
) -> bool:
    """Store one cleaned article and count it in ``report``; True when it is newly stored."""
    if isinstance(item, IngestFailure):
        report.failures.append(item)
        return False
    try:
        article_id, is_new = store.add_article(item)
    except StorageError:
        raise  # the database itself failed: every later item would fail the same way
    except StorylineError as exc:
        report.failures.append(IngestFailure(item.source, str(exc)))
        return False
    except Exception as exc:  # a value one article holds that the driver refuses, say
        if strict:
            raise
        report.failures.append(
            IngestFailure(
                item.source,
                f"unexpected {type(exc).__name__} while storing ({quote(exc)}); the item was "
                "skipped: please report it with the input",
            )
        )
        return False
    (report.ingested if is_new else report.duplicates).append(article_id)
    return is_new


def store_items(
    items: Iterable[Article | IngestFailure],
    store: Store,
    settings: Settings,
    progress: Progress | None = None,
    strict: bool = False,
    site_lines: SiteLines | None = None,
) -> IngestReport:
    """Clean and store read items (articles, or failures to report); go on past bad ones.

    Lines an outlet repeats on its pages are learnt over the run (``site_lines``, a new memory
    when not given); the first pages of each outlet, cleaned before that was known, are
    cleaned again at the end of the run and their stored text replaced (before analysis).
    """
    report = IngestReport()
    memory = site_lines if site_lines is not None else SiteLines()
    first: list[tuple[Article, Article]] = []  # (as read, as stored)
    for item in items:
        if progress:
            progress(item.source)
        original = _first_page_copy(item, memory, len(first))
        cleaned = clean_item(item, settings, strict, memory)
        is_new = store_cleaned(cleaned, store, report, strict)
        if is_new and original is not None and isinstance(cleaned, Article):
            first.append((original, cleaned))
    for original, stored in first:
        _clean_again(original, stored, store, settings, memory)
    return report


def _first_page_copy(item: Article | IngestFailure, memory: SiteLines, kept: int) -> Article | None:
    """A copy of ``item`` as read when it is among the first pages of its outlet in this run."""
    host = host_of(item.url) if isinstance(item, Article) else None
    if host is None or kept >= FIRST_PAGES_KEPT or memory.pages(host) >= memory.min_pages - 1:
        return None
    return copy.deepcopy(item)


def _clean_again(
    original: Article, stored: Article, store: Store, settings: Settings, memory: SiteLines
) -> None:
    """Clean a first page again when its text holds lines now known to repeat on its outlet."""
    host = host_of(stored.url)
    if host is None or not memory.judge(host, stored.url or "", stored.text.split("\n")):
        return
    again = clean_item(original, settings, False, memory)
    if isinstance(again, Article) and again.id == stored.id and again.text != stored.text:
        store.revise_clean_text(again)


@dataclass(slots=True)
class AssignReport:
    """What story assignment did."""

    assigned: int = 0
    new_stories: int = 0
    new_events: int = 0
    copies: int = 0
    merges: int = 0
    not_grouped: int = 0  # too little text to compare
    not_by_publication_date: int = 0  # placed by content alone: undated, or dated after its fetch
    dated_from_story: int = 0  # undated articles given a (low-confidence) date by their story


def _window(articles: list[Article], settings: Settings, store: Store) -> tuple[datetime, datetime]:
    """The time span whose placed articles can receive the pending ones (clamped to valid dates).
    Undated articles are placed by content among the stories open at the stream's clock, the
    latest date placed; before anything dated was placed, every placed article counts."""
    skew = timedelta(hours=settings.clock_skew_hours)
    times = [t for a in articles if (t := a.placement_time(skew)[0]) is not None]
    if len(times) < len(articles) and (clock := store.latest_placement_time()) is not None:
        times.append(clock)
    if not times:
        return datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)
    window = timedelta(days=settings.story_window_days)
    low, high = min(times), max(times)
    start = low - window if low - datetime.min.replace(tzinfo=UTC) > window else low
    end = high + window if datetime.max.replace(tzinfo=UTC) - high > window else high
    return start, end


def assign_pending(
    store: Store,
    settings: Settings,
    progress: Progress | None = None,
    state: AssignState | None = None,
) -> AssignReport:
    """Place every article not yet placed: as a copy of an earlier one, in an open event of an
    open story, in a new event of an open story, or as the seed of a new story.

    The open events and stories come from a kept ``state`` brought up to date, else from the
    snapshot the last run saved (when it still fits the database), else they are rebuilt from
    the articles placed within the story window around the pending ones. Each placement is saved
    in its own transaction; the state is saved again when enough was taken in since.
    """
    report = AssignReport()
    pending = store.pending_assignment()
    if not pending:
        return report
    start, end = _window(pending, settings, store)
    state = state if state is not None else AssignState()
    saved_at = snapshot.location(store.url, settings)
    if not state.usable(start, store) and saved_at is not None:
        state.load(saved_at, store, settings)
    if state.usable(start, store):
        state.refresh(store)
    else:
        state.rebuild(store, settings, start, end)
    assigner = state.assigner
    assert assigner is not None
    touched: dict[str, set[int]] = {"story": set(), "event": set()}
    for article in pending:
        if progress:
            progress(article.title or article.id or "")
        plan = assigner.plan(article)
        new_story = plan.group and article.story_id is None
        new_event = plan.group and article.event_id is None
        saved = store.save_placement(
            article,
            plan.group,
            Placement(article.title, plan.repoint, plan.repoint_kinds, plan.merge, plan.detail),
        )
        if not saved:
            continue  # another process placed it first; its placement stands
        assigner.commit(article, plan)
        report.assigned += 1
        report.new_stories += new_story
        report.new_events += new_event
        report.copies += bool(article.duplicate_of or plan.repoint)
        report.merges += len(plan.merge)
        report.not_grouped += not plan.group
        report.not_by_publication_date += plan.group and article.placed_at is None
        if article.story_id is not None and article.event_id is not None:
            touched["story"].add(article.story_id)
            touched["event"].add(article.event_id)
    report.dated_from_story = date_from_stories(store, sorted(touched["story"]))
    # once per batch, not per article: choosing a title looks at every member
    store.set_titles(
        assigner.titles("story", touched["story"]), assigner.titles("event", touched["event"])
    )
    state.changes_seen = store.count_story_changes()  # merges made in this run are its own
    state.unsaved += report.assigned
    state.must_save |= bool(report.merges)  # a snapshot that predates a merge is not used
    if saved_at is not None:
        state.save_if_due(saved_at, store, settings)
    return report


def date_from_stories(store: Store, story_ids: list[int]) -> int:
    """Give the undated members of these stories a date estimated from the dated articles of
    their event or story (`assign.dating`), and resolve their relative dates against it; an
    estimate made earlier is revised as the dated span grows. Returns how many changed."""
    from storyline.analyze.redate import redate

    undated = store.undated_members(story_ids)
    if not undated:
        return 0
    story_spans, event_spans = store.dated_spans(
        story_ids, sorted({a.event_id for a in undated if a.event_id is not None})
    )
    changed = 0
    for article in undated:
        estimate = estimate_date(
            article.text,
            event_spans.get(article.event_id) if article.event_id is not None else None,
            story_spans.get(article.story_id) if article.story_id is not None else None,
        )
        if estimate is None:
            continue
        note = estimate_note(estimate, article.published_note)
        if (estimate.value, note) == (article.published, article.published_note):
            continue
        article.published, article.published_source = estimate.value, estimate.source
        article.published_confidence, article.published_note = estimate.confidence, note
        if Stage.ANALYZED in article.stages:
            found = store.annotations(article.id or "")
            article.times, article.events, article.analysis_note = (
                found.times,
                found.events,
                found.note,
            )
            redate(article)
        store.save_dating(article)
        changed += 1
    return changed


@dataclass(slots=True)
class AnalyzeReport:
    """What the analysis stage did."""

    analyzed: int = 0
    not_supported: int = 0  # skipped: a language the pipeline cannot read
    failures: list[IngestFailure] = field(default_factory=list)


def analysis_batches(store: Store, size: int, redo: bool) -> Iterator[list[Article]]:
    """Articles to analyse, a page at a time: not yet analysed, oldest stored first, paged by
    (ingested_at, id) so that pages stay right while they are being saved; every one with redo."""
    if redo:
        batch: list[Article] = []
        for article in store.iter_all_for_analysis():
            batch.append(article)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch
        return
    after: tuple[datetime, str] | None = None
    while True:
        page = store.pending_analysis(limit=size, after=after)
        if not page:
            return
        last = page[-1]
        after = (last.ingested_at or datetime.min.replace(tzinfo=UTC), last.id or "")
        yield page


def parse_processes(settings: Settings, store: Store, redo: bool = False) -> int:
    """spaCy parse processes for an analysis run: the setting, or with 0 (auto) one per CPU core
    when at least PARALLEL_MIN articles wait (starting workers costs seconds), else one."""
    if settings.analysis_processes > 0:
        return settings.analysis_processes
    waiting = store.count_articles() if redo else store.count_unanalysed()
    return max(1, os.cpu_count() or 1) if waiting >= PARALLEL_MIN else 1


def analyze_pending(
    store: Store,
    settings: Settings,
    progress: Progress | None = None,
    redo: bool = False,
    strict: bool = False,
) -> AnalyzeReport:
    """Annotate every article not analysed yet (every article, with ``redo``), batch by batch.

    Each article's annotations are saved in one transaction, so a kill loses at most the batch
    in flight and a re-run resumes. An article that makes a stage fail is saved with no
    annotations and the reason, so it is reported once, not retried forever.
    """
    from storyline.analyze.annotate import unsupported_reason
    from storyline.analyze.nlp import load_pipeline, parse_stream
    from storyline.analyze.reuse import ParagraphCache

    report = AnalyzeReport()
    nlp = load_pipeline(settings.spacy_model, settings.spacy_matmul)
    annotator = Annotator.for_store(store, settings)

    def texts() -> Iterator[tuple[Article, str | None]]:
        for batch in analysis_batches(store, settings.analysis_batch_size, redo):
            for article in batch:
                readable = unsupported_reason(article, settings.spacy_model) is None
                yield article, article.text if readable else None

    processes = parse_processes(settings, store, redo)
    cache = ParagraphCache(settings.analysis_reuse_tokens)
    stream = parse_stream(nlp, texts(), settings.analysis_batch_size, processes, cache)
    for article, parsed in stream:
        if progress:
            progress(article.title or article.id or "")
        annotate_one(article, parsed, annotator, report, strict)
        store.save_analysis(article)
    return report


@dataclass(slots=True)
class Annotator:
    """What annotating a parse needs, loaded once per run: the entity registry grows with each
    article, in order, so a surname alone joins a full name seen earlier."""

    settings: Settings
    registry: EntityRegistry
    geocoder: Geocoder

    @classmethod
    def for_store(cls, store: Store, settings: Settings) -> Annotator:
        from storyline.analyze.entities import EntityRegistry
        from storyline.analyze.places import load_geocoder

        registry = EntityRegistry()
        for key, name in store.known_people():
            registry.add_person(key, name)
        return cls(settings, registry, load_geocoder())


def annotate_one(
    article: Article,
    parsed: Parsed | None,
    annotator: Annotator,
    report: AnalyzeReport,
    strict: bool = False,
) -> Article:
    """Annotate one article from its parse (None: a language the pipeline cannot read); a stage
    that fails leaves the article with no annotations and the reason, reported once."""
    from storyline.analyze.annotate import annotate_parsed, clear_annotations, unsupported_reason

    try:
        if parsed is not None:
            annotate_parsed(article, parsed, annotator.registry, annotator.geocoder)
            report.analyzed += 1
        else:
            reason = unsupported_reason(article, annotator.settings.spacy_model) or ""
            clear_annotations(article, reason).mark(Stage.ANALYZED)
            report.not_supported += 1
    except Exception as exc:
        if strict:
            raise
        note = f"analysis failed: {type(exc).__name__}: {exc}"[:500]
        clear_annotations(article, note)
        report.failures.append(IngestFailure(article.source, note))
    return article
