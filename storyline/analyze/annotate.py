"""The analysis stage: one spaCy pass per article, then entities, quotes, times, claims, places.

Takes cleaned articles and returns them annotated (`Article.mentions`, `.entities`, `.quotes`,
`.claims`, `.times`, `.places`). Articles the English pipeline cannot read (another language) are
not annotated and say why in ``analysis_note``; an article with no sentences gets empty lists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date

from storyline.analyze.claims import find_claims
from storyline.analyze.entities import ArticleEntities, EntityRegistry, find_entities
from storyline.analyze.events import find_events
from storyline.analyze.gazetteer import load_gazetteer
from storyline.analyze.nlp import Parsed, load_pipeline, parse_many
from storyline.analyze.places import Geocoder, load_geocoder
from storyline.analyze.quotes import find_quotes
from storyline.analyze.times import find_times
from storyline.config import Settings
from storyline.model import Article, Place, Stage

SUPPORTED_LANGUAGES = {"en"}
PLACE_TYPES = {"GPE", "LOC", "FAC"}


def _anchor(article: Article) -> date | None:
    """The publication day that relative dates are resolved against (None: leave unresolved)."""
    return article.published.date() if article.published else None


def _places(article_id: str, ents: ArticleEntities, geocoder: Geocoder) -> list[Place]:
    countries = {f.country for f in ents.found if f.country}
    places: list[Place] = []
    for mention, found in zip(ents.mentions, ents.found, strict=True):
        kind = (found.key or "").split(":", 1)[0]
        is_place = kind in {"place", "country"} or found.type in PLACE_TYPES
        if not is_place or found.how in {"metonymy", "demonym"} or kind in {"person", "org"}:
            continue  # a place by its linked entity, whatever label spaCy gave the words
        hit = geocoder.locate(found.name or found.text, countries)
        if hit is None:
            places.append(
                Place(mention.span, found.text, None, None, None, None, None, mention.entity_id)
            )
            continue
        places.append(
            Place(
                mention.span,
                found.text,
                hit.country,
                hit.lat,
                hit.lon,
                hit.kind,
                hit.geonames_id,
                mention.entity_id,
            )
        )
    return places


def unsupported_reason(article: Article, model: str) -> str | None:
    """Why the English pipeline ``model`` cannot analyse an article, or None when it can."""
    if article.language and article.language not in SUPPORTED_LANGUAGES:
        return (
            f"not analysed: language {article.language!r} is not supported by the spaCy "
            f"pipeline {model!r}; entities, quotes, claims and dates are left empty rather "
            "than guessed"
        )
    return None


def clear_annotations(article: Article, note: str) -> Article:
    """Leave an article with no annotations and say why."""
    article.mentions, article.entities, article.quotes = [], [], []
    article.claims, article.times, article.places = [], [], []
    article.events = []
    article.analysis_note = note
    return article


def parse_batch(
    nlp: object, batch: list[Article], model: str
) -> list[tuple[Article, Parsed | None]]:
    """Each article with its parse, or None when its language is not supported."""
    readable = [a for a in batch if unsupported_reason(a, model) is None]
    parses = parse_many(nlp, (a.text for a in readable))  # type: ignore[arg-type]
    by_article = {id(a): p for a, p in zip(readable, parses, strict=True)}
    return [(a, by_article.get(id(a))) for a in batch]


def annotate_parsed(
    article: Article, parsed: Parsed, registry: EntityRegistry, geocoder: Geocoder
) -> Article:
    """Fill one article's annotations from its parse."""
    article_id = article.id or ""
    gaz = load_gazetteer()
    ents = find_entities(parsed, article_id, gaz, geocoder, registry)
    article.mentions, article.entities = ents.mentions, ents.entities
    article.quotes = find_quotes(parsed, article_id, ents)
    article.times = find_times(article.text, _anchor(article), article_id)
    article.claims = find_claims(parsed, article_id, article.times, article.quotes)
    article.places = _places(article_id, ents, geocoder)
    day = article.published.date().isoformat() if article.published else None
    article.events = find_events(
        parsed, article_id, ents, article.quotes, article.times, article.places, day
    )
    if article.published is None and article.times:
        article.analysis_note = (
            "publication date unknown: relative dates are kept unresolved, not guessed"
        )
    article.mark(Stage.ANALYZED)
    return article


def analyze_articles(
    articles: Iterable[Article],
    settings: Settings,
    registry: EntityRegistry | None = None,
    progress: Callable[[Article], None] | None = None,
) -> Iterator[Article]:
    """Annotate articles in batches of ``settings.analysis_batch_size``; yields each when done."""
    nlp = load_pipeline(settings.spacy_model, settings.spacy_matmul)
    geocoder = load_geocoder()
    registry = registry if registry is not None else EntityRegistry()
    batch: list[Article] = []
    for article in articles:
        batch.append(article)
        if len(batch) >= settings.analysis_batch_size:
            yield from _run_batch(batch, nlp, settings, registry, geocoder, progress)
            batch = []
    if batch:
        yield from _run_batch(batch, nlp, settings, registry, geocoder, progress)


def _run_batch(
    batch: list[Article],
    nlp: object,
    settings: Settings,
    registry: EntityRegistry,
    geocoder: Geocoder,
    progress: Callable[[Article], None] | None,
) -> Iterator[Article]:
    for article, parsed in parse_batch(nlp, batch, settings.spacy_model):
        if parsed is None:
            clear_annotations(article, unsupported_reason(article, settings.spacy_model) or "")
            article.mark(Stage.ANALYZED)
        else:
            annotate_parsed(article, parsed, registry, geocoder)
        if progress:
            progress(article)
        yield article
