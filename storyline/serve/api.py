"""Serve: the FastAPI application: JSON under /api/v1 and server-rendered pages, one query each."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import UTC, date, datetime, time
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.templating import Jinja2Templates

from storyline import __version__
from storyline.config import Settings
from storyline.errors import (
    ConfigError,
    ForbiddenError,
    IngestError,
    ModelEndpointError,
    NotFoundError,
    StorageError,
    StorylineError,
)
from storyline.fuse.abstractive import abstract_writer
from storyline.fuse.events import FusedEvent, escalation, fuse_events
from storyline.fuse.story_brief import brief_story
from storyline.serve.api_analysis import add_analysis_routes
from storyline.serve.api_events import add_event_routes
from storyline.serve.api_exports import add_export_routes
from storyline.serve.api_feeds import add_feed_routes
from storyline.serve.api_ingest import add_ingest_routes
from storyline.serve.brief_render import brief_html, brief_json, brief_markdown
from storyline.serve.highlight import runs
from storyline.serve.jobs import FeedPoller, JobRunner
from storyline.serve.params import Limit, Offset, StoryFilter, StoryId
from storyline.serve.schemas import (
    ArticleOut,
    ArticlePage,
    ErrorOut,
    SearchPage,
    StoryDetailOut,
    StoryPage,
    StoryPlaceOut,
)
from storyline.serve.svg import actor_network, daily, escalation_bars, sparkline
from storyline.serve.views import (
    annotations_json,
    article_json,
    iso,
    quote_row_json,
    story_detail_json,
    story_json,
    summary_json,
)
from storyline.serve.world_map import outline, places_map, world_svg
from storyline.store import Store

_STATUS = {
    NotFoundError: 404,
    ForbiddenError: 403,
    IngestError: 400,
    ConfigError: 503,  # a setting of the server is missing: the client cannot fix it
    StorageError: 503,
    ModelEndpointError: 502,
}
_ERRORS: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}, 503: {"model": ErrorOut}}


def _status(exc: StorylineError) -> int:
    for cls, status in _STATUS.items():
        if isinstance(exc, cls):
            return status
    return 500


def create_app(settings: Settings) -> FastAPI:
    """The web application over the database named in ``settings``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.store = Store(settings.db_url, settings.db_lock_timeout)
        app.state.jobs = JobRunner(settings)
        poller = FeedPoller(settings, app.state.jobs) if settings.serve_poll_feeds else None
        yield
        if poller is not None:
            poller.close()
        app.state.jobs.close()
        app.state.store.close()

    app = FastAPI(
        title="storyline",
        version=__version__,
        description="Sourced, structured stories from news articles.",
        lifespan=lifespan,
        # every route may answer these, in the one error shape
        responses={
            404: {"model": ErrorOut, "description": "The id names nothing stored"},
            503: {"model": ErrorOut, "description": "The database or a setting is missing"},
        },
    )
    templates = Jinja2Templates(directory=str(Path(str(files("storyline.serve") / "templates"))))

    def store(request: Request) -> Store:
        return request.app.state.store  # type: ignore[no-any-return]

    @app.exception_handler(StorylineError)
    async def storyline_error(request: Request, exc: StorylineError) -> JSONResponse:
        status = _status(exc)
        if not request.url.path.startswith("/api/"):
            return templates.TemplateResponse(  # type: ignore[return-value]
                request, "error.html", {"message": str(exc), "status": status}, status_code=status
            )
        return JSONResponse({"error": {"code": exc.code, "message": str(exc)}}, status_code=status)

    @app.get("/api/v1/health", tags=["meta"])
    def health(request: Request) -> dict[str, Any]:
        """Liveness and the size of the store."""
        db = store(request)
        return {
            "status": "ok",
            "version": __version__,
            "articles": db.count_articles(),
            "stories": db.count_stories(),
        }

    @app.get("/api/v1/articles", response_model=ArticlePage, tags=["articles"])
    def list_articles(
        request: Request,
        limit: Limit = 50,
        offset: Offset = 0,
        story_id: StoryFilter = None,
        outlet: str | None = None,
    ) -> dict[str, Any]:
        """Articles, newest first; filter by story or outlet."""
        db = store(request)
        rows = db.list_articles(limit=limit, offset=offset, story_id=story_id, outlet=outlet)
        total = db.count_articles(story_id=story_id, outlet=outlet)
        return {
            "items": [summary_json(r) for r in rows],
            "total": total,
            "limit": limit,
            "offset": offset,
        }

    @app.get(
        "/api/v1/articles/{article_id}",
        response_model=ArticleOut,
        responses=_ERRORS,
        tags=["articles"],
    )
    def get_article(request: Request, article_id: str) -> dict[str, Any]:
        """One article with clean text and the lines cleaning removed."""
        return article_json(store(request).get_article(article_id))

    @app.get("/api/v1/stories", response_model=StoryPage, tags=["stories"])
    def list_stories(
        request: Request,
        limit: Limit = 50,
        offset: Offset = 0,
        since: Annotated[
            datetime | None,
            Query(description="only stories with an article at or after this date (ISO 8601)"),
        ] = None,
    ) -> dict[str, Any]:
        """Stories, most recently active first; with ``since``, only those active since then."""
        db = store(request)
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return {
            "items": [story_json(s) for s in db.list_stories(limit, offset, since)],
            "total": db.count_stories(since),
            "limit": limit,
            "offset": offset,
        }

    @app.get(
        "/api/v1/stories/{story_id}",
        response_model=StoryDetailOut,
        responses=_ERRORS,
        tags=["stories"],
    )
    def get_story(request: Request, story_id: StoryId) -> dict[str, Any]:
        """One story: its events, articles (oldest first), recorded merges and splits, and its
        tree (events → original articles → their copies). A merged story's id gives the story
        it was merged into."""
        return _story_detail(store(request), story_id)

    @app.get(
        "/api/v1/stories/{story_id}/places",
        response_model=list[StoryPlaceOut],
        responses=_ERRORS,
        tags=["stories"],
    )
    def get_story_places(request: Request, story_id: StoryId) -> list[dict[str, Any]]:
        """The places the story's articles mention, most mentioned first (the story page's
        map)."""
        db = store(request)
        return db.story_places(db.get_story(story_id).id)

    @app.get(
        "/api/v1/stories/{story_id}/brief",
        response_model=None,
        responses={
            **_ERRORS,
            400: {"model": ErrorOut, "description": "abstractive asked for, no model set"},
            502: {"model": ErrorOut, "description": "the model endpoint failed"},
            200: {
                "description": "The brief as JSON (default), Markdown or HTML",
                "content": {
                    "application/json": {},
                    "text/markdown": {},
                    "text/html": {},
                },
            },
        },
        tags=["stories"],
    )
    def get_brief(
        request: Request,
        story_id: StoryId,
        since: Annotated[
            datetime | None,
            Query(description="An update: only what was first reported at or after this time."),
        ] = None,
        format: Annotated[str, Query(pattern="^(json|md|html)$")] = "json",
        abstractive: Annotated[
            bool,
            Query(
                description="Also a briefing written by the model at the abstractive_url "
                "setting, each sentence checked against its sources (off by default)."
            ),
        ] = False,
    ) -> Any:
        """A story's briefing: 5-12 extractive sentences, each with the articles it rests on;
        key quotes across outlets; figures with corroboration counts and conflicts; a timeline;
        who reported first and who republished whom. Every item carries its sources' spans."""
        db = store(request)
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        writer = abstract_writer(settings) if abstractive else None
        story = db.get_story(story_id)
        result = brief_story(story, db.story_material(story.id), since, writer=writer)
        if format == "json":
            return brief_json(result)
        titles = {a["id"]: a["title"] for a in db.list_articles(story_id=story.id, limit=100_000)}
        if format == "html":
            return HTMLResponse(brief_html(result, titles))
        return PlainTextResponse(brief_markdown(result, titles), media_type="text/markdown")

    add_analysis_routes(app, store)
    add_event_routes(app, store)
    add_export_routes(app, store)
    add_ingest_routes(app, settings, lambda request: request.app.state.jobs, templates)
    add_feed_routes(app, settings, store, lambda request: request.app.state.jobs, templates)

    def _search(
        db: Store, params: dict[str, Any], limit: int, offset: int
    ) -> tuple[list[dict[str, Any]], int]:
        since, until = params.get("since"), params.get("until")
        rows, total = db.search_articles(
            params.get("q") or "",
            since=datetime.combine(since, time.min, UTC) if since else None,
            until=datetime.combine(until, time.max, UTC) if until else None,
            outlet=params.get("outlet") or None,
            language=params.get("language") or None,
            entity_id=params.get("entity") or None,
            limit=limit,
            offset=offset,
        )
        for row in rows:
            row["published"] = iso(row["published"])
        return rows, total

    @app.get("/api/v1/search", response_model=SearchPage, tags=["articles"])
    def search(
        request: Request,
        q: Annotated[str, Query(min_length=1, description="Words that must all occur")],
        since: Annotated[
            date | None, Query(description="Published on or after (YYYY-MM-DD)")
        ] = None,
        until: Annotated[date | None, Query(description="Published on or before")] = None,
        outlet: Annotated[str | None, Query(description="Outlet host, as listed")] = None,
        language: Annotated[str | None, Query(description="ISO 639-1 code: en, de ...")] = None,
        entity: Annotated[str | None, Query(description="Entity id that must be mentioned")] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        """Full-text search over titles and text (every word must occur), best match first,
        with the text around the first match; filters by dates, outlet, language and entity."""
        params = {"q": q, "since": since, "until": until, "outlet": outlet,
                  "language": language, "entity": entity}  # fmt: skip
        rows, total = _search(store(request), params, limit, offset)
        return {"items": rows, "total": total, "limit": limit, "offset": offset}

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(
        request: Request,
        q: str = "",
        since: Annotated[date | None, Query()] = None,
        until: Annotated[date | None, Query()] = None,
        outlet: str = "",
        language: str = "",
        entity: str = "",
    ) -> HTMLResponse:
        params = {"q": q, "since": since, "until": until, "outlet": outlet,
                  "language": language, "entity": entity}  # fmt: skip
        rows, total = _search(store(request), params, 100, 0) if q.strip() else ([], 0)
        context = {"params": params, "results": rows, "total": total}
        return templates.TemplateResponse(request, "search.html", context)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def stories_page(request: Request) -> HTMLResponse:
        db = store(request)
        items = [_story_detail(db, s.id) for s in db.list_stories(limit=200)]
        counts = db.daily_counts([item["id"] for item in items])
        lines = {item["id"]: sparkline(daily(counts.get(item["id"], {}))) for item in items}
        context = {"stories": items, "sparklines": lines}
        return templates.TemplateResponse(request, "stories.html", context)

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(request: Request, story_id: StoryId) -> HTMLResponse:
        db = store(request)
        story = db.get_story(story_id)
        detail = story_detail_json(story, db.list_articles(story_id=story.id, limit=100_000))
        brief = brief_json(brief_story(story, db.story_material(story.id)))
        articles = detail["articles"]
        fused = fuse_events(db.list_events(story_id=story.id, limit=None))
        context = {
            "story": detail,
            "brief": brief,
            "network": actor_network(fused),
            "escalations": _escalations(fused),
            "numbers": {a["id"]: n for n, a in enumerate(articles, start=1)},
            "titles": {a["id"]: a["title"] for a in articles},
        }
        places = db.story_places(story.id)
        context["places"], context["world_map"] = places, places_map(places)
        return templates.TemplateResponse(request, "story.html", context)

    @app.get("/map/world.svg", include_in_schema=False)
    def world_outline() -> Response:
        """The world outline behind every story map (cached by the browser for a day)."""
        if not outline():
            return Response(status_code=404)
        headers = {"Cache-Control": "public, max-age=86400"}
        return Response(world_svg(), media_type="image/svg+xml", headers=headers)

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(
        request: Request,
        article_id: str,
        hl: Annotated[str | None, Query(pattern=r"^\d+-\d+$")] = None,
    ) -> HTMLResponse:
        db = store(request)
        article = article_json(db.get_article(article_id))
        found = annotations_json(db.annotations(article_id))
        cited = None  # the span a citation pointed to, highlighted and scrolled to
        if hl:
            start, end = (int(v) for v in hl.split("-"))
            if 0 <= start < end <= len(article["text"]):
                cited = (start, end)
        context = {
            "article": article,
            "annotations": found,
            "runs": runs(article["text"], found, cited),
        }
        return templates.TemplateResponse(request, "article.html", context)

    @app.get("/entities/{entity_id}", response_class=HTMLResponse, include_in_schema=False)
    def entity_page(request: Request, entity_id: str) -> HTMLResponse:
        db = store(request)
        entity = db.get_entity(entity_id)
        said = [quote_row_json(r) for r in db.list_quotes(speaker=entity_id, limit=500)]
        mentioned = db.entity_articles(entity_id, limit=500)
        for row in mentioned:
            row["published"] = iso(row["published"])
        days: dict[str, int] = {}
        for row in mentioned:
            day = (row["published"] or "undated")[:10]
            days[day] = days.get(day, 0) + 1
        context = {
            "entity": asdict(entity),
            "quotes": said,
            "articles": mentioned,
            "days": sorted(days.items()),
            "most": max(days.values(), default=1),
        }
        return templates.TemplateResponse(request, "entity.html", context)

    return app


def _escalations(fused: list[FusedEvent], most: int = 3) -> list[tuple[str, str, str]]:
    """The busiest pairs of actors with their escalation chart: (a, b, svg)."""
    pairs: dict[tuple[str, str], int] = {}
    for event in fused:
        if event.status == "happened" and event.actor and event.target:
            key = tuple(sorted((event.actor, event.target)))
            pairs[(key[0], key[1])] = pairs.get((key[0], key[1]), 0) + 1
    charts = []
    for a, b in sorted(pairs, key=lambda pair: (-pairs[pair], pair)):
        chart = escalation_bars(escalation(fused, a, b))  # empty when no event has a day
        if chart:
            charts.append((a, b, chart))
        if len(charts) == most:
            break
    return charts


def _story_detail(db: Store, story_id: int) -> dict[str, Any]:
    story = db.get_story(story_id)
    return story_detail_json(story, db.list_articles(story_id=story.id, limit=100_000))
