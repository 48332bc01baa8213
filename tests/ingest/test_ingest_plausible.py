"""ingest/plausible.py: how implausible a decoded text looks (issue 21)."""

import pytest

from storyline.ingest.plausible import implausibility, written_in_words


@pytest.mark.parametrize(
    "text",
    [
        "Plain ASCII about the Velmora harbour.",
        "The council\u2019s \u201cplan\u201d \u2014 \u20ac12m\u2026 caf\u00e9, na\u00efve.",
        "Le caf\u00e9 de Velmora a rouvert. \u00ab Nous sommes l\u00e0 \u00bb, a-t-elle dit.",
        "Die Stra\u00dfe nach Velmora wird f\u00fcr gr\u00f6\u00dfere Fahrzeuge gesperrt.",
        "\u017de nov\u00fd most p\u0159es \u0159eku bude hotov\u00fd do podzimu.",
        "\u041d\u043e\u0432\u044b\u0439 \u043c\u043e\u0441\u0442 \u0431\u0443\u0434\u0435\u0442 "
        "\u0433\u043e\u0442\u043e\u0432 \u043a \u043e\u0441\u0435\u043d\u0438.",
        "Area: 40 m\u00b2, 12\u00b0C, \u00bd price, \u00a9 Velmora Times\u2122",
    ],
    ids=["ascii", "english", "french", "german", "czech", "russian", "symbols"],
)
def test_ordinary_text_scores_zero(text):
    assert implausibility(text) == 0


@pytest.mark.parametrize(
    ("wrong", "right"),
    [
        # cp1252 curly quotes read as cp775
        (
            "\u014dWe\u00c6re ready,\u00f6 said the country\u00c6s mayor",
            "\u201cWe\u2019re ready,\u201d",
        ),
        # Russian in cp1251 read as cp1252
        (
            "\u00cd\u00ee\u00e2\u00fb\u00e9 \u00ec\u00ee\u00f1\u00f2",
            "\u041d\u043e\u0432\u044b\u0439",
        ),
        # Polish in cp1250 read as cp1252
        ("powiedzia\u00b3 w \u009crod\u00ea, \u00bfe", "powiedzia\u0142 w \u015brod\u0119"),
        # UTF-8 read as cp1252
        ("caf\u00c3\u00a9 don\u00e2\u20ac\u2122t", "caf\u00e9 don\u2019t"),
        # a byte cp1252 leaves undefined
        ("Velmora \ufffd harbour", "Velmora harbour"),
    ],
    ids=["cp775-quotes", "cp1251-as-cp1252", "cp1250-as-cp1252", "utf8-as-cp1252", "undefined"],
)
def test_wrong_decodings_score_above_the_right_ones(wrong, right):
    assert implausibility(wrong) > implausibility(right)


def test_letters_no_one_language_writes_together_count():
    # Czech read as cp1252: "ø" (Danish) and "ì" (Italian) beside "š" (Czech)
    assert implausibility("P\u00f8\u00edli\u0161 m\u00ecsto \u017elu\u00e8oučk\u00fd") > 0


def test_a_text_in_capitals_from_a_wrong_code_page_counts():
    capitals = " ".join(["\u042c\u042e\u042b \u0414\u0420\u0418\u042c"] * 5)
    lower = capitals.lower()
    assert implausibility(capitals) > implausibility(lower) == 0


def test_written_in_words():
    assert written_in_words("\u041d\u043e\u0432\u044b\u0439 \u043c\u043e\u0441\u0442 \u0432 city")
    assert not written_in_words("Velmora \u0411 harbour \u0449 quay")
    assert not written_in_words("plain ASCII only")
