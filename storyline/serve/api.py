"""Serve: the FastAPI application: JSON under /api/v1 and server-rendered pages, one query each."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

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
from storyline.fuse.story_brief import brief_story
from storyline.serve.api_analysis import add_analysis_routes
from storyline.serve.api_events import add_event_routes
from storyline.serve.api_exports import add_export_routes
from storyline.serve.api_feeds import add_feed_routes
from storyline.serve.api_ingest import add_ingest_routes, remove_stale_uploads
from storyline.serve.brief_render import brief_html, brief_json, brief_markdown
from storyline.serve.cache import PageCache
from storyline.serve.jobs import FeedPoller, JobRunner
from storyline.serve.pages import add_page_routes, search_rows
from storyline.serve.params import Limit, Offset, StoryFilter, StoryId
from storyline.serve.read_only import refuse_writes_when_read_only
from storyline.serve.schemas import (
    ArticleOut,
    ArticlePage,
    ErrorOut,
    SearchPage,
    StoryDetailOut,
    StoryPage,
    StoryPlaceOut,
)
from storyline.serve.security import Guard, csrf_token, http_url
from storyline.serve.views import (
    article_json,
    story_detail_json,
    story_json,
    summary_json,
)
from storyline.store import Store
from storyline.store.changes import ChangeWatch

_STATUS = {
    NotFoundError: 404,
    ForbiddenError: 403,
    IngestError: 400,
    ConfigError: 503,  # a setting of the server is missing: the client cannot fix it
    StorageError: 503,
    ModelEndpointError: 502,
}
_ERRORS: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}, 503: {"model": ErrorOut}}
_HTTP_CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    422: "invalid_request",
}


def _status(exc: StorylineError) -> int:
    for cls, status in _STATUS.items():
        if isinstance(exc, cls):
            return status
    return 500


def create_app(settings: Settings) -> FastAPI:
    """The web application over the database named in ``settings``."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        remove_stale_uploads()  # left by a server killed mid-job
        # Reads answered from the cache never take a thread; those built take one of a few, so
        # that a burst of misses (their SQLite calls run outside the interpreter's lock, on
        # every core) leaves a core to the ingest job's worker process.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.serve_threads
        app.state.store = Store(settings.db_url, settings.db_lock_timeout)
        app.state.changes = ChangeWatch(app.state.store.engine)
        app.state.jobs = JobRunner(settings)
        poller = FeedPoller(settings, app.state.jobs) if settings.serve_poll_feeds else None
        yield
        if poller is not None:
            poller.close()
        app.state.jobs.close()
        app.state.changes.close()
        app.state.store.close()

    app = FastAPI(
        title="storyline",
        version=__version__,
        description="Sourced, structured stories from news articles.",
        lifespan=lifespan,
        dependencies=[Depends(refuse_writes_when_read_only)],
        # every route may answer these, in the one error shape
        responses={
            404: {"model": ErrorOut, "description": "The id names nothing stored"},
            503: {"model": ErrorOut, "description": "The database or a setting is missing"},
        },
    )
    templates = Jinja2Templates(directory=str(Path(str(files("storyline.serve") / "templates"))))
    templates.env.globals["csrf_token"] = csrf_token
    templates.env.filters["http_url"] = http_url
    app.add_middleware(
        PageCache, markers=lambda scope: _marker(app, scope)
    )  # inside Guard: no cookies kept
    app.add_middleware(Guard, settings=settings)
    static = Path(str(files("storyline.serve") / "static"))
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    def store(request: Request) -> Store:
        return request.app.state.store  # type: ignore[no-any-return]

    def error(request: Request, status: int, code: str, message: str) -> Response:
        """The one error shape: ``{"error": {code, message}}`` under /api/, a page elsewhere."""
        if not request.url.path.startswith("/api/"):
            context = {"message": message, "status": status}
            return templates.TemplateResponse(request, "error.html", context, status_code=status)
        return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)

    @app.exception_handler(StorylineError)
    async def storyline_error(request: Request, exc: StorylineError) -> Response:
        return error(request, _status(exc), exc.code, str(exc))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        if exc.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path[:200]}; check the address"
        answer = error(request, exc.status_code, code, message)
        answer.headers.update(exc.headers or {})
        return answer

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        # a bug: the traceback goes to the server log (uvicorn logs it), the client gets the shape
        return error(request, 500, "internal_error", "internal error; see the server's log")

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        return error(request, 422, "invalid_request", _validation_message(exc))

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
        listed = db.list_articles(story_id=story.id, limit=100_000)
        titles = {a["id"]: a["title"] for a in listed}
        urls = {a["id"]: a.get("url") for a in listed}
        if format == "html":
            return HTMLResponse(brief_html(result, titles, urls))
        return PlainTextResponse(brief_markdown(result, titles, urls), media_type="text/markdown")

    add_analysis_routes(app, store)
    add_event_routes(app, store)
    add_export_routes(app, store)
    add_ingest_routes(app, settings, lambda request: request.app.state.jobs, templates)
    add_feed_routes(app, settings, store, lambda request: request.app.state.jobs, templates)

    @app.get("/api/v1/search", response_model=SearchPage, tags=["articles"])
    def search(
        request: Request,
        q: Annotated[str, Query(min_length=1, description="Words that must all occur")],
        since: Annotated[
            date | None, Query(description="Published on or after (YYYY-MM-DD)")
        ] = None,
        until: Annotated[date | None, Query(description="Published on or before")] = None,
        outlet: Annotated[
            str | None, Query(description="Outlet: its key as listed (cnn.com), or its name")
        ] = None,
        language: Annotated[str | None, Query(description="ISO 639-1 code: en, de ...")] = None,
        entity: Annotated[str | None, Query(description="Entity id that must be mentioned")] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        """Full-text search over titles and text (every word must occur), best match first,
        with the text around the first match; filters by dates, outlet, language and entity."""
        params = {"q": q, "since": since, "until": until, "outlet": outlet,
                  "language": language, "entity": entity}  # fmt: skip
        rows, total = search_rows(store(request), params, limit, offset)
        return {"items": rows, "total": total, "limit": limit, "offset": offset}

    add_page_routes(app, store, templates)

    return app


def _marker(app: FastAPI, scope: str) -> str:
    """The store's change marker for ``scope`` ("stories" or "articles"), or one that matches
    nothing before the store is open."""
    watch: ChangeWatch | None = getattr(app.state, "changes", None)
    if watch is None:
        return f"closed:{time.monotonic()}"
    return watch.stories_marker() if scope == "stories" else watch.marker()


def _validation_message(exc: RequestValidationError) -> str:
    """FastAPI's validation errors as one line: ``query page: Input should be greater than or
    equal to 1; ...``."""
    parts = []
    for problem in exc.errors()[:5]:
        where = " ".join(str(part) for part in problem.get("loc", ()))
        parts.append(f"{where}: {problem.get('msg', 'invalid')}"[:200])
    return "; ".join(parts) or "the request is not valid"


def _story_detail(db: Store, story_id: int) -> dict[str, Any]:
    story = db.get_story(story_id)
    return story_detail_json(story, db.list_articles(story_id=story.id, limit=100_000))
