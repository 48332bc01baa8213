"""One brief, three renderings from one layout: Markdown and HTML show the same items, article
words stay words (no markup from them), and every figure a reader needs first is shown."""

from __future__ import annotations

from datetime import UTC, datetime

from storyline.fuse.briefing import BriefSentence
from storyline.fuse.facts import ClaimFact
from storyline.fuse.sourcing import Sourced
from storyline.fuse.story_brief import StoryBrief
from storyline.fuse.timeline import TimelineEntry
from storyline.model import Span
from storyline.serve.brief_render import brief_html, brief_json, brief_markdown, layout

DAY = datetime(2031, 9, 3, 7, 0, tzinfo=UTC)


def _src(aid: str) -> Sourced:
    return Sourced(aid, Span(aid, 0, 5), "Lindby Ledger", DAY, "words")


def _brief() -> StoryBrief:
    brief = StoryBrief(7, "Lindby dam", DAY, DAY, None, 3, 3)
    brief.sentences = [
        BriefSentence(
            "The vote was **close** and ~~final~~ <b>today</b>.", Span("a", 0, 9), ["a"], 1, 1.0
        ),
        BriefSentence(
            "Engineers said the cracks\n\nhad grown.", Span("b", 0, 9), ["b", "a"], 2, 1.0
        ),
    ]
    brief.claims = [
        ClaimFact("tables", None, 1, None, False, "one table", [_src("a")], 1),
        ClaimFact("soldiers", None, 8500, None, False, "8,500 soldiers", [_src("b")], 1),
        ClaimFact("homes", None, 340, None, False, "340 homes", [_src("a")], 1),
        ClaimFact("jobs", None, 90, None, False, "90 jobs", [_src("a")], 1),
        ClaimFact("sides", None, 2, None, False, "two sides", [_src("a")], 1),
        ClaimFact("cars", None, 12, None, False, "12 cars", [_src("a")], 1),
        ClaimFact("boats", None, 4, None, False, "4 boats", [_src("a")], 1),
    ]
    brief.figure_order = [1, 2, 3, 5, 6, 4, 0]
    brief.timeline = [
        TimelineEntry("2031-09-02", "The council voted.\n\nIt was late.", "stated", [_src("a")], 1)
    ]
    return brief


def test_markdown_and_html_show_the_same_items_from_one_layout() -> None:
    brief = _brief()
    page = layout(brief)
    md = brief_markdown(brief)
    html = brief_html(brief)
    for section in page.sections:
        assert f"## {section.title}" in md and f">{section.title}</h2>" in html
    assert md.count("\n- ") == sum(len(s.items) for s in page.sections)
    assert html.count("<li>") == sum(len(s.items) for s in page.sections)


def test_article_words_are_never_read_as_markup() -> None:
    md = brief_markdown(_brief())
    html = brief_html(_brief())
    assert r"\*\*close\*\*" in md and r"\~\~final\~\~" in md and r"\<b\>" in md
    assert "**close**" not in md.replace(r"\*\*close\*\*", "")
    assert "&lt;b&gt;today&lt;/b&gt;" in html and "<b>" not in html
    assert "<strong>close</strong>" not in html and "<del>" not in html


def test_items_are_one_line_each() -> None:
    md = brief_markdown(_brief())
    body = md.split("## Sources")[0]
    for line in body.splitlines():
        assert not line.startswith(" "), line
    assert "Engineers said the cracks had grown." in md
    assert "The council voted. It was late." in md


def test_the_top_five_figures_are_shown_in_every_format() -> None:
    brief = _brief()
    md, html, data = brief_markdown(brief), brief_html(brief), brief_json(brief)
    for i in brief.figure_order[:5]:
        text = brief.claims[i].text
        assert text in md and text in html
    assert "one table" not in md and "two sides" not in md
    assert data["figure_order"] == brief.figure_order


def test_html_citations_link_to_sources_and_only_web_addresses_become_links() -> None:
    brief = _brief()
    html = brief_html(
        brief,
        titles={"a": "Dam vote", "b": "Cracks"},
        urls={"a": "https://ledger.example/dam", "b": "javascript:alert(1)"},
    )
    assert '<a href="#source-1">[1]</a>' in html and 'id="source-1"' in html
    assert 'href="https://ledger.example/dam"' in html
    assert "javascript:" not in html
    assert "<script" not in html and "<style>" in html
