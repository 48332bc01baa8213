"""Regressions found while measuring analysis quality; each text is fictional."""

from __future__ import annotations

from datetime import date

import pytest

import storyline
from storyline.model import Article


@pytest.fixture(scope="module")
def analysed() -> dict[str, Article]:
    texts = {
        "dateline": (
            "TOLVAR, Feb 15 (MPA) — Varenian Defence Minister Ilse Varga on Friday asked allies "
            "for four more batteries, saying the drills near the border had “no visible end date”."
        ),
        "surname": (
            "Defence Minister Ilse Varga visited the border on Monday.\n\n"
            "“We are ready for every outcome,” Varga told a news conference alongside Deputy "
            "Premier Tomas Renko.\n\n"
            "“We will not be rushed into anything,” she said."
        ),
        "fragment": (
            "Minister Ilse Varga said the talks would bring “peace of mind” to the region and "
            "that the border would stay open."
        ),
        "parenthetical": "The convoy will reach the border by Friday, Ilse Varga said.",
        "closed": (
            'Two officers spoke to the Courier on Monday. Tomas Renko said: "We will not accept '
            'foreign soldiers on our side of the river." The ministry declined to comment on the '
            "figure reported by the Courier."
        ),
    }
    return {
        name: storyline.analyze(text, published=date(2031, 3, 6)) for name, text in texts.items()
    }


def test_analyze_stays_callable_after_its_modules_are_imported() -> None:
    import storyline.analyze.annotate

    assert callable(storyline.analyze)
    assert storyline.analyze("Nothing to see here.").quotes == []


def test_a_dateline_is_never_the_speaker(analysed: dict[str, Article]) -> None:
    quotes = analysed["dateline"].quotes
    assert quotes, "the mixed quote after 'saying' should be found"
    assert all(q.speaker == "Ilse Varga" for q in quotes)


def test_an_untagged_surname_is_the_person_named_in_full(analysed: dict[str, Article]) -> None:
    article = analysed["surname"]
    speakers = [q.speaker for q in article.quotes if q.kind == "direct"]
    assert speakers == ["Ilse Varga", "Ilse Varga"]  # "she" is the subject, not the companion


def test_a_short_fragment_inside_a_clause_is_not_a_direct_quote(
    analysed: dict[str, Article],
) -> None:
    quotes = analysed["fragment"].quotes
    assert [q.kind for q in quotes] == ["mixed"]
    assert "peace of mind" in quotes[0].text


def test_a_report_before_its_speech_verb_is_indirect_speech(analysed: dict[str, Article]) -> None:
    (quote,) = analysed["parenthetical"].quotes
    assert quote.kind == "indirect"
    assert quote.text == "The convoy will reach the border by Friday"
    assert quote.speaker == "Ilse Varga"


def test_a_quote_that_ends_its_sentence_belongs_to_the_words_before_it(
    analysed: dict[str, Article],
) -> None:
    (quote,) = [q for q in analysed["closed"].quotes if q.kind == "direct"]
    assert quote.speaker == "Tomas Renko"  # not "the Courier" of the next sentence's "reported"
