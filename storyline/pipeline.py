"""Runs the stages in order over many articles: ingest → clean → store → analyze → assign.

Stages never touch the database; this runner persists what they return, one article per
transaction, so a kill at any point leaves no half-written article and a re-run resumes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from storyline.assign.dedup import CopyIndex, from_bytes, signature, to_bytes
from storyline.assign.stories import StoryGrouper, story_text
from storyline.clean.article import clean_article
from storyline.config import Settings
from storyline.errors import StorageError, StorylineError
from storyline.ingest.sources import read_sources
from storyline.model import Article, IngestFailure, IngestReport, Stage
from storyline.store import Store

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
    report = IngestReport()
    for item in read_sources(specs, settings):
        if progress:
            progress(item.source)
        if isinstance(item, IngestFailure):
            report.failures.append(item)
            continue
        try:
            article = clean_article(item, settings)
            article_id, is_new = store.add_article(article)
        except StorageError:
            raise  # the database itself failed: every later item would fail the same way
        except StorylineError as exc:
            report.failures.append(IngestFailure(item.source, str(exc)))
            continue
        except Exception as exc:  # a parser bug on one odd page must not stop a batch
            if strict:
                raise
            report.failures.append(
                IngestFailure(
                    item.source,
                    f"unexpected {type(exc).__name__} while cleaning ({exc}); "
                    "the item was skipped: please report it with the input",
                )
            )
            continue
        (report.ingested if is_new else report.duplicates).append(article_id)
    return report


@dataclass(slots=True)
class AssignReport:
    """What story assignment did."""

    assigned: int = 0
    new_stories: int = 0
    copies: int = 0


def _window(articles: list[Article], days: float) -> tuple[datetime, datetime]:
    """The time span whose placed articles can receive the pending ones (clamped to valid dates)."""
    times = [a.when for a in articles if a.when is not None]
    window = timedelta(days=days)
    low, high = min(times), max(times)
    start = low - window if low - datetime.min.replace(tzinfo=UTC) > window else low
    end = high + window if datetime.max.replace(tzinfo=UTC) - high > window else high
    return start, end


def assign_pending(
    store: Store, settings: Settings, progress: Progress | None = None
) -> AssignReport:
    """Place every article not yet in a story: as a copy of an earlier one, in a story, or new."""
    report = AssignReport()
    pending = store.pending_assignment()
    if not pending:
        return report
    context = store.assigned_between(*_window(pending, settings.story_window_days))
    grouper = StoryGrouper(settings, [story_text(a) for a in context + pending])
    copies = CopyIndex(settings)
    by_id: dict[str, Article] = {}
    touched: set[int] = set()  # stories that grew: their titles are chosen again at the end
    for article, vector in zip(context, grouper.vectors(context), strict=True):
        by_id[article.id or ""] = article
        minhash = from_bytes(article.signature, settings) if article.signature else None
        if minhash is not None and article.duplicate_of is None:
            copies.add(article.id or "", minhash)
        if article.story_id is not None:
            grouper.add(article.story_id, article, vector)
    for article, vector in zip(pending, grouper.vectors(pending), strict=True):
        if progress:
            progress(article.title or article.id or "")
        minhash = signature(article.text, settings)
        article.signature = to_bytes(minhash)
        repoint = _mark_copy(article, copies.matches(minhash), by_id)
        for old_original in repoint:
            copies.remove(old_original)
        if article.duplicate_of is not None:
            story_id: int | None = by_id[article.duplicate_of].story_id
        elif repoint:
            story_id = by_id[repoint[0]].story_id
        else:
            story_id, _ = grouper.best(vector, article.when)  # type: ignore[arg-type]
        article.story_id = story_id
        moved = {aid: by_id[aid].duplicate_similarity for aid in repoint}
        saved = store.save_assignment(article, article.title, moved)
        if saved is None:
            continue  # another process placed it first; its placement stands
        report.copies += bool(article.duplicate_of or repoint)
        if story_id is None:
            report.new_stories += 1
        else:
            touched.add(saved)
        grouper.add(saved, article, vector)
        if article.duplicate_of is None:
            copies.add(article.id or "", minhash)
        by_id[article.id or ""] = article
        report.assigned += 1
    # once per story, not per article: choosing a title looks at every member
    store.set_story_titles({story_id: grouper.title(story_id) for story_id in touched})
    return report


def _mark_copy(
    article: Article, matches: list[tuple[str, float]], by_id: dict[str, Article]
) -> list[str]:
    """Link ``article`` to the earliest copy it matches; return copies that it predates instead.

    The earliest known copy is the original: when the new article is older than the original it
    matches, it becomes the original and the returned ids are re-pointed to it.
    """
    if not matches:
        return []
    original_id, similarity = matches[0]
    while by_id[original_id].duplicate_of in by_id:  # follow a chain to its root
        original_id = by_id[original_id].duplicate_of or original_id
    original = by_id[original_id]
    if original.when is not None and article.when is not None and article.when < original.when:
        followers = [aid for aid, other in by_id.items() if other.duplicate_of == original_id]
        for aid in [original_id, *followers]:
            by_id[aid].duplicate_of = article.id
            by_id[aid].duplicate_similarity = by_id[aid].duplicate_similarity or similarity
        return [original_id, *followers]
    article.duplicate_of, article.duplicate_similarity = original_id, round(similarity, 4)
    return []


@dataclass(slots=True)
class AnalyzeReport:
    """What the analysis stage did."""

    analyzed: int = 0
    not_supported: int = 0  # skipped: a language the pipeline cannot read
    failures: list[IngestFailure] = field(default_factory=list)


def _analysis_batches(store: Store, size: int, redo: bool) -> Iterator[list[Article]]:
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
    seen: set[str] = set()
    while True:
        page = [a for a in store.pending_analysis(limit=size) if a.id not in seen]
        if not page:
            return
        seen.update(a.id or "" for a in page)
        yield page


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
    from storyline.analyze.annotate import (
        annotate_parsed,
        clear_annotations,
        parse_batch,
        unsupported_reason,
    )
    from storyline.analyze.entities import EntityRegistry
    from storyline.analyze.nlp import load_pipeline
    from storyline.analyze.places import load_geocoder

    report = AnalyzeReport()
    nlp = load_pipeline(settings.spacy_model)
    geocoder = load_geocoder()
    registry = EntityRegistry()
    for key, name in store.known_people():
        registry.add_person(key, name)
    for batch in _analysis_batches(store, settings.analysis_batch_size, redo):
        for article, parsed in parse_batch(nlp, batch, settings.spacy_model):
            if progress:
                progress(article.title or article.id or "")
            try:
                if parsed is not None:
                    annotate_parsed(article, parsed, registry, geocoder)
                    report.analyzed += 1
                else:
                    reason = unsupported_reason(article, settings.spacy_model) or ""
                    clear_annotations(article, reason).mark(Stage.ANALYZED)
                    report.not_supported += 1
            except Exception as exc:
                if strict:
                    raise
                note = f"analysis failed: {type(exc).__name__}: {exc}"[:500]
                clear_annotations(article, note)
                report.failures.append(IngestFailure(article.source, note))
            store.save_analysis(article)
    return report
