"""Serve: the `storyline` command line. Thin: each command parses options and calls the facade.

Exit codes: 0 success; 1 nothing could be ingested, or a storage/config error; 2 usage error;
3 an id names nothing stored.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from storyline.config import DEFAULT_DB_URL, Settings
from storyline.errors import NotFoundError, StorylineError
from storyline.facade import Storyline, demo_corpus_path
from storyline.model import IngestFailure, IngestReport
from storyline.serve.views import annotations_json, article_json, summary_json

app = typer.Typer(
    help="storyline: turn news articles into sourced, structured stories.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Piped output is not cut to 80 columns: tables stay readable in files and other programs.
out = Console(width=None if sys.stdout.isatty() or "COLUMNS" in os.environ else 160)
err = Console(stderr=True)

DbOption = typer.Option(
    None,
    "--db",
    help=f"Database URL (default {DEFAULT_DB_URL}; env STORYLINE_DB_URL).",
    show_default=False,
)
JsonOption = typer.Option(False, "--json", help="Print JSON instead of a table.")


def _open(db: str | None) -> Storyline:
    try:
        return Storyline(db)
    except StorylineError as exc:
        _fail(exc)
        raise  # unreachable: _fail exits


def _fail(exc: StorylineError) -> None:
    err.print(f"[bold red]error:[/] {exc}", highlight=False)
    raise typer.Exit(3 if isinstance(exc, NotFoundError) else 1)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _outlet(key: str | None, name: str | None) -> str:
    """An outlet as ``show`` prints it: its name and, when that differs, its key."""
    if not key:
        return "unknown"
    return f"{name} ({key})" if name and name != key else key


def _table(*columns: str) -> Table:
    """A table whose fixed columns never wrap and whose last column, the title, is cut to fit."""
    table = Table()
    for name in columns:
        table.add_column(name, no_wrap=True, min_width=len(name))
    table.add_column("title", no_wrap=True, overflow="ellipsis", ratio=1)
    return table


def progress_bar() -> Progress:
    """The progress display of long commands, on stderr, gone when done."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[current]}"),
        console=err,
        transient=True,
    )


def failures_json(failures: list[IngestFailure]) -> list[dict[str, str]]:
    """Failed items as JSON."""
    return [{"source": f.source, "reason": f.reason} for f in failures]


def print_failures(failures: list[IngestFailure], what: str = "failed") -> None:
    """One line on stderr per failed item, with its reason."""
    for failure in failures:
        err.print(
            f"[red]{what}:[/] {escape(failure.source)}: {escape(failure.reason)}", highlight=False
        )


def _run_ingest(
    sl: Storyline, sources: list[str], assign: bool, analyze: bool | None = None
) -> IngestReport:
    with progress_bar() as bar:
        task = bar.add_task("reading", total=None, current="")

        def tick(current: str) -> None:
            bar.update(task, advance=1, current=current[-60:])

        def stage(name: str, _so_far: IngestReport) -> None:
            bar.update(task, description=name, completed=0, current="")

        return sl.ingest(sources, assign=assign, progress=tick, analyze=analyze, stage=stage)


def _print_report(report: IngestReport, as_json: bool) -> None:
    if as_json:
        _print_json(
            {
                "ingested": report.ingested,
                "duplicates": report.duplicates,
                "failed": failures_json(report.failures),
                "not_analysed": failures_json(report.analysis_failures),
            }
        )
    else:
        out.print(
            f"ingested {len(report.ingested)}, duplicates skipped {len(report.duplicates)}, "
            f"failed {len(report.failures)}"
            + (
                f", stored but not analysed {len(report.analysis_failures)}"
                if report.analysis_failures
                else ""
            )
        )
    print_failures(report.failures)
    print_failures(report.analysis_failures, "stored, not analysed")


@app.command()
def ingest(
    sources: list[str] = typer.Argument(..., help="Files, folders, URLs or RSS/Atom feed URLs."),
    db: str | None = DbOption,
    assign: bool = typer.Option(True, help="Place new articles in stories after ingesting."),
    analyze: bool | None = typer.Option(
        None,
        help="Annotate new articles after ingesting (default: setting analyze_on_ingest, on).",
        show_default=False,
    ),
    as_json: bool = JsonOption,
) -> None:
    """Ingest text, HTML, JSONL, WARC files, folders, URLs and feeds into the database."""
    with _open(db) as sl:
        try:
            report = _run_ingest(sl, sources, assign, analyze)
        except StorylineError as exc:
            _fail(exc)
    _print_report(report, as_json)
    if not report.ok:
        raise typer.Exit(1)


