"""Serve: `storyline watch`, polling feeds into the database until stopped.

Registered on the `storyline` app by `storyline.serve.cli`; exit codes as documented there.
"""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.markup import escape

from storyline.errors import StorylineError
from storyline.ingest.watch import Outcome, read_feed_list
from storyline.serve.cli import DbOption, _fail, _open, app, err


@app.command()
def watch(
    feeds: Path = typer.Argument(..., help="A text file of feed URLs, one per line (# comments)."),
    db: str | None = DbOption,
    once: bool = typer.Option(False, "--once", help="Poll every due feed once, then stop."),
) -> None:
    """Poll RSS/Atom feeds on an interval (setting watch_interval) with conditional GET, spacing
    requests to one host (watch_host_delay) and backing off from failing feeds; new articles
    are analysed and placed in stories. Stop with Ctrl-C; a restart carries on where it was."""
    try:
        urls = read_feed_list(feeds)
    except StorylineError as exc:
        _fail(exc)
        return
    with _open(db) as sl:
        try:
            watcher = sl.watcher(urls)
        except StorylineError as exc:  # a read-only database
            _fail(exc)
            return
        err.print(f"watching {len(urls)} feeds; Ctrl-C stops", highlight=False)
        try:
            while True:
                for outcome in watcher.cycle():
                    _log(outcome)
                if once:
                    return
                time.sleep(max(1.0, watcher.seconds_to_next()))
        except KeyboardInterrupt:
            err.print("stopped; the next `storyline watch` carries on from here", highlight=False)
        except StorylineError as exc:
            _fail(exc)


def _log(outcome: Outcome) -> None:
    when = outcome.next_poll.strftime("%H:%M:%S") if outcome.next_poll else "?"
    if outcome.status == "failed":
        err.print(
            f"[red]failed[/] {escape(outcome.url)}: {escape(outcome.error or '')}; "
            f"next try at {when} UTC",
            highlight=False,
        )
        return
    detail = (
        f"{outcome.new} new, {outcome.duplicates} already stored, {outcome.failed} failed"
        if outcome.status == "new"
        else "not modified"
    )
    err.print(f"{escape(outcome.url)}: {detail}; next poll at {when} UTC", highlight=False)
