"""The briefing's sentence choice: sourced, without repeats, corroborated first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storyline.fuse import briefing
from storyline.fuse.briefing import (
    SAME_SENTENCE,
    BriefSentence,
    Source,
    choose_sentences,
    content_tokens,
)
from storyline.fuse.sentences import sentence_spans

DAY = datetime(2031, 4, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True, params=["eager", "lazy"])
def grouping(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test in both ways of grouping near-identical sentences: all before choosing (small
    stories) and only the chosen sentences' (stories of hundreds of articles)."""
    if request.param == "lazy":
        monkeypatch.setattr(briefing, "EAGER_LIMIT", 0)
    return str(request.param)


# A fictional story told by three outlets; the Harbour Post republishes the Valley Courier.
COURIER = (
    "The Marlow river burst its banks on Tuesday, flooding 340 homes in the town of Easthaven. "
    "Mayor Ilse Brandt said the town would open three shelters at its schools. "
    "Engineers from the regional water board inspected the Easthaven dam on Tuesday evening. "
    "A local bakery handed out free bread to families who had left their homes."
)
HARBOUR = (
    "Read more: our weekend guide to the coast.\n"
    "The Marlow river burst its banks on Tuesday, flooding 340 homes in the town of Easthaven. "
    "Mayor Ilse Brandt said the town would open three shelters at its schools. "
    "Engineers from the regional water board inspected the Easthaven dam on Tuesday evening."
)
LEDGER = (
    "Flooding along the Marlow river reached 340 homes in Easthaven, the regional water board "
    "said on Wednesday. The water board said engineers found no damage at the Easthaven dam. "
    "Mayor Ilse Brandt said three shelters at the town's schools were open to families. "
    "Rain is expected to ease by Thursday, forecasters said."
)


def _sources() -> list[Source]:
    return [
        Source("courier", COURIER, DAY, "Valley Courier"),
        Source("harbour", HARBOUR, DAY + timedelta(hours=3), "Harbour Post", "courier"),
        Source("ledger", LEDGER, DAY + timedelta(days=1), "Ledger"),
    ]


def _texts() -> dict[str, str]:
    return {source.id: source.text for source in _sources()}


def test_every_sentence_is_the_words_of_its_first_source_and_found_in_every_cited_one():
    chosen = choose_sentences(_sources())
    assert chosen
    texts = _texts()
    for sentence in chosen:
        assert texts[sentence.span.article_id][sentence.span.start : sentence.span.end] == (
            sentence.text
        )
        assert sentence.sources[0] == sentence.span.article_id
        mine = set(content_tokens(sentence.text))
        for article_id in sentence.sources:
            text = texts[article_id]
            overlaps = [
                len(mine & (other := set(content_tokens(text[a:b])))) / len(mine | other)
                for a, b in sentence_spans(text)
            ]
            assert max(overlaps) >= SAME_SENTENCE


def test_the_same_sentence_in_other_words_is_independent_support():
    chosen = choose_sentences(_sources())
    shelters = [s for s in chosen if "shelters" in s.text]
    assert len(shelters) == 1
    assert shelters[0].text.startswith("Mayor Ilse Brandt said the town would open")
    assert shelters[0].sources == ["courier", "harbour", "ledger"]
    assert shelters[0].support == 2  # the Courier (with its copy) and the Ledger


def test_a_sentence_republished_by_a_copy_is_one_sentence_with_both_sources():
    chosen = choose_sentences(_sources())
    flood = [s for s in chosen if s.text.startswith("The Marlow river burst")]
    assert len(flood) == 1
    assert flood[0].sources == ["courier", "harbour"]
    assert flood[0].support == 1  # a copy is not independent corroboration
    assert len({s.text for s in chosen}) == len(chosen)


def test_corroborated_facts_are_chosen_before_what_one_source_alone_says():
    chosen = choose_sentences(_sources(), max_sentences=2)
    texts = " ".join(s.text for s in chosen)
    assert "bakery" not in texts and "forecasters" not in texts
    assert "340 homes" in texts


def test_sentences_come_in_reported_order_and_respect_the_word_budget():
    chosen = choose_sentences(_sources(), max_words=40)
    assert sum(len(s.text.split()) for s in chosen) <= 40
    order = [(s.span.article_id != "courier", s.position) for s in chosen]
    assert order == sorted(order)


def test_with_overflow_the_room_left_goes_to_a_last_sentence_that_runs_past():
    exact = choose_sentences(_sources(), max_words=40)
    spilled = choose_sentences(_sources(), max_words=40, overflow=True)
    assert spilled[:-1] == exact  # the same choice, then one more sentence at the end
    words = [len(s.text.split()) for s in spilled]
    assert sum(words[:-1]) <= 40 < sum(words)
    assert spilled[-1].text not in {s.text for s in exact}


def test_nothing_to_say_gives_no_sentences():
    assert choose_sentences([]) == []
    assert choose_sentences([Source("empty", "")]) == []
    assert choose_sentences([Source("short", "Flood. Rain. Wind.")]) == []


def test_a_story_of_one_article_is_briefed_from_that_article():
    chosen = choose_sentences([Source("only", COURIER, DAY)])
    assert chosen and all(s.sources == ["only"] for s in chosen)


def test_undated_articles_are_briefed_after_dated_ones():
    sources = [Source("undated", LEDGER), Source("dated", COURIER, DAY)]
    chosen: list[BriefSentence] = choose_sentences(sources)
    dated_first = [s.span.article_id for s in chosen]
    assert dated_first == sorted(dated_first, key=lambda a: a == "undated")


