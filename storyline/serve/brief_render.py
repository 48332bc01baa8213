"""Serve: a story brief as JSON, Markdown or HTML. Every item carries its citations.

One layout (`layout`) decides what a reader sees - sections, items, citations, the top figures -
and Markdown and HTML are two renderings of it, so they never disagree; JSON is the brief itself.
Citations are numbered per brief: [1] is the first article cited, and the list of sources at the
end maps each number to the article id, outlet, date and title (in HTML, a link to the source).
Article text is never read as markup: Markdown escapes it, HTML escapes it.
"""

from __future__ import annotations

import html
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from storyline.fuse.key_quotes import TOP_FIGURES, quote_text
from storyline.fuse.sourcing import Sourced
from storyline.fuse.story_brief import StoryBrief

FORMATS = ("md", "html", "json")
MAX_FIGURES = 15


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
    return _plain(asdict(brief))


@dataclass(slots=True)
class Item:
    """One line of a section: optional bold lead, the text (article words, shown as words),
    citation numbers, and a trailing remark; ``struck`` for dropped written sentences."""

    text: str
    cites: list[int] = field(default_factory=list)
    lead: str | None = None
    remark: str = ""
    flag: str | None = None  # "CONFLICT", shown strong
    struck: bool = False


@dataclass(slots=True)
class Section:
    title: str
    items: list[Item] = field(default_factory=list)
    intro: str | None = None


@dataclass(slots=True)
class SourceLine:
    number: int
    article_id: str
    title: str | None
    where: str
    url: str | None


@dataclass(slots=True)
class Layout:
    title: str
    summary: str
    sections: list[Section]
    notes: list[str]
    sources: list[SourceLine]


