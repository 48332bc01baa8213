"""Analyze stage: quotes and their speakers (`find_quotes`, `speakers.resolve`).

Every text is fictional: invented towns, people, outlets and events.
"""

from __future__ import annotations

from datetime import date

import pytest

import storyline
from storyline.model import Article, Quote

TEXTS = {
    "honorific": (
        "The ferry company will sell its two oldest boats, its owner said on Monday.\n\n"
        "“We cannot keep paying for engines nobody makes any more,” Mr. Halvorsen said. "
        "The harbour board will vote on Friday."
    ),
    "title": (
        "Senator Marta Quill of Dellmark has opposed the canal levy for a year.\n\n"
        "“Nobody in Dellmark asked for a toll on their own water,” Sen. Quill wrote in a letter "
        "to the board."
    ),
    "before_break": (
        "Mayor Lena Ostrova told reporters in Halby on Tuesday that the reservoir was low. "
        "“We have enough water for a month, not more.”"
    ),
    "pronoun": (
        "Judge Petra Lindqvist opened the hearing in Norrvik on Monday morning.\n\n"
        "“The court will not be hurried by anyone,” she said."
    ),
    "unnamed": (
        "Mayor Lena Ostrova visited the market in Halby on Friday.\n\n"
        "A man selling bread near the station was less patient. He said: “Nobody tells us "
        "anything about the trains.”"
    ),
    "appositive": (
        "The Dellmark Rail Authority rejected the report. Its spokeswoman, Ingrid Falk, said "
        "the timetable was “entirely realistic”."
    ),
    "possessor": (
        "Dellmark's chief prosecutor said on Thursday that the harbour contracts had been "
        "signed without a tender and that three officials would be charged."
    ),
    "company": (
        "OSLO — Halby Freight Lines, the country's second-largest haulier, cut 400 jobs in "
        "Norway on Wednesday.\n\n"
        "The company said that most of the cuts would fall on office staff in Norway."
    ),
    "sources": (
        "Tension rose along the Norrvik border last week. “We have every option on the "
        "table,” the allied sources conclude."
    ),
    "subheading": (
        "Mayor Lena Ostrova said the dam would hold. “The water is below the mark,” she said.\n\n"
        "“Halby did not take our warnings into account”\n\n"
        "Engineers from the Norrvik Institute inspected the dam on Sunday."
    ),
    "belief": (
        "Halby council leader Tomas Brandt believes that the tram line will be finished by "
        "2033, although the budget has not been approved."
    ),
    "according": (
        "About 4,000 people have left the valley since March, according to estimates "
        "published by the Norrvik Institute."
    ),
    "nested": (
        "Mayor Lena Ostrova said: “My deputy told me, ‘The bridge is closed,’ and I believed "
        "him at once.”"
    ),
    "across_paragraphs": (
        "Captain Jonas Berg described the storm to the Halby Courier.\n\n"
        "“The waves came over the bridge twice before midnight.\n\n"
        "“By the morning the crew had pumped out most of the water,” he said."
    ),
    "unbalanced": (
        "Jonas Berg said “the harbour will reopen on Monday and the ferries will run again.\n\n"
        "The port authority did not comment."
    ),
    "a_source": (
        "A source close to the Halby council said the budget vote would be delayed until "
        "after the summer."
    ),
    "no_verb_headline": "“Storm Over Halby Harbour”\n\nThe ferries stayed in port on Sunday.",
    "all_caps": (
        "MAYOR LENA OSTROVA SAID THE DAM WOULD HOLD. “WE ARE READY FOR THE FLOOD,” SHE SAID."
    ),
    "signed": (
        "Readers wrote to us about the new tram line.\n\n"
        "“The trams are late every single morning and nobody answers the phone.” ― "
        "Alma Rydberg"
    ),
    "signed_lines": (
        "“The trams are late every single morning.”\xa0― Alma Rydberg\xa0\n"
        "“The buses are no better, and the fares went up in May.”\xa0― Jon Ekholm"
    ),
    "relative": (
        "The vote was postponed by the board chair Ingrid Falk, who said that the harbour "
        "budget needed another month of work."
    ),
    "transcript": (
        "The interview was broadcast on Halby Radio on Sunday.\n\n"
        "HOST: Will the bridge be open by the summer, Mayor?\n\n"
        "OSTROVA: It will be open by June, and the trams will run across it in July."
    ),
    "two_apostrophes": (
        "''The budget is not a wish list,'' said Tomas Brandt, the Halby council leader."
    ),
    "passive": (
        "That exchange was first reported by the Halby Courier, which said the council had "
        "met in secret."
    ),
}


