"""Serve: feeds the web server polls in the background (`FeedPoller`): register, list with their
polling state, remove, and poll now. Writes need the API token as ingest does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field

from storyline.config import Settings
from storyline.errors import IngestError
from storyline.ingest.sources import is_url
from storyline.serve.api_ingest import WRITE_ERRORS
from storyline.serve.jobs import JobRunner
from storyline.serve.security import check_form, check_writer
from storyline.serve.views import iso
from storyline.store import Store


class FeedIn(BaseModel):
    """A feed to poll."""

    url: str = Field(
        description="RSS or Atom feed URL (http or https)",
        pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://[^ \t\r\n]+$",
        max_length=2000,
    )


def feed_rows(store: Store) -> list[dict[str, Any]]:
    """Registered feeds with their polling state, as JSON."""
    return [
        {
            "url": url,
            "added_at": iso(added),
            "last_polled": iso(state.last_polled),
            "next_poll": iso(state.next_poll),
            "failures": state.failures,
            "last_error": state.last_error,
            "articles": state.articles,
        }
        for url, added, state in store.registered_feeds()
    ]


def _register(store: Store, url: str) -> bool:
    url = url.strip()
    if not is_url(url):
        raise IngestError(f"{url!r} is not an http(s) URL; give the feed's address")
    return store.register_feed(url)


def add_feed_routes(
    app: FastAPI,
    settings: Settings,
    store: Callable[[Request], Store],
    runner: Callable[[Request], JobRunner],
    templates: Jinja2Templates,
) -> None:
    """Register the feed endpoints and page on ``app``."""

    def poll_now(request: Request) -> dict[str, Any] | None:
        feeds = [url for url, _, _ in store(request).registered_feeds()]
        job = runner(request).submit_poll(feeds) if feeds else None
        return job.as_dict() if job else None

    @app.get("/api/v1/feeds", tags=["feeds"])
    def list_feeds(request: Request) -> list[dict[str, Any]]:
        """Feeds the server polls, with when each was polled, when it is due, its failures in a
        row and last error, and how many new articles it has given."""
        return feed_rows(store(request))

    @app.post("/api/v1/feeds", status_code=201, tags=["feeds"], responses=WRITE_ERRORS)
    def register_feed(request: Request, feed: FeedIn) -> JSONResponse:
        """Poll this feed from now on (at the watch_interval setting). Needs the API token when
        the server has one."""
        check_writer(request, settings)
        created = _register(store(request), feed.url)
        return JSONResponse({"url": feed.url.strip(), "created": created}, status_code=201)

    @app.delete("/api/v1/feeds", tags=["feeds"], responses=WRITE_ERRORS)
    def remove_feed(
        request: Request, url: Annotated[str, Query(description="The feed URL")]
    ) -> dict[str, str]:
        """Stop polling a feed; its articles stay."""
        check_writer(request, settings)
        store(request).unregister_feed(url)
        return {"removed": url}

    @app.post("/api/v1/feeds/poll", status_code=202, tags=["feeds"], responses=WRITE_ERRORS)
    def poll(request: Request) -> JSONResponse:
        """Poll the due feeds now (a job, as ingest); null when a round is already under way."""
        check_writer(request, settings)
        return JSONResponse(poll_now(request), status_code=202)

    @app.get("/feeds", response_class=HTMLResponse, include_in_schema=False)
    def feeds_page(request: Request) -> HTMLResponse:
        context = {"feeds": feed_rows(store(request)), "needs_token": bool(settings.api_token)}
        return templates.TemplateResponse(request, "feeds.html", context)

    @app.post("/feeds", include_in_schema=False)
    def feeds_form(
        request: Request,
        action: Annotated[str, Form()],
        url: Annotated[str, Form()] = "",
        token: Annotated[str | None, Form()] = None,
        csrf: Annotated[str | None, Form()] = None,
    ) -> RedirectResponse:
        check_form(request, csrf)
        check_writer(request, settings, token)
        if action == "add":
            _register(store(request), url)
        elif action == "remove":
            store(request).unregister_feed(url)
        elif action == "poll":
            job = poll_now(request)
            if job:
                return RedirectResponse(f"/ingest/jobs/{job['id']}", status_code=303)
        return RedirectResponse("/feeds", status_code=303)
