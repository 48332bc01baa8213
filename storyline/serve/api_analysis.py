"""Serve: API routes over the analysis layer: annotations, entities, quotes, claims."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request

from storyline.serve.params import Limit, Offset
from storyline.serve.schemas import (
    AnnotationsOut,
    ClaimPage,
    EntityOut,
    EntityPage,
    ErrorOut,
    QuotePage,
)
from storyline.serve.views import (
    annotations_json,
    claim_row_json,
    entity_row_json,
    quote_row_json,
)
from storyline.store import Store

_ERRORS: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}, 503: {"model": ErrorOut}}


def add_analysis_routes(app: FastAPI, store: Callable[[Request], Store]) -> None:
    """Register the analysis endpoints on ``app``."""

    @app.get(
        "/api/v1/articles/{article_id}/annotations",
        response_model=AnnotationsOut,
        responses=_ERRORS,
        tags=["analysis"],
    )
    def get_annotations(request: Request, article_id: str) -> dict[str, Any]:
        """Entities, mentions, quotes, numeric claims, dates and places of one article."""
        return annotations_json(store(request).annotations(article_id))

    @app.get("/api/v1/entities", response_model=EntityPage, tags=["analysis"])
    def list_entities(
        request: Request,
        limit: Limit = 50,
        offset: Offset = 0,
        type: Annotated[str | None, Query(description="PERSON, ORG, GPE, LOC, FAC, NORP")] = None,
        name: Annotated[str | None, Query(description="Names containing this text.")] = None,
    ) -> dict[str, Any]:
        """Canonical entities, most mentioned first."""
        rows = store(request).list_entities(type, name, limit, offset)
        return {"items": [entity_row_json(r) for r in rows], "limit": limit, "offset": offset}

    @app.get(
        "/api/v1/entities/{entity_id}",
        response_model=EntityOut,
        responses=_ERRORS,
        tags=["analysis"],
    )
    def get_entity(request: Request, entity_id: str) -> dict[str, Any]:
        """One canonical entity."""
        return asdict(store(request).get_entity(entity_id))

    @app.get("/api/v1/quotes", response_model=QuotePage, tags=["analysis"])
    def list_quotes(
        request: Request,
        limit: Limit = 50,
        offset: Offset = 0,
        speaker: Annotated[
            str | None, Query(description="Speaker name (part) or entity id.")
        ] = None,
        article_id: str | None = None,
    ) -> dict[str, Any]:
        """Quotes with speakers, newest article first."""
        rows = store(request).list_quotes(speaker, article_id, limit, offset)
        return {"items": [quote_row_json(r) for r in rows], "limit": limit, "offset": offset}

    @app.get("/api/v1/claims", response_model=ClaimPage, tags=["analysis"])
    def list_claims(
        request: Request,
        limit: Limit = 50,
        offset: Offset = 0,
        counted: Annotated[str | None, Query(description="What is counted (part).")] = None,
        article_id: str | None = None,
    ) -> dict[str, Any]:
        """Numeric claims, newest article first."""
        rows = store(request).list_claims(counted, article_id, limit, offset)
        return {"items": [claim_row_json(r) for r in rows], "limit": limit, "offset": offset}