def test_sentence_spans_keep_abbreviations_initials_and_quotes_together():
    text = (
        'Gen. Ada Moreno of the U.S. Navy arrived at 5 p.m. on Friday. "Is it safe?" she asked.\n'
        "Prices rose 3.5 percent. J. R. Tolkien wrote it"
    )
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    assert sentences == [
        "Gen. Ada Moreno of the U.S. Navy arrived at 5 p.m. on Friday.",
        '"Is it safe?" she asked.',
        "Prices rose 3.5 percent.",
        "J. R. Tolkien wrote it",
    ]


def test_content_tokens_fold_plurals_and_possessives():
    assert content_tokens("The mayor's shelters and the Mayor's shelter") == [
        "mayor",
        "shelter",
        "mayor",
        "shelter",
    ]


def test_what_one_source_alone_says_loses_even_to_a_later_sentence_others_confirm():
    lone = "A lone reporter watched seven herons nest beside the flooded cricket pavilion at dawn."
    confirmed = "The regional water board closed the Easthaven dam road to traffic on Tuesday."
    sources = [
        Source("a", f"{lone} The weather was grey. {confirmed}", DAY),
        Source("b", f"Officials spoke on Tuesday afternoon near the river. {confirmed}", DAY),
        Source("c", f"Residents gathered at the school hall. {confirmed}", DAY),
    ]
    chosen = choose_sentences(sources, max_sentences=1)
    assert [s.text for s in chosen] == [confirmed]
    assert chosen[0].support == 3


def test_an_update_leaves_out_what_was_reported_before_in_other_words() -> None:
    later = Source(
        "gazette",
        "Mayor Ilse Brandt said the town would open three shelters at its schools on Wednesday. "
        "Rain is expected to ease by Thursday across the Marlow valley, forecasters said.",
        DAY + timedelta(days=1),
    )
    sources = [Source("courier", COURIER, DAY), later]
    update = choose_sentences(sources, since=DAY + timedelta(hours=12), min_sentences=1)
    assert [s.text for s in update] == [
        "Rain is expected to ease by Thursday across the Marlow valley, forecasters said."
    ]
    everything = choose_sentences(sources, min_sentences=1)
    shelters = [s for s in everything if "shelters" in s.text]
    assert len(shelters) == 1 and shelters[0].sources == ["courier", "gazette"]


def test_a_corroborated_sentence_running_past_the_word_budget_beats_single_source_filler():
    short = "The regional water board closed the Easthaven dam road on Tuesday."
    long = (
        "Engineers from the regional water board spent the whole of Tuesday night checking the "
        "spillway gates, the pumps and the old stone walls of the Easthaven dam for cracks."
    )
    sources = [
        Source("a", f"{short} A lone reporter counted seven herons at dawn. {long}", DAY),
        Source("b", f"{short} Volunteers carried sandbags into the cricket pavilion. {long}", DAY),
        Source("c", f"{short} The bakery on Mill Lane stayed open all night long.", DAY),
    ]
    spilled = choose_sentences(sources, max_words=20, min_sentences=5, overflow=True)
    assert [s.text for s in spilled] == [short, long]  # the long one is cut to length later
    exact = choose_sentences(sources, max_words=20, min_sentences=5)
    assert exact[0].text == short and len(exact) > 1  # without overflow: filled up to the budget
    assert all(s.support == 1 for s in exact[1:])


def test_the_cycle_collector_is_left_as_it_was_found():
    import gc

    assert gc.isenabled()
    choose_sentences(_sources())
    assert gc.isenabled()
    gc.disable()
    try:
        choose_sentences(_sources())
        assert not gc.isenabled()  # a caller that paused it keeps it paused
    finally:
        gc.enable()


def test_a_sentence_leaning_on_the_one_before_is_not_chosen():
    leaning = "He said the Easthaven dam would hold through the weekend despite the rain."
    sources = [
        Source(
            s, f"Mayor Ilse Brandt visited the flooded school in Easthaven today. {leaning}", DAY
        )
        for s in ("a", "b", "c")
    ]
    chosen = choose_sentences(sources, min_sentences=1)
    assert [s.text for s in chosen] == [
        "Mayor Ilse Brandt visited the flooded school in Easthaven today."
    ]


def test_the_words_shown_are_the_earliest_that_stand_alone():
    later = (
        "Engineers said the Easthaven dam would hold through the weekend despite the rising river."
    )
    earlier = "They said the Easthaven dam would hold through the weekend despite the rising river."
    sources = [
        Source("first", f"Water reached the town hall steps on Tuesday evening. {earlier}", DAY),
        Source("second", later, DAY + timedelta(hours=2)),
        Source("third", later, DAY + timedelta(hours=4)),
    ]
    dam = [s for s in choose_sentences(sources, min_sentences=1) if "dam" in s.text]
    assert len(dam) == 1 and dam[0].text == later
    assert dam[0].span.article_id == "second" and dam[0].sources == ["first", "second", "third"]


def test_a_story_told_only_in_leaning_sentences_still_gets_a_briefing():
    text = "She said the Easthaven dam would hold through the weekend despite the rain."
    chosen = choose_sentences([Source("only", text, DAY)], min_sentences=1)
    assert [s.text for s in chosen] == [text]
