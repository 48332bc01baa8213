"""Web dashboard: the HTML pages (stories, a story, an article, an entity, search) and the
world outline behind story maps. Pages are rendered on the server from the same store queries as
the API; long lists come a page at a time with links to the pages around."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, date, datetime, time
from math import ceil
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from storyline.fuse.events import FusedEvent, escalation, fuse_events
from storyline.fuse.story_brief import brief_story
from storyline.serve.brief_render import brief_json
from storyline.serve.highlight import runs
from storyline.serve.params import StoryId
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

STORIES_PAGE = 25  # stories per page of the stories page
STORY_PREVIEW = 8  # articles listed under each story there
SEARCH_PAGE = 50  # results per search page
PageNumber = Annotated[int, Query(ge=1, le=1_000_000, description="Page, from 1")]


def paging(page: int, total: int, size: int, path: str, params: dict[str, Any]) -> dict[str, Any]:
    """Where this page is and the links to the previous and next ones (None at the ends)."""
    pages = max(1, ceil(total / size))
    kept = {k: v for k, v in params.items() if v not in (None, "")}

    def link(number: int) -> str | None:
        if not 1 <= number <= pages:
            return None
        query = urlencode({**kept, "page": number} if number > 1 else kept)
        return f"{path}?{query}" if query else path

    return {"page": page, "pages": pages, "prev": link(page - 1), "next": link(page + 1)}


def search_rows(
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
        row["outlet_name"] = row["outlet_name"] or row["outlet"]
    return rows, total


def add_page_routes(
    app: FastAPI, store: Callable[[Request], Store], templates: Jinja2Templates
) -> None:
    """Register the HTML pages on ``app``."""

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(
        request: Request,
        q: str = "",
        since: Annotated[date | None, Query()] = None,
        until: Annotated[date | None, Query()] = None,
        outlet: str = "",
        language: str = "",
        entity: str = "",
        page: PageNumber = 1,
    ) -> HTMLResponse:
        params = {"q": q, "since": since, "until": until, "outlet": outlet,
                  "language": language, "entity": entity}  # fmt: skip
        offset = (page - 1) * SEARCH_PAGE
        found = search_rows(store(request), params, SEARCH_PAGE, offset) if q.strip() else None
        rows, total = found or ([], 0)
        context = {
            "params": params,
            "results": rows,
            "total": total,
            "first": offset + 1,
            "paging": paging(page, total, SEARCH_PAGE, "/search", params),
        }
        return templates.TemplateResponse(request, "search.html", context)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def stories_page(request: Request, page: PageNumber = 1) -> HTMLResponse:
        db = store(request)
        offset = (page - 1) * STORIES_PAGE
        total = db.count_stories()
        items = []
        for story in db.list_stories(limit=STORIES_PAGE, offset=offset):
            item = story_json(story)
            shown = db.list_articles(story_id=story.id, limit=STORY_PREVIEW)
            item["articles"] = [summary_json(row) for row in shown]
            items.append(item)
        counts = db.daily_counts([item["id"] for item in items])
        lines = {item["id"]: sparkline(daily(counts.get(item["id"], {}))) for item in items}
        context = {
            "stories": items,
            "sparklines": lines,
            "total": total,
            "articles_stored": db.count_articles(),
            "first": offset + 1,
            "paging": paging(page, total, STORIES_PAGE, "/", {}),
        }
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
