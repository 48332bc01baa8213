"""Serve: a story brief as JSON, Markdown or HTML. Every item carries its citations.

Citations are numbered per brief: [1] is the first article cited, and the list of sources at the
end maps each number to the article id, outlet, date and title.
"""

from __future__ import annotations

import html
from dataclasses import asdict
from datetime import datetime
from typing import Any

from storyline.fuse.sourcing import Sourced
from storyline.fuse.story_brief import StoryBrief

FORMATS = ("md", "html", "json")
MAX_FIGURES = 15


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "contexts"}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted(value)
    return value


def brief_json(brief: StoryBrief) -> dict[str, Any]:
    """The brief as JSON-ready data (spans as article id and character offsets)."""
    data = _plain(asdict(brief))
    return data


class _Citations:
    """Numbers articles in the order they are first cited."""

    def __init__(self, titles: dict[str, str | None]) -> None:
        self.numbers: dict[str, int] = {}
        self.seen: dict[str, Sourced] = {}
        self.titles = titles

    def cite(self, article_ids: list[str], sources: list[Sourced] | None = None) -> str:
        for source in sources or []:
            self.seen.setdefault(source.article_id, source)
        marks = []
        for article_id in dict.fromkeys(article_ids):
            number = self.numbers.setdefault(article_id, len(self.numbers) + 1)
            marks.append(f"[{number}]")
        return "".join(marks)


def _outlet_date(source: Sourced | None) -> str:
    if source is None:
        return ""
    when = source.published.date().isoformat() if source.published else "undated"
    return f"{source.outlet or 'unknown outlet'}, {when}"


def brief_markdown(brief: StoryBrief, titles: dict[str, str | None] | None = None) -> str:
    """The brief as Markdown, with numbered citations and the list of sources at the end."""
    cite = _Citations(titles or {})
    heading = f"# {brief.title}" + (
        f" — update since {brief.since.date().isoformat()}" if brief.since else ""
    )
    span = f"{_day(brief.first_seen)} to {_day(brief.last_seen)}"
    lines = [heading, "", f"Story {brief.story_id}, {span}; {brief.articles} articles."]
    if brief.since:
        lines[-1] += f" {brief.new_articles} published since {brief.since.date().isoformat()}."
    if brief.abstract is not None:
        lines += _written(brief, cite)
    lines += ["", "## Briefing" if brief.abstract is None else "## Key sentences (extractive)", ""]
    for sentence in brief.sentences:
        support = f" ({sentence.support} independent sources)" if sentence.support > 1 else ""
        lines.append(f"- {sentence.text} {cite.cite(sentence.sources)}{support}")
    if brief.quotes:
        lines += ["", "## Key quotes", ""]
        for quote in brief.quotes:
            outlets = ", ".join(dict.fromkeys(s.outlet or "unknown outlet" for s in quote.sources))
            marks = cite.cite([s.article_id for s in quote.sources], quote.sources)
            lines.append(
                f'- **{quote.speaker or "unattributed"}**, {_day(quote.first)}: "{quote.text}" '
                f"{marks} — {outlets}"
            )
    if brief.claims:
        lines += ["", "## Figures", ""]
        order = sorted(
            range(len(brief.claims)),
            key=lambda i: (not brief.claims[i].conflicts, -brief.claims[i].support, i),
        )
        shown = [i for i in order if brief.claims[i].conflicts or brief.claims[i].support > 1]
        for i in shown[:MAX_FIGURES]:
            claim = brief.claims[i]
            marks = cite.cite([s.article_id for s in claim.sources], claim.sources)
            flag = ""
            if claim.conflicts:
                others = "; ".join(f'"{brief.claims[j].text}"' for j in claim.conflicts)
                flag = f" — **CONFLICT** with {others}"
            plural = "s" if claim.support != 1 else ""
            lines.append(
                f'- {claim.counted or "unspecified"}: "{claim.text}" {marks}, {claim.support} '
                f"independent source{plural}{flag}"
            )
        rest = len(brief.claims) - min(len(shown), MAX_FIGURES)
        if rest:
            lines.append(f"- … and {rest} more figures, each from one source (see --format json)")
    if brief.timeline:
        lines += ["", "## Timeline", ""]
        for entry in brief.timeline:
            marks = cite.cite([s.article_id for s in entry.sources], entry.sources)
            told = f" — _{'; '.join(entry.events)}_" if entry.events else ""
            lines.append(f"- **{entry.day}**: {entry.text} {marks}{told}")
    if brief.outlets:
        lines += ["", "## Outlets", ""]
        for role in brief.outlets:
            copies = f"; republished {', '.join(role.copies_of)}" if role.copies_of else ""
            lines.append(
                f"- {role.name or role.outlet}: {role.articles} articles, "
                f"first {_day(role.first)}, {role.originals} original{copies}"
            )
    for note in brief.notes:
        lines += ["", f"_Note: {note}._"]
    lines += ["", "## Sources", ""]
    for article_id, number in cite.numbers.items():
        title = cite.titles.get(article_id)
        where = _outlet_date(cite.seen.get(article_id))
        lines.append(
            f"{number}. `{article_id}`"
            + (f" {title}" if title else "")
            + (f" ({where})" if where else "")
        )
    return "\n".join(lines) + "\n"


def _written(brief: StoryBrief, cite: _Citations) -> list[str]:
    """The written briefing's lines: kept sentences with citations, then what was dropped."""
    abstract = brief.abstract
    assert abstract is not None
    lines = [
        "",
        f"## Written briefing ({abstract.model}; every sentence checked against its sources)",
        "",
    ]
    for sentence in abstract.sentences:
        recited = " (re-cited: its own citations did not support it)" if sentence.recited else ""
        lines.append(f"- {sentence.text} {cite.cite(sentence.sources)}{recited}")
    if not abstract.sentences:
        lines.append("- (no written sentence was supported by the sources)")
    if abstract.dropped:
        lines += ["", "Dropped, with no supporting source sentence:", ""]
        lines += [f"- ~~{d.text}~~ ({d.reason})" for d in abstract.dropped]
    return lines


def _day(value: datetime | None) -> str:
    return value.date().isoformat() if value is not None else "undated"


def brief_html(brief: StoryBrief, titles: dict[str, str | None] | None = None) -> str:
    """The brief as a small standalone HTML page (the Markdown's structure, escaped)."""
    body = []
    in_list = False
    for line in brief_markdown(brief, titles).splitlines():
        if line.startswith("- ") or (line[:1].isdigit() and ". `" in line):
            if not in_list:
                body.append("<ul>")
                in_list = True
            item = line[2:] if line.startswith("- ") else line  # sources keep their number
            body.append(f"<li>{_inline(item)}</li>")
            continue
        if in_list:
            body.append("</ul>")
            in_list = False
        if line.startswith("## "):
            body.append(f"<h2>{html.escape(line[3:])}</h2>")
        elif line.startswith("# "):
            body.append(f"<h1>{html.escape(line[2:])}</h1>")
        elif line:
            body.append(f"<p>{_inline(line)}</p>")
    if in_list:
        body.append("</ul>")
    title = html.escape(brief.title)
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        "</head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def _inline(text: str) -> str:
    escaped = html.escape(text, quote=False)
    for mark, tag in (("**", "strong"), ("~~", "del")):
        parts = escaped.split(mark)
        escaped = "".join(f"<{tag}>{p}</{tag}>" if i % 2 else p for i, p in enumerate(parts))
    return escaped.replace("`", "")