class _Citations:
    """Numbers articles in the order they are first cited."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.seen: dict[str, Sourced] = {}

    def cite(self, article_ids: list[str], sources: list[Sourced] | None = None) -> list[int]:
        for source in sources or []:
            self.seen.setdefault(source.article_id, source)
        return [
            self.numbers.setdefault(a, len(self.numbers) + 1) for a in dict.fromkeys(article_ids)
        ]

    def of(self, sources: list[Sourced]) -> list[int]:
        return self.cite([s.article_id for s in sources], sources)


def _one_line(text: str) -> str:
    """Article words on one line: line breaks and runs of space become one space."""
    return " ".join(text.split())


def _day(value: datetime | None) -> str:
    return value.date().isoformat() if value is not None else "undated"


def _outlet_date(source: Sourced | None) -> str:
    if source is None:
        return ""
    when = source.published.date().isoformat() if source.published else "undated"
    return f"{source.outlet or 'unknown outlet'}, {when}"


def shown_figures(brief: StoryBrief) -> list[int]:
    """Indexes of the claims every format shows: the top TOP_FIGURES by `figure_order`, then
    the other corroborated or conflicting ones, up to MAX_FIGURES."""
    order = brief.figure_order or list(range(len(brief.claims)))
    top = order[:TOP_FIGURES]
    more = [
        i for i in order[TOP_FIGURES:] if brief.claims[i].conflicts or brief.claims[i].support > 1
    ]
    return (top + more)[:MAX_FIGURES]


def layout(
    brief: StoryBrief,
    titles: dict[str, str | None] | None = None,
    urls: dict[str, str | None] | None = None,
) -> Layout:
    """What a reader sees of ``brief``, in order, with citations numbered."""
    cite = _Citations()
    title = brief.title + (
        f" — update since {brief.since.date().isoformat()}" if brief.since else ""
    )
    summary = (
        f"Story {brief.story_id}, {_day(brief.first_seen)} to {_day(brief.last_seen)}; "
        f"{brief.articles} articles."
    )
    if brief.since:
        summary += f" {brief.new_articles} published since {brief.since.date().isoformat()}."
    sections: list[Section] = []
    if brief.abstract is not None:
        sections += _written(brief, cite)
    sentences = Section("Briefing" if brief.abstract is None else "Key sentences (extractive)")
    for sentence in brief.sentences:
        remark = f"({sentence.support} independent sources)" if sentence.support > 1 else ""
        sentences.items.append(
            Item(_one_line(sentence.text), cite.cite(sentence.sources), remark=remark)
        )
    sections.append(sentences)
    if brief.quotes:
        quotes = Section("Key quotes")
        for quote in brief.quotes:
            outlets = ", ".join(dict.fromkeys(s.outlet or "unknown outlet" for s in quote.sources))
            quotes.items.append(
                Item(
                    f"“{_one_line(quote_text(quote.text))}”",
                    cite.of(quote.sources),
                    lead=f"{quote.speaker or 'unattributed'}, {_day(quote.first)}:",
                    remark=f"— {outlets}",
                )
            )
        sections.append(quotes)
    if brief.claims:
        figures = Section("Figures")
        shown = shown_figures(brief)
        for i in shown:
            claim = brief.claims[i]
            plural = "s" if claim.support != 1 else ""
            others = "; ".join(f"“{_one_line(brief.claims[j].text)}”" for j in claim.conflicts)
            figures.items.append(
                Item(
                    f"“{_one_line(claim.text)}”",
                    cite.of(claim.sources),
                    lead=f"{claim.counted or 'unspecified'}:",
                    remark=f"{claim.support} independent source{plural}"
                    + (f", with {others}" if others else ""),
                    flag="CONFLICT" if claim.conflicts else None,
                )
            )
        rest = len(brief.claims) - len(shown)
        if rest:
            figures.items.append(
                Item(f"… and {rest} more figures, each from one source (in the JSON brief)")
            )
        sections.append(figures)
    if brief.timeline:
        timeline = Section("Timeline")
        for entry in brief.timeline:
            told = "; ".join(entry.events)
            timeline.items.append(
                Item(
                    _one_line(entry.text),
                    cite.of(entry.sources),
                    lead=f"{entry.day}:",
                    remark=f"— {told}" if told else "",
                )
            )
        sections.append(timeline)
    if brief.outlets:
        outlets_section = Section("Outlets")
        for role in brief.outlets:
            copies = f"; republished {', '.join(role.copies_of)}" if role.copies_of else ""
            outlets_section.items.append(
                Item(
                    f"{role.name or role.outlet}: {role.articles} articles, first "
                    f"{_day(role.first)}, {role.originals} original{copies}"
                )
            )
        sections.append(outlets_section)
    sources = [
        SourceLine(
            number,
            article_id,
            (titles or {}).get(article_id),
            _outlet_date(cite.seen.get(article_id)),
            _web((urls or {}).get(article_id)),
        )
        for article_id, number in cite.numbers.items()
    ]
    return Layout(title, summary, sections, [f"{n}." for n in brief.notes], sources)


def _web(url: str | None) -> str | None:
    """Only http(s) addresses become links."""
    return url if url and re.match(r"https?://", url, re.IGNORECASE) else None


def _written(brief: StoryBrief, cite: _Citations) -> list[Section]:
    """The written briefing: kept sentences with citations, then what was dropped."""
    abstract = brief.abstract
    assert abstract is not None
    written = Section(
        f"Written briefing ({abstract.model}; every sentence checked against its sources)"
    )
    for sentence in abstract.sentences:
        recited = "(re-cited: its own citations did not support it)" if sentence.recited else ""
        written.items.append(
            Item(_one_line(sentence.text), cite.cite(sentence.sources), remark=recited)
        )
    if not abstract.sentences:
        written.items.append(Item("(no written sentence was supported by the sources)"))
    sections = [written]
    if abstract.dropped:
        dropped = Section("Dropped, with no supporting source sentence")
        dropped.items = [
            Item(_one_line(d.text), struck=True, remark=f"({d.reason})") for d in abstract.dropped
        ]
        sections.append(dropped)
    return sections


# Markdown: article words are escaped so that "**" or "~~" in a sentence stays text.
_MD_SPECIAL = re.compile(r"([\\`*_{}<>#|~]|\[(?=[^\]]*\]\())")


def _md(text: str) -> str:
    """``text`` with what Markdown would read as markup escaped (a bracket only where it would
    open a link)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def brief_markdown(
    brief: StoryBrief,
    titles: dict[str, str | None] | None = None,
    urls: dict[str, str | None] | None = None,
) -> str:
    """The brief as Markdown, with numbered citations and the list of sources at the end."""
    page = layout(brief, titles, urls)
    lines = [f"# {_md(page.title)}", "", _md(page.summary)]
    for section in page.sections:
        lines += ["", f"## {_md(section.title)}", ""]
        for item in section.items:
            lines.append("- " + _md_item(item))
    for note in page.notes:
        lines += ["", f"_Note: {_md(note)}_"]
    lines += ["", "## Sources", ""]
    for source in page.sources:
        title = f" {_md(source.title)}" if source.title else ""
        where = f" ({_md(source.where)})" if source.where else ""
        lines.append(f"{source.number}. `{source.article_id}`{title}{where}")
    return "\n".join(lines) + "\n"


