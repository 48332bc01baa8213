"""Serve: the story commands of the CLI: assign, stories, story, brief, merge-stories, split-event.

Registered on the `storyline` app by `storyline.serve.cli`; exit codes as documented there.
"""

from __future__ import annotations

import sys
from dataclasses import asdict
from datetime import datetime
from typing import Any

import typer
from rich.tree import Tree

from storyline.errors import StorylineError
from storyline.model import Story
from storyline.serve.brief_render import FORMATS, brief_html, brief_json, brief_markdown
from storyline.serve.cli import DbOption, JsonOption, _fail, _open, _print_json, _table, app, out
from storyline.serve.views import story_detail_json, story_json

SinceOption = typer.Option(
    None,
    "--since",
    help="Only stories with an article at or after this date (YYYY-MM-DD or ISO 8601, UTC).",
    formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"],
    show_default=False,
)


@app.command()
def assign(db: str | None = DbOption, as_json: bool = JsonOption) -> None:
    """Place articles that are not yet placed (resumes an interrupted run)."""
    with _open(db) as sl:
        try:
            result = sl.assign()
        except StorylineError as exc:
            _fail(exc)
    if as_json:
        _print_json(asdict(result))
        return
    out.print(
        f"placed {result.assigned} articles: {result.new_stories} new stories, "
        f"{result.new_events} new events, {result.copies} copies of earlier articles, "
        f"{result.merges} story merges; {result.not_grouped} not grouped (too little text), "
        f"{result.not_by_publication_date} placed by content alone (undated), "
        f"{result.dated_from_story} dated from their story"
    )


@app.command()
def stories(
    db: str | None = DbOption,
    since: datetime | None = SinceOption,
    limit: int = typer.Option(50, min=1, max=10_000, help="How many to list."),
    offset: int = typer.Option(0, min=0, help="How many to skip."),
    as_json: bool = JsonOption,
) -> None:
    """List stories, most recently active first."""
    with _open(db) as sl:
        found = sl.stories(limit, offset, since)
    if as_json:
        _print_json([story_json(s) for s in found])
        return
    table = _table("id", "articles", "outlets", "first", "last")
    for story in found:
        table.add_row(
            str(story.id),
            str(story.article_count),
            str(len(story.outlets)),
            story.first_seen.date().isoformat() if story.first_seen else "undated",
            story.last_seen.date().isoformat() if story.last_seen else "undated",
            story.title[:90],
        )
    out.print(table)


def _line(article: dict[str, Any]) -> str:
    when = (article["published"] or "undated")[:16].replace("T", " ")
    if article.get("published_confidence") == "low":
        when = f"≈{when[:10]} (estimated)"
    note = f"  [yellow]({article['placement_note']})[/]" if article["placement_note"] else ""
    outlet = article.get("outlet_name") or article["outlet"] or "?"
    return f"{when}  {outlet}  [dim]{article['id']}[/]  {article['title']}{note}"


def _print_tree(story: Story, data: dict[str, Any]) -> None:
    root = Tree(f"[bold]story {story.id}[/]: {story.title}", highlight=False)
    for event in data["tree"]:
        span = (event["first_seen"] or "undated")[:10]
        branch = root.add(
            f"[bold]event {event['id']}[/] ({span}, {event['article_count']} articles): "
            f"{event['title']}"
        )
        for article in event["articles"]:
            node = branch.add(_line(article))
            for copy in article["copies"]:
                node.add(f"[cyan]{copy['duplicate_kind'] or 'copy'}[/]: {_line(copy)}")
    out.print(root)


