"""Fusing claims, quotes and dated sentences across a story's articles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storyline.fuse.facts import fuse_claims, fuse_quotes, values_agree
from storyline.fuse.timeline import outlets, timeline
from storyline.model import Actor, Article, Claim, Event, Quote, SourceKind, Span, TimeRef

DAY = datetime(2031, 6, 10, 8, 0, tzinfo=UTC)


def _article(
    aid: str, outlet: str, text: str, hours: int = 0, copy_of: str | None = None
) -> Article:
    return Article(
        source=f"{aid}.txt",
        source_kind=SourceKind.TEXT,
        raw=text,
        id=aid,
        outlet=outlet,
        text=text,
        published=DAY + timedelta(hours=hours),
        duplicate_of=copy_of,
    )


def _claim(article: Article, words: str, quantity: float | None, counted: str) -> Claim:
    start = article.text.index(words)
    span = Span(article.id or "", start, start + len(words))
    return Claim(span, quantity, None, counted, text=words)


def _quote(article: Article, words: str, speaker: str) -> Quote:
    start = article.text.index(words)
    span = Span(article.id or "", start, start + len(words))
    return Quote(span, words, speaker_entity_id=f"person:{speaker.lower()}", speaker=speaker)


def _date(article: Article, words: str, value: str) -> TimeRef:
    start = article.text.index(words)
    return TimeRef(Span(article.id or "", start, start + len(words)), words, value, "day", "stated")


def _deployment_story() -> list[Article]:
    gazette = _article(
        "gazette",
        "Northern Gazette",
        "The republic of Varnia moved 12,000 soldiers to the Ostrava border crossing this week. "
        "Separately, 300 ambulances were bought by the health ministry.",
    )
    tribune = _article(
        "tribune",
        "Coastal Tribune",
        "Varnia has moved 12,000 soldiers toward the Ostrava border crossing, officials said.",
        hours=2,
    )
    echo = _article(
        "echo",
        "Daily Echo",
        "Varnia sent 20,000 soldiers to the Ostrava border crossing, according to the Echo.",
        hours=5,
    )
    copy = _article(
        "copy",
        "Aggregator",
        "Varnia sent 20,000 soldiers to the Ostrava border crossing, according to the Echo.",
        hours=6,
        copy_of="echo",
    )
    gazette.claims = [
        _claim(gazette, "12,000 soldiers", 12000, "soldiers"),
        _claim(gazette, "300 ambulances", 300, "ambulances"),
    ]
    tribune.claims = [_claim(tribune, "12,000 soldiers", 12000, "soldiers")]
    echo.claims = [_claim(echo, "20,000 soldiers", 20000, "soldiers")]
    copy.claims = [_claim(copy, "20,000 soldiers", 20000, "soldiers")]
    return [echo, copy, tribune, gazette]  # any order: fusing sorts by publication


def test_the_same_figure_from_two_outlets_is_one_fact_with_two_sources():
    facts = fuse_claims(_deployment_story())
    twelve = next(f for f in facts if f.quantity == 12000)
    assert [s.article_id for s in twelve.sources] == ["gazette", "tribune"]
    assert twelve.support == 2
    assert twelve.text == "12,000 soldiers"


def test_different_figures_for_one_deployment_are_flagged_as_conflicting():
    facts = fuse_claims(_deployment_story())
    twelve = facts.index(next(f for f in facts if f.quantity == 12000))
    twenty = facts.index(next(f for f in facts if f.quantity == 20000))
    assert facts[twelve].conflicts == [twenty]
    assert facts[twenty].conflicts == [twelve]
    assert facts[twenty].support == 1  # the aggregator's copy is not corroboration
    assert len(facts[twenty].sources) == 2


def test_figures_of_other_things_do_not_conflict():
    facts = fuse_claims(_deployment_story())
    ambulances = next(f for f in facts if f.counted == "ambulance")
    assert ambulances.conflicts == [] and ambulances.support == 1


def test_one_article_giving_two_figures_is_not_a_conflict_with_itself():
    text = (
        "Varnia had 5,000 soldiers at the Ostrava border crossing in May and now has "
        "9,000 soldiers at the Ostrava border crossing."
    )
    article = _article("one", "Northern Gazette", text)
    article.claims = [
        _claim(article, "5,000 soldiers", 5000, "soldiers"),
        _claim(article, "9,000 soldiers", 9000, "soldiers"),
    ]
    assert all(not fact.conflicts for fact in fuse_claims([article]))


def test_approximate_figures_and_ranges_agree_with_figures_inside_them():
    exact = Claim(Span("a", 0, 1), 100_000, None, "troops")
    about = Claim(Span("b", 0, 1), 100_000, None, "troops", approximate=True)
    near = Claim(Span("c", 0, 1), 95_000, None, "troops")
    ranged = Claim(Span("d", 0, 1), 90_000, None, "troops", quantity_max=110_000)
    far = Claim(Span("e", 0, 1), 60_000, None, "troops")
    vague = Claim(Span("f", 0, 1), None, None, "troops")
    assert values_agree(about, near) and values_agree(ranged, exact)
    assert not values_agree(exact, near) and not values_agree(exact, far)
    assert not values_agree(vague, exact) and values_agree(vague, vague)


def test_a_quote_carried_by_three_outlets_in_part_or_whole_is_one_quote():
    words = "We will not accept soldiers on our side of the river, and we have said so plainly"
    part = "We will not accept soldiers on our side of the river"
    first = _article("a", "Northern Gazette", f'"{part}," Mayor Lind said.')
    second = _article("b", "Coastal Tribune", f'"{words}," said Lind.', hours=1)
    third = _article("c", "Daily Echo", f'Lind said: "{words}."', hours=2)
    other = _article("d", "Daily Echo", '"The river is calm today," Lind said.', hours=3)
    first.quotes = [_quote(first, part, "Lind")]
    second.quotes = [_quote(second, words, "Lind")]
    third.quotes = [_quote(third, words, "Lind")]
    other.quotes = [_quote(other, "The river is calm today", "Lind")]
    fused = fuse_quotes([third, other, second, first])
    assert len(fused) == 2
    assert fused[0].text == words and fused[0].support == 3
    assert [s.outlet for s in fused[0].sources] == [
        "Northern Gazette",
        "Coastal Tribune",
        "Daily Echo",
    ]
    assert fused[0].first == DAY


def test_the_same_words_from_two_speakers_are_two_quotes():
    first = _article("a", "Gazette", '"We are ready," Lind said.')
    second = _article("b", "Tribune", '"We are ready," Moreau said.')
    first.quotes = [_quote(first, "We are ready", "Lind")]
    second.quotes = [_quote(second, "We are ready", "Moreau")]
    assert len(fuse_quotes([first, second])) == 2


def test_the_timeline_files_sentences_under_their_days_and_merges_retellings():
    a = _article(
        "a",
        "Gazette",
        "The bridge at Ostrava closed on June 8 after the flood. Repairs began on June 9.",
    )
    b = _article(
        "b", "Tribune", "Officials said the bridge at Ostrava closed on June 8 after the flood.", 1
    )
    a.times = [_date(a, "June 8", "2031-06-08"), _date(a, "June 9", "2031-06-09")]
    b.times = [_date(b, "June 8", "2031-06-08")]
    b.times.append(TimeRef(Span("b", 0, 9), "Officials", "2031-06", "month", "inferred"))
    entries = timeline([b, a])
    assert [(e.day, e.support) for e in entries] == [("2031-06-08", 2), ("2031-06-09", 1)]
    assert entries[0].text == "The bridge at Ostrava closed on June 8 after the flood."
    assert [s.article_id for s in entries[0].sources] == ["a", "b"]


def test_outlets_show_who_reported_first_and_who_republished_whom():
    roles = outlets(_deployment_story())
    assert [r.outlet for r in roles] == [
        "Northern Gazette",
        "Coastal Tribune",
        "Daily Echo",
        "Aggregator",
    ]
    aggregator = roles[-1]
    assert aggregator.copies_of == ["Daily Echo"] and aggregator.originals == 0
    assert roles[0].first == DAY


def test_the_timeline_shows_coded_events_and_leaves_out_what_did_not_happen():
    text = (
        "Norway sent written proposals to Denmark. The ministry in Oslo said on June 8 that "
        "Denmark had answered. Norway did not expel any diplomats."
    )
    a = _article("a", "Gazette", text)
    sentences = [s for s in text.split(". ")]
    first_end = len(sentences[0]) + 1
    second_start = text.index("The ministry")
    third_start = text.index("Norway did not")

    def event(start: int, end: int, plover: str, day: str, derivation: str, **kw: bool) -> Event:
        return Event(
            Span("a", start, end),
            Span("a", start + 7, start + 11),
            "cue",
            plover,
            None,
            "04",
            1.0,
            Actor("Norway", "NOR", "NOR", None),
            Actor("Denmark", "DNK", "DNK", None),
            day,
            derivation,
            text=text[start:end],
            **kw,
        )

    a.events = [
        event(0, first_end, "CONSULT", "2031-06-09", "publication day"),
        event(second_start, third_start - 1, "CONSULT", "2031-06-08", "stated"),
        event(third_start, len(text), "SANCTION", "2031-06-09", "publication day", negated=True),
    ]
    a.times = [_date(a, "June 8", "2031-06-08")]
    entries = timeline([a])
    assert [(e.day, e.events) for e in entries] == [
        ("2031-06-08", ["NOR CONSULT DNK"]),  # found by its date and by its event: one entry
        ("2031-06-09", ["NOR CONSULT DNK"]),
    ]
    assert [len(e.sources) for e in entries] == [1, 1]
    assert entries[1].text == sentences[0] + "." and entries[1].derivation == "publication day"