@app.command()
def demo(db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """Ingest the bundled demo corpus (fictional articles written for storyline)."""
    ingest([str(demo_corpus_path())], db=db, assign=True, analyze=None, as_json=as_json)


@app.command()
def articles(
    db: str | None = DbOption,
    story: int | None = typer.Option(None, help="Only this story's articles."),
    outlet: str | None = typer.Option(
        None, help="Only this outlet's articles: its key as listed (cnn.com), or its name."
    ),
    limit: int = typer.Option(50, min=1, max=10_000, help="How many to list."),
    offset: int = typer.Option(0, min=0, help="How many to skip."),
    as_json: bool = JsonOption,
) -> None:
    """List articles, newest first."""
    with _open(db) as sl:
        rows = sl.articles(limit=limit, offset=offset, story_id=story, outlet=outlet)
    if as_json:
        _print_json([summary_json(r) for r in rows])
        return
    table = _table("id", "published", "outlet", "story")
    for row in rows:
        published = row["published"].date().isoformat() if row["published"] else "undated"
        if row.get("published_confidence") == "low":
            published = f"≈{published}"
        copy = " (copy)" if row["duplicate_of"] else ""
        table.add_row(
            row["id"],
            published,
            row["outlet_name"] or row["outlet"] or "?",
            str(row["story_id"] or "-"),
            (row["title"] or "")[:80] + copy,
        )
    out.print(table)


@app.command()
def show(
    article_id: str = typer.Argument(..., help="Article id (see `storyline articles`)."),
    db: str | None = DbOption,
    removed: bool = typer.Option(False, "--removed", help="Also list the lines cleaning removed."),
    as_json: bool = JsonOption,
) -> None:
    """Print one article: metadata, clean text and its annotations."""
    with _open(db) as sl:
        try:
            article = sl.article(article_id)
            found = sl.annotations(article_id)
        except StorylineError as exc:
            _fail(exc)
    if as_json:
        _print_json({**article_json(article), "annotations": annotations_json(found)})
        return
    out.rule(article.title or "(untitled)")
    published = (
        article.published.isoformat()
        if article.published
        else (f"undated ({article.published_note})")
    )
    if article.published and article.published_note:  # an estimate says how it was made
        published += f" ({article.published_note})"
    source = article.published_source or "-"
    if article.published_confidence:
        source = f"{source}; {article.published_confidence} confidence"
    for label, value in (
        ("id", article.id),
        ("outlet", _outlet(article.outlet, article.outlet_name)),
        ("authors", ", ".join(article.authors) or "-"),
        ("url", article.url or "-"),
        ("published", published),
        ("date source", source),
        ("language", article.language or "unknown"),
        ("story", article.story_id),
        ("copy of", article.duplicate_of or "-"),
        ("source", article.source),
        ("stages", ", ".join(article.stages)),
    ):
        out.print(f"[bold]{label:>11}[/]: {value}", highlight=False)
    out.print()
    out.print(article.text, highlight=False)
    print_annotations(found)
    if removed:
        out.rule("removed lines")
        for line in article.removed_lines:
            out.print(f"[dim]{line.reason:>14}[/]  {line.line}", highlight=False)


@app.command()
def serve(
    db: str | None = DbOption,
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port to listen on."),
) -> None:
    """Serve the REST API (/api/v1, docs at /docs) and the web pages."""
    import uvicorn

    from storyline.serve.api import create_app

    with _open(db) as sl:
        settings = sl.settings
    err.print(f"serving {settings.db_url} on http://{host}:{port}/  (Ctrl-C stops)")
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


@app.command("settings")
def show_settings(db: str | None = DbOption) -> None:
    """List every setting with its environment variable, current value and meaning."""
    current = Settings() if db is None else Settings(db_url=db)
    table = Table("setting", "environment variable", "value", "meaning")
    for name, field in Settings.model_fields.items():
        table.add_row(
            name, f"STORYLINE_{name.upper()}", str(getattr(current, name)), field.description or ""
        )
    out.print(table)


def main() -> None:
    """Entry point of the `storyline` command."""
    app()


# The analysis and story commands register themselves on `app`; `show` prints annotations.
from storyline.serve import (  # noqa: E402, F401
    cli_backfill,
    cli_events,
    cli_export,
    cli_stories,
    cli_watch,
)
from storyline.serve.cli_analysis import print_annotations  # noqa: E402