@pytest.fixture(scope="module")
def analysed() -> dict[str, Article]:
    return {
        name: storyline.analyze(text, published=date(2031, 3, 6)) for name, text in TEXTS.items()
    }


def _quote_with(article: Article, words: str) -> Quote:
    found = [q for q in article.quotes if words in q.text]
    assert found, [q.text for q in article.quotes]
    return found[0]


def test_an_honorific_and_a_surname_name_the_speaker(analysed: dict[str, Article]) -> None:
    quote = _quote_with(analysed["honorific"], "engines nobody makes")
    assert quote.kind == "direct"
    assert quote.speaker is not None and "Halvorsen" in quote.speaker
    assert quote.cue == "said"


def test_a_title_abbreviation_does_not_end_the_frame(analysed: dict[str, Article]) -> None:
    quote = _quote_with(analysed["title"], "toll on their own water")
    assert quote.speaker == "Marta Quill"
    assert quote.cue == "wrote"
    assert quote.channel == "letter"


def test_the_speaker_can_be_in_the_sentence_before(analysed: dict[str, Article]) -> None:
    quote = _quote_with(analysed["before_break"], "enough water for a month")
    assert quote.speaker == "Lena Ostrova"


def test_a_pronoun_resolves_to_the_person_named_before_with_evidence(
    analysed: dict[str, Article],
) -> None:
    article = analysed["pronoun"]
    quote = _quote_with(article, "will not be hurried")
    assert quote.speaker == "Petra Lindqvist"
    assert quote.speaker_entity_id is not None
    assert quote.speaker_span is not None
    assert TEXTS["pronoun"][quote.speaker_span.start : quote.speaker_span.end] == "she"


def test_a_pronoun_after_an_unnamed_person_is_not_the_named_one(
    analysed: dict[str, Article],
) -> None:
    quote = _quote_with(analysed["unnamed"], "Nobody tells us")
    assert quote.speaker_entity_id is None
    assert quote.speaker is not None and quote.speaker.startswith("A man")


def test_the_name_in_apposition_is_the_speaker(analysed: dict[str, Article]) -> None:
    quote = _quote_with(analysed["appositive"], "timetable")
    assert quote.speaker == "Ingrid Falk"


def test_a_state_that_owns_the_role_is_not_the_speaker(analysed: dict[str, Article]) -> None:
    article = analysed["possessor"]
    assert article.quotes
    for quote in article.quotes:
        assert quote.speaker != "Dellmark"
        assert quote.speaker is not None and "prosecutor" in quote.speaker


def test_the_company_is_the_organisation_not_the_country(analysed: dict[str, Article]) -> None:
    quote = _quote_with(analysed["company"], "office staff")
    assert quote.speaker == "Halby Freight Lines"
    assert quote.speaker_span is not None
    assert TEXTS["company"][quote.speaker_span.start : quote.speaker_span.end] == "The company"


def test_unnamed_sources_keep_their_words_and_link_to_no_one(
    analysed: dict[str, Article],
) -> None:
    quote = _quote_with(analysed["sources"], "every option")
    assert quote.speaker_entity_id is None
    assert quote.speaker == "the allied sources"


def test_a_subheading_is_never_a_quote(analysed: dict[str, Article]) -> None:
    article = analysed["subheading"]
    assert not [q for q in article.quotes if "warnings" in q.text]
    assert _quote_with(article, "below the mark").speaker == "Lena Ostrova"


def test_a_belief_is_an_attribution_of_its_own_kind(analysed: dict[str, Article]) -> None:
    quote = _quote_with(analysed["belief"], "tram line will be finished")
    assert quote.kind == "belief"
    assert quote.speaker == "Tomas Brandt"
    assert not quote.direct


def test_according_to_names_who_published_the_estimate(analysed: dict[str, Article]) -> None:
    quote = _quote_with(analysed["according"], "have left the valley")
    assert quote.kind == "source"
    assert quote.cue == "according to"
    assert quote.speaker == "Norrvik Institute"


