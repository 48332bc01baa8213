"""Serve: response models of the REST API (they make the OpenAPI schema exact)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class RemovedLineOut(BaseModel):
    """A line cleaning removed, and why."""

    line: str
    reason: str
    position: int


class ArticleSummaryOut(BaseModel):
    """An article in a listing."""

    id: str
    title: str | None
    outlet: str | None
    url: str | None
    published: str | None = Field(description="ISO 8601; null when unknown")
    language: str | None
    story_id: int | None
    duplicate_of: str | None = Field(description="id of the earliest copy, when this is a copy")
    source_kind: str
    ingested_at: str | None


class ArticleOut(BaseModel):
    """A whole article: metadata, clean text and the lines cleaning removed."""

    id: str
    title: str | None
    outlet: str | None
    url: str | None
    canonical_url: str | None
    source: str
    source_kind: str
    published: str | None
    published_source: str | None
    published_note: str | None = Field(description="why the date is unknown, when it is")
    language: str | None
    language_score: float | None
    encoding: str | None
    encoding_note: str | None
    fetched_at: str | None
    ingested_at: str | None
    stages: list[str]
    content_hash: str | None
    duplicate_of: str | None
    duplicate_similarity: float | None
    story_id: int | None
    text: str
    removed_lines: list[RemovedLineOut]


class StoryOut(BaseModel):
    """A story: its title, time span, outlets and articles (ids, oldest first)."""

    id: int
    title: str
    first_seen: str | None
    last_seen: str | None
    article_count: int
    outlets: list[str]
    article_ids: list[str]


class StoryDetailOut(StoryOut):
    """A story with its article summaries, oldest first."""

    articles: list[ArticleSummaryOut]


class ArticlePage(BaseModel):
    """One page of articles."""

    items: list[ArticleSummaryOut]
    total: int
    limit: int
    offset: int


class StoryPage(BaseModel):
    """One page of stories."""

    items: list[StoryOut]
    total: int
    limit: int
    offset: int


class ErrorBody(BaseModel):
    """What went wrong and what to do."""

    code: str
    message: str


class ErrorOut(BaseModel):
    """The one error shape of the API."""

    error: ErrorBody
