"""Names read from capitals, and word weights with a background prior (no parser, no download)."""

from __future__ import annotations

from collections import Counter

from storyline.assign.background import doc_chance, language_of
from storyline.assign.names import names
from storyline.assign.streaming import TermStats


def test_capitalised_words_inside_sentences_are_names():
    found = names(
        None,
        "The envoy Agathe Morrow met Kostrana's foreign minister in Saltmere. "
        "Morrow said the talks went well.",
    )
    assert {"agathe", "morrow", "kostrana", "saltmere"} <= set(found)
    assert found["morrow"] == 2  # the second time as a sentence's first word, named before
    assert "envoy" not in found and "the" not in found


def test_a_sentence_s_first_word_is_a_name_only_when_it_is_one_elsewhere():
    found = names(None, "Floodwater rose overnight in Brisk. Volunteers filled sandbags.")
    assert set(found) == {"brisk"}


def test_a_title_case_headline_counts_only_the_names_of_its_text():
    found = names(
        "Dam Bursts After Heavy Rain In Corvenia", "The dam above Lessen broke, Corvenia said."
    )
    assert set(found) == {"corvenia", "lessen"}


def test_a_sentence_case_headline_gives_its_names():
    assert set(names("Flood reaches Brisk as Lessen river rises", "")) == {"brisk", "lessen"}


def test_months_weekdays_and_titles_are_not_names():
    found = names(None, "It happened on Monday in March, Mr Pim said. Then Dr Vasko left.")
    assert set(found) == {"pim", "vasko"}


def test_common_words_weigh_little_and_rare_ones_much_from_the_first_article():
    stats = TermStats()
    stats.observe(Counter({"said": 1, "government": 1, "saltmere": 1}))
    assert stats.idf("said") < stats.idf("government") < stats.idf("saltmere")
    assert stats.idf("said") < stats.idf("saltmere") / 3


def test_the_stream_s_own_counts_outweigh_the_prior_as_it_grows():
    stats = TermStats()
    before = stats.idf("saltmere")
    for _ in range(20_000):  # a stream where every article names the same town
        stats.observe(Counter({"saltmere": 1}))
    assert stats.idf("saltmere") < before / 4


def test_a_name_weighs_as_its_word():
    stats = TermStats()
    assert stats.idf("@saltmere") == stats.idf("saltmere")


def test_function_words_of_another_language_weigh_little_in_that_language():
    stats = TermStats()
    assert stats.idf("que", "pt") < stats.idf("que", "en")
    assert doc_chance("que", "pt") > 0.9


def test_unknown_language_codes_fall_back_to_english():
    assert language_of("pt-BR") == "pt"
    assert language_of(None) == language_of("xx") == "en"