def _md_item(item: Item) -> str:
    parts = []
    if item.lead:
        parts.append(f"**{_md(item.lead)}**")
    parts.append(f"~~{_md(item.text)}~~" if item.struck else _md(item.text))
    if item.cites:
        parts.append("".join(f"[{n}]" for n in item.cites))
    if item.flag:
        parts.append(f"**{item.flag}**")
    if item.remark:
        parts.append(_md(item.remark))
    return " ".join(parts)


_STYLE = """
:root { color-scheme: light dark; --ink: #1d232a; --soft: #5b6572; --line: #d9dee4;
  --paper: #ffffff; --accent: #1f5f99; --warn: #9c2f17; }
@media (prefers-color-scheme: dark) { :root { --ink: #e6e9ed; --soft: #a8b2bd;
  --line: #39424c; --paper: #15191e; --accent: #8cc2f2; --warn: #f19a83; } }
body { font: 16px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
  background: var(--paper); max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin-bottom: .3rem; }
h2 { font-size: 1.1rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem;
  margin-top: 1.8rem; }
.summary, .remark, .sources { color: var(--soft); }
li { margin-bottom: .45rem; }
a { color: var(--accent); }
sup a { text-decoration: none; font-size: .8em; }
.flag { color: var(--warn); }
@media print { body { margin: 0; max-width: none; } a { color: inherit; } }
"""


def brief_html(
    brief: StoryBrief,
    titles: dict[str, str | None] | None = None,
    urls: dict[str, str | None] | None = None,
) -> str:
    """The brief as a standalone, styled, printable HTML page (no script), citations linked to
    the list of sources and the sources to their pages."""
    page = layout(brief, titles, urls)
    esc = html.escape
    body = [f"<h1>{esc(page.title)}</h1>", f'<p class="summary">{esc(page.summary)}</p>']
    for number, section in enumerate(page.sections):
        body.append(
            f'<section aria-labelledby="s{number}"><h2 id="s{number}">{esc(section.title)}</h2>'
        )
        tag = "ol" if section.title in {"Briefing", "Key sentences (extractive)"} else "ul"
        body.append(f"<{tag}>")
        body += [f"<li>{_html_item(item)}</li>" for item in section.items]
        body.append(f"</{tag}></section>")
    body += [f'<p class="remark"><em>Note: {esc(note)}</em></p>' for note in page.notes]
    body.append(
        '<section aria-labelledby="sources"><h2 id="sources">Sources</h2><ol class="sources">'
    )
    for source in page.sources:
        label = esc(source.title or source.article_id)
        linked = (
            f'<a href="{esc(source.url)}" rel="noopener noreferrer">{label}</a>'
            if source.url
            else label
        )
        where = f" ({esc(source.where)})" if source.where else ""
        body.append(
            f'<li id="source-{source.number}" value="{source.number}">{linked}{where} '
            f"<code>{esc(source.article_id)}</code></li>"
        )
    body.append("</ol></section>")
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(page.title)}</title><style>{_STYLE}</style></head><body><main>\n"
        + "\n".join(body)
        + "\n</main></body></html>\n"
    )


def _html_item(item: Item) -> str:
    esc = html.escape
    parts = []
    if item.lead:
        parts.append(f"<strong>{esc(item.lead)}</strong>")
    parts.append(f"<del>{esc(item.text)}</del>" if item.struck else esc(item.text))
    if item.cites:
        parts.append("".join(f'<sup><a href="#source-{n}">[{n}]</a></sup>' for n in item.cites))
    if item.flag:
        parts.append(f'<strong class="flag">{esc(item.flag)}</strong>')
    if item.remark:
        parts.append(f'<span class="remark">{esc(item.remark)}</span>')
    return " ".join(parts)
