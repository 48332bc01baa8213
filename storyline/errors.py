"""Errors raised by storyline. Every message says what happened and what to do next.

StorylineError
├── ConfigError          a setting is missing or invalid
├── IngestError          an input could not be read
│   ├── EmptyInputError      nothing in it
│   ├── BinaryInputError     not text or HTML
│   ├── TooLargeError        over the size limit for one article
│   ├── FetchError           a URL could not be fetched
│   ├── FeedError            a feed could not be parsed
│   └── ParseError           a record (JSONL line, WARC record, HTML page) is malformed
├── ExtractionError      cleaning found no article text
├── StorageError         the database refused or is unreachable
│   └── ReadOnlyError        a write to a database open read-only (newer schema, read-only file)
├── ModelEndpointError   the language model endpoint failed (abstractive briefing only)
├── NotFoundError        an id names nothing stored
└── ForbiddenError       a write without the API token the server requires
"""

from __future__ import annotations


class StorylineError(Exception):
    """Base of every error storyline raises on purpose."""

    code = "storyline_error"


class ConfigError(StorylineError):
    """A setting is missing or invalid."""

    code = "config_error"


class IngestError(StorylineError):
    """An input could not be read."""

    code = "ingest_error"


class EmptyInputError(IngestError):
    """The input holds no text."""

    code = "empty_input"


class BinaryInputError(IngestError):
    """The input is binary data, not text or HTML."""

    code = "binary_input"


class TooLargeError(IngestError):
    """The input is larger than one article can plausibly be."""

    code = "too_large"


class FetchError(IngestError):
    """A URL could not be fetched."""

    code = "fetch_error"


class FeedError(IngestError):
    """A feed is not valid RSS or Atom."""

    code = "feed_error"


class ParseError(IngestError):
    """A record inside an input is malformed."""

    code = "parse_error"


class ExtractionError(StorylineError):
    """Cleaning found no article text."""

    code = "extraction_error"


class StorageError(StorylineError):
    """The database refused an operation or could not be reached."""

    code = "storage_error"


class ReadOnlyError(StorageError):
    """A write to a database that is open read-only: written by a newer storyline, or a file
    this process may not write."""

    code = "read_only"


class ModelEndpointError(StorylineError):
    """The language model endpoint of the abstractive briefing failed or answered nonsense."""

    code = "model_endpoint_error"


class NotFoundError(StorylineError):
    """An id names nothing that is stored."""

    code = "not_found"


class ForbiddenError(StorylineError):
    """A write was asked for without the API token the server requires."""

    code = "forbidden"