def test_a_quote_inside_a_quote_stays_with_the_outer_speaker(
    analysed: dict[str, Article],
) -> None:
    article = analysed["nested"]
    outer = _quote_with(article, "My deputy told me")
    assert outer.speaker == "Lena Ostrova"
    assert all(q.speaker in {"Lena Ostrova", None} for q in article.quotes)


def test_a_quote_running_over_paragraphs_keeps_one_speaker(
    analysed: dict[str, Article],
) -> None:
    article = analysed["across_paragraphs"]
    first = _quote_with(article, "waves came over")
    second = _quote_with(article, "pumped out")
    assert first.speaker == second.speaker == "Jonas Berg"


def test_an_unbalanced_quote_mark_does_not_swallow_the_article(
    analysed: dict[str, Article],
) -> None:
    article = analysed["unbalanced"]
    assert not [q for q in article.quotes if "did not comment" in q.text]
    for quote in article.quotes:
        assert quote.speaker == "Jonas Berg"


def test_a_source_named_only_as_a_source_links_to_no_one(
    analysed: dict[str, Article],
) -> None:
    quote = _quote_with(analysed["a_source"], "budget vote")
    assert quote.speaker_entity_id is None
    assert quote.speaker is not None and quote.speaker.lower().startswith("a source")


def test_a_headline_without_a_verb_is_no_quote(analysed: dict[str, Article]) -> None:
    assert analysed["no_verb_headline"].quotes == []


def test_all_caps_text_gives_no_crash_and_no_bogus_speaker(
    analysed: dict[str, Article],
) -> None:
    for quote in analysed["all_caps"].quotes:
        assert quote.speaker is None or "OSTROVA" in quote.speaker.upper()


def test_a_signed_quote_names_its_signer(analysed: dict[str, Article]) -> None:
    quote = _quote_with(analysed["signed"], "trams are late")
    assert quote.speaker == "Alma Rydberg"


def test_transcript_lines_are_their_speakers_words(analysed: dict[str, Article]) -> None:
    article = analysed["transcript"]
    host = _quote_with(article, "Will the bridge be open")
    mayor = _quote_with(article, "open by June")
    assert host.speaker == "Host"
    assert mayor.speaker is not None and "Ostrova" in mayor.speaker
    assert mayor.cue == ":"


def test_two_apostrophes_mark_a_quote(analysed: dict[str, Article]) -> None:
    quote = _quote_with(analysed["two_apostrophes"], "not a wish list")
    assert quote.text == "The budget is not a wish list,"
    assert quote.speaker == "Tomas Brandt"


def test_a_passive_report_names_its_agent_not_its_subject(
    analysed: dict[str, Article],
) -> None:
    for quote in analysed["passive"].quotes:
        assert quote.speaker is None or "exchange" not in quote.speaker.lower()


def test_no_speaker_is_a_word_that_cannot_speak(analysed: dict[str, Article]) -> None:
    bogus = {"there", "this", "that", "copies", "it"}
    for article in analysed.values():
        for quote in article.quotes:
            assert (quote.speaker or "").lower() not in bogus, quote


def test_every_quote_keeps_its_provenance(analysed: dict[str, Article]) -> None:
    for name, article in analysed.items():
        for quote in article.quotes:
            assert TEXTS[name][quote.span.start : quote.span.end] == quote.text
            if quote.speaker_span is not None:
                assert 0 <= quote.speaker_span.start < quote.speaker_span.end <= len(TEXTS[name])


def test_each_signed_line_names_its_own_signer(analysed: dict[str, Article]) -> None:
    article = analysed["signed_lines"]
    assert _quote_with(article, "trams are late").speaker == "Alma Rydberg"
    assert _quote_with(article, "buses are no better").speaker == "Jon Ekholm"


def test_who_names_the_speaker_where_the_text_says_who(analysed: dict[str, Article]) -> None:
    quote = _quote_with(analysed["relative"], "harbour budget")
    assert quote.speaker == "Ingrid Falk"
    assert quote.speaker_span is not None
    assert TEXTS["relative"][quote.speaker_span.start : quote.speaker_span.end] == "who"
