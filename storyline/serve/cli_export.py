"""Serve: `storyline export`, a whole table of the corpus as CSV, JSON Lines or Parquet.

Registered on the `storyline` app by `storyline.serve.cli`; exit codes as documented there.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from storyline.errors import StorylineError
from storyline.serve.cli import DbOption, _fail, _open, app, err
from storyline.serve.exports import KINDS, check_format, export_records, text_chunks, write_export


@app.command()
def export(
    kind: str = typer.Argument(..., help=f"What to export: {', '.join(KINDS)}."),
    output_format: str = typer.Option("csv", "--format", help="csv, jsonl or parquet."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="File to write (default: stdout; parquet needs a file)."
    ),
    db: str | None = DbOption,
) -> None:
    """Export every article, entity, quote, claim or fused political event, one flat record per
    row (lists as JSON text): for spreadsheets, pandas, DuckDB and other tools."""
    try:
        if kind not in KINDS:
            raise StorylineError(f"unknown export {kind!r}; choose one of: {', '.join(KINDS)}")
        check_format(output_format)
        if output_format == "parquet" and output is None:
            raise StorylineError("--format parquet writes a file: add --output FILE.parquet")
    except StorylineError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    with _open(db) as sl:
        try:
            if output is None:
                for chunk in text_chunks(export_records(sl.store, kind), output_format):
                    sys.stdout.write(chunk)
                return
            count = write_export(sl.store, kind, output_format, output)
        except StorylineError as exc:
            _fail(exc)
            return
        except OSError as exc:
            _fail(StorylineError(f"cannot write {output} ({exc.strerror}); check the path"))
            return
    err.print(f"wrote {count:,} {kind} to {output}", highlight=False)