@app.command()
def story(
    story_id: int = typer.Argument(..., help="Story id (see `storyline stories`)."),
    db: str | None = DbOption,
    tree: bool = typer.Option(
        False, "--tree", help="Show events, each with its articles and their copies."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Print one story: its articles in time order (or its tree), and recorded merges/splits."""
    with _open(db) as sl:
        try:
            found = sl.story(story_id)
        except StorylineError as exc:
            _fail(exc)
        rows = sl.articles(story_id=found.id, limit=100_000)
    data = story_detail_json(found, rows)
    if as_json:
        _print_json(data)
        return
    if found.id != story_id:
        out.print(f"[yellow]story {story_id} was merged into story {found.id}[/]")
    out.rule(f"story {found.id}: {found.title}")
    out.print(
        f"{found.article_count} articles in {len(found.events)} events from "
        f"{len(found.outlets)} outlets: {', '.join(found.outlets)}",
        highlight=False,
    )
    if tree:
        _print_tree(found, data)
    else:
        for article in data["articles"]:
            copy = (
                f"  [dim]({article['duplicate_kind'] or 'copy'} of {article['duplicate_of']})[/]"
                if article["duplicate_of"]
                else ""
            )
            out.print(f"  {_line(article)}{copy}", highlight=False)
    for change in data["changes"]:
        out.print(
            f"[magenta]{change['kind']}[/] {change['at'][:16]}: story {change['other_story_id']} "
            f"{'into' if change['kind'] == 'merged' else 'out of'} story {change['story_id']}"
            f"{' — ' + change['detail'] if change['detail'] else ''}",
            highlight=False,
        )


@app.command()
def brief(
    story_id: int = typer.Argument(..., help="Story id (see `storyline stories`)."),
    db: str | None = DbOption,
    since: datetime | None = typer.Option(
        None,
        "--since",
        help="An update: only what was first reported at or after this date (UTC).",
        formats=SinceOption.formats,
        show_default=False,
    ),
    output: str = typer.Option(
        "md", "--format", help="md (Markdown), html or json.", case_sensitive=False
    ),
    abstractive: bool = typer.Option(
        False,
        "--abstractive",
        help="Also a briefing written by the model at STORYLINE_ABSTRACTIVE_URL, every sentence "
        "checked against its sources (unsupported ones are dropped and listed).",
    ),
) -> None:
    """Print a story's sourced briefing: sentences with citations, key quotes, figures with
    conflicts flagged, a timeline and the outlets' parts."""
    output = output.lower()
    if output not in FORMATS:
        _fail(StorylineError(f"unknown format {output!r}: use one of {', '.join(FORMATS)}"))
    with _open(db) as sl:
        try:
            result = sl.brief(story_id, since, abstractive)
        except StorylineError as exc:
            _fail(exc)
        listed = sl.articles(story_id=result.story_id, limit=100_000)
        titles = {a["id"]: a["title"] for a in listed}
        urls = {a["id"]: a.get("url") for a in listed}
    if output == "json":
        _print_json(brief_json(result))
    elif output == "html":
        sys.stdout.write(brief_html(result, titles, urls))
    else:
        sys.stdout.write(brief_markdown(result, titles, urls))


@app.command("merge-stories")
def merge_stories(
    source: int = typer.Argument(..., help="The story to fold in (it keeps its id as an alias)."),
    target: int = typer.Argument(..., help="The story that receives its events and articles."),
    db: str | None = DbOption,
) -> None:
    """Merge one story into another by hand; the change is recorded on both."""
    with _open(db) as sl:
        try:
            merged = sl.merge_stories(source, target)
        except StorylineError as exc:
            _fail(exc)
    out.print(f"story {source} merged into story {merged.id}: {merged.article_count} articles")


@app.command("split-event")
def split_event(
    event_id: int = typer.Argument(..., help="Event id (see `storyline story ID --tree`)."),
    db: str | None = DbOption,
) -> None:
    """Move one event and its articles out of its story into a new story (recorded)."""
    with _open(db) as sl:
        try:
            created = sl.split_event(event_id)
        except StorylineError as exc:
            _fail(exc)
    out.print(f"event {event_id} is now story {created.id}: {created.title}")
