"""Serve: `storyline backfill`, the whole pipeline over archive shards with Ray.

Registered on the `storyline` app by `storyline.serve.cli`; exit codes as documented there.
"""

from __future__ import annotations

from pathlib import Path

import typer

from storyline.errors import StorylineError
from storyline.serve.cli import (
    DbOption,
    JsonOption,
    _fail,
    _open,
    _print_json,
    app,
    failures_json,
    out,
    print_failures,
    progress_bar,
)


@app.command()
def backfill(
    inputs: list[str] = typer.Argument(
        ...,
        help="Shard files or folders of them: JSONL(.gz), WARC(.gz), Parquet, or any file "
        "`ingest` reads.",
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Folder for articles.parquet and events.parquet."
    ),
    ray_address: str | None = typer.Option(
        None,
        "--ray-address",
        help="Ray cluster address (default: setting ray_address; unset: Ray on this machine).",
        show_default=False,
    ),
    actors: int | None = typer.Option(
        None,
        "--actors",
        min=1,
        help="spaCy parse actors (default: setting "
        "backfill_parse_actors; 0 there: one per CPU of the cluster).",
        show_default=False,
    ),
    db: str | None = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """Ingest, analyse and place archive shards with reading, cleaning and parsing on Ray; the
    database ends as `ingest` would leave it on the same input. Safe to re-run after a kill."""
    with _open(db) as sl:
        overrides = {"ray_address": ray_address, "backfill_parse_actors": actors}
        sl.settings = sl.settings.model_copy(
            update={k: v for k, v in overrides.items() if v is not None}
        )
        try:
            with progress_bar() as bar:
                task = bar.add_task("backfilling", total=None, current="")
                report = sl.backfill(
                    inputs,
                    output,
                    lambda current: bar.update(task, advance=1, current=current[-60:]),
                )
        except StorylineError as exc:
            _fail(exc)
            return
    failures = report.ingest.failures + report.analysis.failures
    if as_json:
        _print_json(
            {
                "shards": report.shards,
                "ray_address": report.ray_address,
                "parse_actors": report.parse_actors,
                "ingested": len(report.ingest.ingested),
                "duplicates": len(report.ingest.duplicates),
                "analysed": report.analysis.analyzed,
                "not_supported": report.analysis.not_supported,
                "resumed": report.resumed,
                "stories_new": report.assignment.new_stories,
                "outputs": report.outputs,
                "failed": failures_json(failures),
            }
        )
    else:
        out.print(
            f"{report.shards} shards on Ray ({report.ray_address}, {report.parse_actors} parse "
            f"actors): ingested {len(report.ingest.ingested)}, duplicates skipped "
            f"{len(report.ingest.duplicates)}, analysed {report.analysis.analyzed}, resumed "
            f"{report.resumed}, new stories {report.assignment.new_stories}, failed "
            f"{len(failures)}",
            highlight=False,
        )
        for path in report.outputs:
            out.print(f"wrote {path}", highlight=False)
    print_failures(failures)
    if not report.ingest.ok and not report.resumed:  # as `ingest`: every item failed
        raise typer.Exit(1)
