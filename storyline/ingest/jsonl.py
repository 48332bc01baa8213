"""Ingest stage: read JSONL files, one article per line (url, title, text or html, published)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from storyline.config import Settings
from storyline.errors import IngestError
from storyline.ingest.bounded import BadRun, open_input, skip_blank, skip_line
from storyline.ingest.dates import parse_source_date, precision_note
from storyline.ingest.decode import decode_bytes
from storyline.model import Article, IngestFailure, SourceKind
from storyline.safe_text import quote

# News records nest a level or two; a hundred is far past any real one, and well inside
# Python's recursion limit, which the JSON parser spends one frame of per level.
MAX_JSON_DEPTH = 100
# A JSON string (with its escapes), or one bracket: strings are matched whole so that the
# brackets in them are skipped.
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}]', re.S)


def _with_note(source: str, note: str | None) -> str:
    return f"{source} ({note})" if note else source


def record_to_article(
    record: dict[str, object], source: str, kind: SourceKind = SourceKind.JSONL
) -> Article:
    """Build an Article from one record (a JSON line, a Parquet row); raise IngestError when it
    holds no text or HTML."""
    text, html = record.get("text"), record.get("html")
    body = html if isinstance(html, str) and html.strip() else text
    if not isinstance(body, str) or not body.strip():
        raise IngestError(f"{source}: the record has no 'text' or 'html' field with content")
    raw_format = "html" if body is html else "text"
    published_raw = record.get("published") or record.get("date")
    if isinstance(published_raw, datetime | date):  # Parquet timestamp and date columns
        published_raw = published_raw.isoformat()
    published = parse_source_date(published_raw)
    note = None
    if published_raw and published is None:
        note = f"the record's published value {str(published_raw)[:40]!r} is not a date"
    title = record.get("title")
    outlet = record.get("outlet") or record.get("source")
    url = record.get("url")
    language = record.get("language")
    return Article(
        source=source,
        source_kind=kind,
        raw=body,
        raw_format=raw_format,
        url=url if isinstance(url, str) and url else None,
        title=title.strip() if isinstance(title, str) and title.strip() else None,
        outlet=outlet if isinstance(outlet, str) and outlet else None,
        published=published,
        published_source=_with_note("record", precision_note(published_raw)) if published else None,
        published_note=note,
        language=language if isinstance(language, str) and language else None,
    )


def read_jsonl(path: Path, settings: Settings) -> Iterator[Article | IngestFailure]:
    """Yield one Article per good line and one IngestFailure per bad line; never stop early but
    for a file that is damaged, over the decompression bounds, or unreadable for too long."""
    try:
        yield from _read_lines(path, settings)
    except PermissionError as exc:
        yield IngestFailure(str(path), f"cannot read file ({exc.strerror}); check permissions")
    except IngestError as exc:  # a corrupt or truncated .jsonl.gz, or a decompression bomb
        yield IngestFailure(str(path), str(exc))
    except OSError as exc:
        yield IngestFailure(
            str(path), f"cannot read file ({quote(exc)}); lines before the failure were read"
        )


def _read_lines(path: Path, settings: Settings) -> Iterator[Article | IngestFailure]:
    limit = settings.max_article_bytes
    run = BadRun.of(settings)
    number = 0
    with open_input(path, settings) as handle:
        while not run.over:
            skipped, newlines = skip_blank(handle, run.bytes_left)
            number += newlines
            run.blank(skipped)
            if run.over:
                break
            line = handle.readline(limit + 1)  # bounded: an endless line is never held whole
            if not line:
                return
            number += 1
            source = f"{path}:{number}"
            if len(line) > limit:
                size, ended = len(line), line.endswith(b"\n")
                if not ended:
                    skipped, ended = skip_line(handle, run.bytes_left)
                    size += skipped
                run.bad(size)
                more = "" if ended else " or more"
                yield IngestFailure(
                    source,
                    f"line is {size:,} bytes{more}, over the {limit:,} limit (setting "
                    "max_article_bytes); split the record or raise STORYLINE_MAX_ARTICLE_BYTES",
                )
                continue
            item = _line_item(line, source)
            if isinstance(item, Article):
                run.good()
            else:
                run.bad(len(line))
            yield item
    yield IngestFailure(str(path), run.reason("lines"))


def _line_item(line: bytes, source: str) -> Article | IngestFailure:
    """The Article of one JSONL line, or the failure that says why there is none."""
    try:
        text, _, _ = decode_bytes(line, source)
        too_deep = _nesting_over(text, MAX_JSON_DEPTH)
        if too_deep:
            return IngestFailure(
                source, f"line is JSON nested deeper than {MAX_JSON_DEPTH} levels; flatten it"
            )
        record = json.loads(text)
    except IngestError as exc:
        return IngestFailure(source, str(exc))
    except json.JSONDecodeError as exc:
        return IngestFailure(
            source, f"line is not valid JSON ({exc.msg} at column {exc.colno}); fix the line"
        )
    except RecursionError:  # not reached while MAX_JSON_DEPTH is below the recursion limit
        return IngestFailure(source, "line is JSON nested too deeply to parse; flatten it")
    except ValueError as exc:  # an integer of more than 4,300 digits, for one
        return IngestFailure(source, f"line is not usable JSON ({quote(exc)}); fix the line")
    if not isinstance(record, dict):
        return IngestFailure(source, "line is JSON but not an object with url/title/text")
    try:
        return record_to_article(record, source)
    except IngestError as exc:
        return IngestFailure(source, str(exc))


def _nesting_over(text: str, depth: int) -> bool:
    """True when ``text`` (JSON) nests arrays and objects more than ``depth`` deep; brackets
    inside strings do not count. Python's parser recurses once per level, so a line of 100,000
    "[" would otherwise raise RecursionError."""
    if text.count("[") + text.count("{") <= depth:  # the usual case: no scan at all
        return False
    level = 0
    for token in _JSON_TOKENS.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            level += 1
            if level > depth:
                return True
        elif bracket in "]}":
            level -= 1
    return False
