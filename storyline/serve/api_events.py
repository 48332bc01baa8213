"""Serve: API routes over coded political events: the event list and escalation curves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Query, Request

from storyline.analyze.actors import known_actor_code, unknown_code_message
from storyline.fuse.events import escalation, fuse_events
from storyline.serve.event_export import event_records
from storyline.serve.params import Limit, Offset, StoryFilter
from storyline.serve.schemas import DayIntensityOut, EventPage
from storyline.store import Store

Code = Annotated[
    str | None, Query(description="Actor code: RUS (and its sectors RUSGOV, RUSMIL ...), NATO")
]
Day = Annotated[date | None, Query(description="YYYY-MM-DD")]


def add_event_routes(app: FastAPI, store: Callable[[Request], Store]) -> None:
    """Register the political event endpoints on ``app``."""

    @app.get("/api/v1/events", response_model=EventPage, tags=["events"])
    def list_events(
        request: Request,
        actor: Code = None,
        target: Code = None,
        type: Annotated[str | None, Query(description="PLOVER type: THREATEN ...")] = None,
        since: Day = None,
        until: Day = None,
        story_id: StoryFilter = None,
        all: Annotated[bool, Query(description="Include negated and hypothetical events")] = False,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        """Political events fused across articles, oldest day first: who did what to whom, the
        CAMEO code and Goldstein intensity, and how many independent sources report it."""
        found = store(request).list_events(
            actor, target, type, since, until, story_id, happened_only=not all, limit=None
        )
        records = event_records(fuse_events(found))
        page = records[offset : offset + limit]
        return {"items": page, "total": len(records), "limit": limit, "offset": offset}

    @app.get("/api/v1/escalation", response_model=list[DayIntensityOut], tags=["events"])
    def get_escalation(
        request: Request,
        a: Annotated[str, Query(min_length=2, description="First actor code")],
        b: Annotated[str, Query(min_length=2, description="Second actor code")],
        since: Day = None,
        until: Day = None,
        story_id: StoryFilter = None,
    ) -> list[dict[str, Any]]:
        """The daily intensity between two actors, each direction and both (-10 to +10); an
        event whose sentence gives no day counts on its article's date (``article_dated``).
        Unknown actor codes are a 422 in the one error shape."""
        for code in (a, b):
            if not known_actor_code(code):
                raise HTTPException(status_code=422, detail=unknown_code_message(code))
        found = store(request).list_events(
            None, None, None, since, until, story_id, limit=None, pair=(a, b)
        )
        return [d.as_dict() for d in escalation(fuse_events(found), a, b)]
