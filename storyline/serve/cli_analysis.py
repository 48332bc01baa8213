"""Serve: the analysis commands of the CLI: analyze, entities, quotes, claims.

Registered on the `storyline` app by `storyline.serve.cli`; exit codes as documented there.
"""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from storyline.analyze.places import group_places
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
from storyline.serve.views import claim_row_json, entity_row_json, quote_row_json
from storyline.store.annotations import Annotations

LimitOption = typer.Option(50, min=1, max=100_000, help="How many to list.")
OffsetOption = typer.Option(0, min=0, help="How many to skip.")


@app.command()
def analyze(
    db: str | None = DbOption,
    redo: bool = typer.Option(
        False, "--redo", help="Analyse every article again, not only new ones."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Annotate articles: entities, quotes, numeric claims, dates and places (resumable)."""
    with _open(db) as sl:
        total = None if redo else sl.store.count_unanalysed()
        try:
            with progress_bar() as bar:
                task = bar.add_task("analysing", total=total, current="")
                report = sl.analyze(
                    progress=lambda current: bar.update(task, advance=1, current=current[-50:]),
                    redo=redo,
                )
        except StorylineError as exc:
            _fail(exc)
    if as_json:
        _print_json(
            {
                "analyzed": report.analyzed,
                "not_supported": report.not_supported,
                "failed": failures_json(report.failures),
            }
        )
    else:
        out.print(
            f"analysed {report.analyzed}, language not supported {report.not_supported}, "
            f"failed {len(report.failures)}"
        )
    print_failures(report.failures)


@app.command()
def entities(
    db: str | None = DbOption,
    entity_type: str | None = typer.Option(
        None, "--type", help="Only this type: PERSON, ORG, GPE, LOC, FAC, NORP."
    ),
    name: str | None = typer.Option(None, "--name", help="Only names containing this text."),
    limit: int = LimitOption,
    offset: int = OffsetOption,
    as_json: bool = JsonOption,
) -> None:
    """List canonical entities across the corpus, most mentioned first."""
    with _open(db) as sl:
        rows = sl.entities(entity_type=entity_type, query=name, limit=limit, offset=offset)
    if as_json:
        _print_json([entity_row_json(r) for r in rows])
        return
    table = Table("id", "type", "mentions", "articles", "name", "also", "roles")
    for row in rows:
        also = ", ".join(a for a in row["aliases"] if a != row["name"])[:60]
        table.add_row(
            row["id"], row["type"], str(row["mention_count"]), str(row["article_count"]),
            row["name"], also, "; ".join(row["roles"])[:50],
        )  # fmt: skip
    out.print(table)


@app.command()
def quotes(
    db: str | None = DbOption,
    speaker: str | None = typer.Option(None, "--speaker", help="Speaker name (part) or entity id."),
    article: str | None = typer.Option(None, "--article", help="Only this article's quotes."),
    limit: int = LimitOption,
    offset: int = OffsetOption,
    as_json: bool = JsonOption,
) -> None:
    """List quotes with their speakers, newest article first."""
    with _open(db) as sl:
        rows = sl.quotes(speaker=speaker, article_id=article, limit=limit, offset=offset)
    if as_json:
        _print_json([quote_row_json(r) for r in rows])
        return
    for row in rows:
        when = row["published"].date().isoformat() if row["published"] else "date unknown"
        channel = f" ({row['channel']})" if row["channel"] else ""
        mark = "“" if row["kind"] == "direct" else "~ "
        out.print(
            f"[bold]{row['speaker'] or 'unknown speaker'}[/]{channel} [dim]{row['cue'] or ''} · "
            f"{row['outlet'] or '?'} {when} · {row['article_id']}[/]\n  {mark}{row['text']}"
            f"{'”' if row['kind'] == 'direct' else ''}",
            highlight=False,
        )


@app.command()
def claims(
    db: str | None = DbOption,
    counted: str | None = typer.Option(
        None,
        "--counted",
        help="Only claims counting this (any word for it: troops finds soldiers).",
    ),
    article: str | None = typer.Option(None, "--article", help="Only this article's claims."),
    limit: int = LimitOption,
    offset: int = OffsetOption,
    as_json: bool = JsonOption,
) -> None:
    """List numeric claims (how many of what, by whom), newest article first."""
    with _open(db) as sl:
        rows = sl.claims(counted=counted, article_id=article, limit=limit, offset=offset)
    if as_json:
        _print_json([claim_row_json(r) for r in rows])
        return
    table = Table(
        "quantity", "unit", "counted", "approx.", "claimed by", "outlet", "article", "text"
    )
    for row in rows:
        quantity = "vague" if row["quantity"] is None else f"{row['quantity']:,.10g}"
        if row["quantity_max"] is not None:
            quantity += f"–{row['quantity_max']:,.10g}"
        table.add_row(
            quantity, row["unit"] or "", row["counted"] or "", row["qualifier"] or "",
            row["claimant"] or "", row["outlet"] or "?", row["article_id"], row["text"],
        )  # fmt: skip
    out.print(table)


def print_annotations(found: Annotations) -> None:
    """The annotations part of `storyline show`."""
    if found.analyzed_at is None:
        out.print("[dim]not analysed yet: run `storyline analyze`[/]")
        return
    if found.note:
        out.print(f"[yellow]note:[/] {found.note}", highlight=False)
    names = {e.id: e.name for e in found.entities}
    out.rule(f"entities ({len(found.entities)})")
    for entity in found.entities:
        roles = f" — {'; '.join(entity.roles)}" if entity.roles else ""
        also = [a for a in entity.aliases if a != entity.name]
        aka = f" [dim](also: {', '.join(also)})[/]" if also else ""
        out.print(f"  {entity.type:<6} {entity.name}{roles}{aka}", highlight=False)
    out.rule(f"quotes ({len(found.quotes)})")
    for q in found.quotes:
        who = names.get(q.speaker_entity_id or "", q.speaker) or "unknown speaker"
        channel = f", {q.channel}" if q.channel else ""
        out.print(
            f"  [bold]{who}[/] [dim]({q.kind}, {q.cue or 'no cue'}{channel})[/]: {q.text}",
            highlight=False,
        )
    out.rule(f"numeric claims ({len(found.claims)})")
    for c in found.claims:
        by = f" — claimed by {c.claimant}" if c.claimant else ""
        out.print(
            f"  {c.text}  [dim]= {c.quantity} {c.unit or ''} {c.counted or ''}{by}[/]",
            highlight=False,
        )
    out.rule(f"dates ({len(found.times)})")
    for t in found.times:
        out.print(
            f"  {t.text} → {t.value or 'unresolved'} [dim]({t.derivation})[/]", highlight=False
        )
    groups = group_places(found.places)  # Russia once, with its six mentions
    out.rule(f"places ({len(groups)}, {len(found.places)} mentions)")
    for group in groups:
        p = group.first
        where = (
            f"{p.country} {p.lat:.2f},{p.lon:.2f}"
            if p.lat is not None and p.lon is not None
            else (p.country or "not found")
        )
        name = names.get(p.entity_id or "", p.name)
        count = f" ×{group.mentions}" if group.mentions > 1 else ""
        said = [s for s in group.surfaces if s != name]
        also = f", as {', '.join(said)}" if said else ""
        out.print(f"  {name}{count} [dim]({p.kind or '?'}: {where}{also})[/]", highlight=False)
    out.rule(f"political events ({len(found.events)})")
    for e in found.events:
        who = (e.actor.code or e.actor.name) if e.actor else "?"
        whom = f" → {e.target.code or e.target.name}" if e.target else ""
        marks = [m for m, on in (("negated", e.negated), ("hypothetical", e.hypothetical),
                                 ("in a quote", e.quoted)) if on]  # fmt: skip
        extra = f" [yellow]({', '.join(marks)})[/]" if marks else ""
        out.print(
            f"  {e.date or 'undated'} {escape(who)} {e.plover}{escape(whom)} "
            f"[dim]({e.mode}, CAMEO {e.cameo}, {e.goldstein:+.1f})[/]{extra}",
            highlight=False,
        )
