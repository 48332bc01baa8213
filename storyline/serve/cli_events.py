"""Serve: the political event commands of the CLI: events, escalation.

Registered on the `storyline` app by `storyline.serve.cli`; exit codes as documented there.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from storyline.analyze.actors import known_actor_code, unknown_code_message
from storyline.errors import StorylineError
from storyline.serve.cli import DbOption, JsonOption, _fail, _open, _print_json, app, out
from storyline.serve.event_export import event_records, to_tsv, write_parquet

EVENT_FORMATS = ("table", "json", "tsv", "parquet")
DayFormats = ["%Y-%m-%d"]


@app.command()
def events(
    db: str | None = DbOption,
    actor: str | None = typer.Option(
        None, "--actor", help="Actor code: RUS (and its sectors RUSGOV, RUSMIL ...), NATO ..."
    ),
    target: str | None = typer.Option(None, "--target", help="Target code, as --actor."),
    plover: str | None = typer.Option(
        None, "--type", help="PLOVER type: THREATEN, ASSAULT, CONSULT ..."
    ),
    since: datetime | None = typer.Option(
        None, "--since", formats=DayFormats, help="First day (YYYY-MM-DD).", show_default=False
    ),
    until: datetime | None = typer.Option(
        None, "--until", formats=DayFormats, help="Last day (YYYY-MM-DD).", show_default=False
    ),
    story: int | None = typer.Option(None, "--story", help="Only events of this story."),
    everything: bool = typer.Option(
        False, "--all", help="Also negated and hypothetical events (marked)."
    ),
    output_format: str = typer.Option(
        "table", "--format", help="table, json, tsv (GDELT-like) or parquet (needs --output)."
    ),
    output: Path | None = typer.Option(None, "--output", help="Write to this file."),
    limit: int = typer.Option(50, min=1, help="Rows shown in the table."),
) -> None:
    """Coded political events (who did what to whom, when, where), fused across articles: one
    event with its number of independent sources, CAMEO code and Goldstein intensity."""
    output_format = output_format.lower()
    if output_format not in EVENT_FORMATS:
        _fail(StorylineError(f"unknown format {output_format!r}: use {', '.join(EVENT_FORMATS)}"))
    if output_format == "parquet" and output is None:
        _fail(StorylineError("--format parquet writes a file: add --output FILE.parquet"))
    with _open(db) as sl:
        try:
            found = sl.events(
                actor,
                target,
                plover,
                since.date() if since else None,
                until.date() if until else None,
                story,
                happened_only=not everything,
            )
        except StorylineError as exc:
            _fail(exc)
    records = event_records(found)
    if output_format == "parquet":
        assert output is not None
        write_parquet(records, output)
        out.print(f"{len(records)} events written to {output}", highlight=False)
        return
    if output_format == "tsv":
        _write(to_tsv(records), output)
        return
    if output_format == "json":
        _print_json(records) if output is None else _write(_json(records), output)
        return
    table = Table("day", "actor")
    table.add_column("event", no_wrap=True)
    for column in ("target", "goldstein", "sources", "sentence"):
        table.add_column(column)
    for record in records[:limit]:
        table.add_row(
            record["sql_date"] or "?",
            escape(record["actor1_code"] or record["actor1_name"] or ""),
            f"{record['plover']} ({record['mode']}, {record['event_code']})"
            + ("" if record["status"] == "happened" else f" — {record['status'].upper()}"),
            escape(record["actor2_code"] or record["actor2_name"] or ""),
            f"{record['goldstein_scale']:+.1f}",
            str(record["num_sources"]),
            escape(record["sentence"][:90]),
        )
    out.print(table)
    if len(records) > limit:
        out.print(f"… {len(records) - limit} more (--limit, or --format tsv/json)")


def _json(records: list[dict[str, object]]) -> str:
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


@app.command()
def escalation(
    a: str = typer.Argument(..., help="First actor code (RUS, NATO, USAGOV ...)."),
    b: str = typer.Argument(..., help="Second actor code."),
    db: str | None = DbOption,
    since: datetime | None = typer.Option(
        None, "--since", formats=DayFormats, help="First day (YYYY-MM-DD).", show_default=False
    ),
    until: datetime | None = typer.Option(
        None, "--until", formats=DayFormats, help="Last day (YYYY-MM-DD).", show_default=False
    ),
    story: int | None = typer.Option(None, "--story", help="Only events of this story."),
    as_json: bool = JsonOption,
) -> None:
    """The daily conflict/cooperation intensity between two actors (mean Goldstein value of the
    events between them each day, -10 to +10), in each direction. An event whose sentence gives
    no day counts on its article's date (marked *)."""
    for code in (a, b):
        if not known_actor_code(code):
            sys.stderr.write(f"error: {unknown_code_message(code)}\n")  # one line, unwrapped
            raise typer.Exit(2)
    with _open(db) as sl:
        try:
            series = sl.escalation(
                a, b, since.date() if since else None, until.date() if until else None, story
            )
        except StorylineError as exc:
            _fail(exc)
    if as_json:
        _print_json([d.as_dict() for d in series])
        return
    if not series:
        out.print(f"no events between {a.upper()} and {b.upper()}", highlight=False)
        return
    table = Table("day", f"{a.upper()} → {b.upper()}", f"{b.upper()} → {a.upper()}", "both", "")
    for day in series:
        table.add_row(
            day.day + ("*" if day.article_dated else ""),
            _cell(day.forward, day.events_forward),
            _cell(day.backward, day.events_backward),
            _value(day.combined),
            _bar(day.combined),
        )
    out.print(table)
    dated = sum(day.article_dated for day in series)
    if dated:
        out.print(
            f"* {dated} of the events counted on the article's date: their sentence gives no day",
            highlight=False,
        )


def _value(value: float | None) -> str:
    return "" if value is None else f"{value:+.1f}"


def _cell(value: float | None, count: int) -> str:
    return "" if value is None else f"{value:+.1f} ({count})"


def _bar(value: float | None) -> str:
    """A bar: conflict to the left of the axis, cooperation to the right."""
    if value is None:
        return ""
    width = round(abs(value))
    return ("█" * width).rjust(10) + "|" if value < 0 else " " * 10 + "|" + "█" * width
