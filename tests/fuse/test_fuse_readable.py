"""Briefs a reader can use as they are: whole units, body text only, nothing leaning on what is
not shown, balanced quotes and figures, one rendering structure (issue 22). Fictional stories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storyline.fuse.body import leaning, not_body, pronoun_attributions, with_antecedents
from storyline.fuse.briefing import Source, choose_sentences
from storyline.fuse.facts import ClaimFact, FusedQuote
from storyline.fuse.key_quotes import figure_order, key_quotes, quote_text
from storyline.fuse.sentences import balanced, sentence_units
from storyline.fuse.sourcing import Sourced
from storyline.fuse.story_brief import brief_story
from storyline.fuse.timeline import timeline
from storyline.model import Article, Quote, SourceKind, Span, Story, TimeRef

DAY = datetime(2031, 9, 3, 7, 0, tzinfo=UTC)


def _article(
    aid: str, text: str, hours: int = 0, title: str | None = None, outlet: str = "x"
) -> Article:
    return Article(
        source=f"{aid}.txt",
        source_kind=SourceKind.TEXT,
        raw=text,
        id=aid,
        outlet=outlet,
        title=title,
        text=text,
        published=DAY + timedelta(hours=hours),
    )


# --- sentence units -------------------------------------------------------------------------


def test_a_quote_of_several_sentences_is_one_unit_and_never_cut() -> None:
    text = (
        "Minister Ada Ferro spoke in Lindby. “We are ready to talk. We will not give in.” "
        "She left at noon."
    )
    units = [text[s:e] for s, e in sentence_units(text)]
    assert units == [
        "Minister Ada Ferro spoke in Lindby.",
        "“We are ready to talk. We will not give in.”",
        "She left at noon.",
    ]
    assert all(balanced(u) for u in units)


def test_a_quote_running_into_the_next_paragraph_ends_its_unit_unbalanced() -> None:
    text = "Ferro said, “We are ready. We wait.\n“The talks go on,” she said."
    units = [text[s:e] for s, e in sentence_units(text)]
    assert units[0] == "Ferro said, “We are ready. We wait."
    assert not balanced(units[0])
    assert balanced(units[1])


def test_balance_checks_curly_straight_mixed_and_ptb_marks() -> None:
    assert balanced('He said "yes" and “no”.')
    assert balanced('“Half-flattened quote," he said.')  # a curly opener closed by a straight mark
    assert balanced("``We will,'' she said.")
    assert not balanced("He said “we will.")
    assert not balanced("we will,” he said.")
    assert not balanced('He said "we will.')


# --- body sentences -------------------------------------------------------------------------


def test_headlines_bullets_captions_titles_and_shouting_are_not_body() -> None:
    assert not_body("Lindby council “very concerned” about the dam") == "heading"
    assert not_body("• Ferro meets the union on Friday.") == "bullet"
    assert not_body("Ada Ferro, left, and Jon Maas on Sunday in Lindby.") == "caption"
    assert not_body("Photo: the Lindby dam at dawn.") == "caption"
    assert not_body("Ferro wins the Lindby vote.", title="Ferro wins the Lindby vote") == "title"
    assert not_body("THE COUNCIL HAS VOTED TO CLOSE THE DAM.") == "shouting"
    assert not_body("LINDBY | Mon May 18, 2031 (Wire) - The dam closed.") == "furniture"
    assert not_body("Ferro said, “We are ready.") == "unbalanced quote"
    assert not_body("The Lindby council voted on Tuesday to close the old dam.") is None


def test_sentences_leaning_on_the_one_before_are_told_and_resolved_ones_are_not() -> None:
    assert leaning("He said the dam would close.")
    assert leaning("The first is the cost of the repairs.")
    assert leaning("With the union leader, he discussed the cost of the repairs.")
    assert not leaning("With the union leader, Ferro discussed the cost of the repairs.")
    assert leaning("“The dam is safe,” she said.")
    assert not leaning("The council said the dam would close.")
    said = "“The dam is safe,” she said."
    ((start, end),) = pronoun_attributions(said)
    assert said[start:end] == "she"
    assert not leaning(said, frozenset({start}))
    assert with_antecedents(said, {start: "Ada Ferro"}) == "“The dam is safe,” [Ada Ferro] said."


def test_the_briefing_shows_body_sentences_only() -> None:
    body = (
        "The Lindby council voted on Tuesday to close the old dam after engineers found cracks. "
        "Engineers from the water board said the cracks had grown over the winter months."
    )
    texts = [
        "Dam to close after cracks found\n"
        + body
        + "\nAda Ferro, left, and Jon Maas on Sunday in Lindby near the dam.",
        "Lindby dam closes\n" + body + "\n• Read our full coverage of the Lindby dam closure here",
        body,
    ]
    sources = [
        Source(f"a{n}", text, DAY + timedelta(hours=n), f"outlet{n}", title=text.split("\n")[0])
        for n, text in enumerate(texts)
    ]
    chosen = [s.text for s in choose_sentences(sources)]
    assert chosen and all(not_body(s) is None for s in chosen)
    assert not any("left, and" in s or s.startswith("•") or "closes" in s for s in chosen)


def test_a_resolved_pronoun_speaker_is_shown_with_its_antecedent_in_brackets() -> None:
    text = (
        "Mayor Ada Ferro met the dam engineers in Lindby on Tuesday morning. "
        "“The dam will stay closed until every crack is repaired,” she said after the meeting."
    )
    article = _article("a", text)
    start = text.index("she said")
    quote_start = text.index("“")
    article.quotes = [
        Quote(
            Span("a", quote_start, start - 2),
            text[quote_start + 1 : start - 3],
            speaker="Ada Ferro",
            speaker_span=Span("a", start, start + 3),
        )
    ]
    brief = brief_story(Story(1, "Lindby dam", DAY, DAY, 1), [article])
    shown = [s.text for s in brief.sentences]
    assert any("[Ada Ferro] said" in s for s in shown)
    assert not any(" she said" in s for s in shown)


# --- key quotes and figures -----------------------------------------------------------------


def _fused(
    speaker: str, text: str, outlet: str, support: int = 1, direct: bool = True
) -> FusedQuote:
    source = Sourced(f"{outlet}-{speaker}", Span(f"{outlet}-{speaker}", 0, 1), outlet, DAY, text)
    return FusedQuote(speaker, None, text, [source], support, direct)


def test_key_quotes_cover_speakers_and_outlets_with_at_most_two_per_speaker() -> None:
    quotes = [
        _fused("Ada Ferro", f"We will keep the Lindby dam closed for week {n} at least.", "one", 3)
        for n in range(6)
    ]
    quotes += [
        _fused("Jon Maas", "The closure will cost the town its summer trade and its jobs.", "two"),
        _fused("Pia Lund", "There will be no flooding this year if the council acts now.", "three"),
        _fused("Ada Ferro", "informationally and in fact,", "four", 5),  # a fragment
        _fused("Jon Maas", "to give this week on the guarantees asked for by Lindby", "five", 4),
        _fused("Pia Lund", "large parts of the Lindby proposals are non-starters and", "six", 4),
    ]
    chosen = key_quotes(quotes, limit=8)
    speakers = [q.speaker for q in chosen]
    assert speakers.count("Ada Ferro") == 2
    assert {"Jon Maas", "Pia Lund"} <= set(speakers)
    assert {s.outlet for q in chosen for s in q.sources} >= {"one", "two", "three"}
    assert all(len(quote_text(q.text).split()) >= 6 for q in chosen)
    assert not any(q.text.startswith(("to give", "large parts")) for q in chosen)


def test_quote_text_drops_the_marks_and_commas_left_at_its_ends() -> None:
    assert (
        quote_text("“We are observing this with concern,”") == "We are observing this with concern"
    )


def _claim(
    counted: str, quantity: float, support: int, conflicts: list[int] | None = None
) -> ClaimFact:
    return ClaimFact(
        counted,
        None,
        quantity,
        None,
        False,
        f"{quantity:,.0f} {counted}",
        [],
        support,
        conflicts or [],
    )


def test_figures_rank_conflicts_then_corroboration_then_news_value() -> None:
    claims = [
        _claim("sides", 2, 1),
        _claim("soldiers", 8500, 1),
        _claim("troops", 100000, 2),
        _claim("tables", 1, 1),
        _claim("troops", 90000, 1, [2]),
    ]
    order = figure_order(claims)
    assert order[:3] == [4, 2, 1]
    assert order.index(1) < order.index(0) and order.index(1) < order.index(3)


# --- timeline -------------------------------------------------------------------------------


def test_timeline_items_are_one_body_sentence_each_and_told_once_across_days() -> None:
    text = (
        "Lindby dam to close\n\n"
        "The Lindby council voted on Tuesday to close the old dam after engineers found cracks.\n\n"
        "The council voted to close the old Lindby dam after engineers found cracks on Tuesday."
    )
    article = _article("a", text, title="Lindby dam to close")
    head = text.index("Lindby dam")
    one = text.index("on Tuesday")
    two = text.rindex("on Tuesday")
    article.times = [
        TimeRef(Span("a", head, head + 10), "Lindby dam", "2031-09-01", "day", "stated"),
        TimeRef(Span("a", one, one + 10), "on Tuesday", "2031-09-02", "day", "relative"),
        TimeRef(Span("a", two, two + 10), "on Tuesday", "2031-09-03", "day", "relative"),
    ]
    entries = timeline([article])
    assert len(entries) == 1
    assert entries[0].day == "2031-09-02" and "\n" not in entries[0].text


# --- bad input ------------------------------------------------------------------------------


def test_bad_stories_brief_without_breaking_their_units() -> None:
    long_quote = "“" + " ".join(["The dam holds and the town is safe for now."] * 8) + "”"
    run_on = " ".join(["the council met and the engineers spoke and the mayor listened"] * 30)
    no_stops = "\n".join(["Lindby council meets engineers about the dam cracks today"] * 5)
    stories = {
        "one article": [
            _article("a", "The Lindby dam was closed on Tuesday by the council after cracks.")
        ],
        "all copies": [
            _article(f"c{n}", "The Lindby dam was closed on Tuesday by the council.", n)
            for n in range(4)
        ],
        "one long quote": [_article("q", long_quote)],
        "300-word sentence": [_article("r", run_on + ".")],
        "no punctuation": [_article("n", no_stops)],
    }
    for name, articles in stories.items():
        brief = brief_story(Story(1, name, DAY, DAY, len(articles)), articles)
        for sentence in brief.sentences:
            assert balanced(sentence.text), name
            assert not_body(sentence.text) is None, name
