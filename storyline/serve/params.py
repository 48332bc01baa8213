"""Serve: the query and path parameters the API routes share, bounded so that no value can
reach the database out of the range of its integer columns (32-bit on PostgreSQL)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_ID = 2_147_483_647

Limit = Annotated[int, Query(ge=1, le=500, description="Page size.")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="Items to skip.")]
StoryId = Annotated[int, Path(ge=1, le=MAX_ID, description="Story id")]
StoryFilter = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="Only this story's (its id)")
]
