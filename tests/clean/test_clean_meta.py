"""clean/meta.py: canonical URL, content hash and language."""

import pytest

from storyline.clean.meta import (
    canonical_url,
    content_hash,
    detect_language,
    normalise_for_hash,
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "HTTPS://News.HarborTimes.Example:443/world/velmora-wall/?utm_source=x&id=3"
            "&utm_medium=social#comments",
            "https://news.harbortimes.example/world/velmora-wall?id=3",
        ),
        ("http://harbortimes.example:80/", "http://harbortimes.example/"),
        ("http://harbortimes.example", "http://harbortimes.example/"),
        ("http://harbortimes.example:8080/a/", "http://harbortimes.example:8080/a"),
        (
            "https://harbortimes.example/a?fbclid=abc&gclid=def&page=2",
            "https://harbortimes.example/a?page=2",
        ),
        ("  https://harbortimes.example/a  ", "https://harbortimes.example/a"),
    ],
)
def test_canonical_url(url, expected):
    assert canonical_url(url) == expected


def test_canonical_url_keeps_path_case_and_real_parameters():
    url = "https://harbortimes.example/News/Story?q=harbour+wall&page=2"
    assert canonical_url(url) == url


def test_canonical_url_is_idempotent():
    once = canonical_url("https://www.harbortimes.example/a/b/?utm_campaign=z#top")
    assert canonical_url(once) == once


def test_canonical_url_same_article_same_key():
    variants = [
        "https://harbortimes.example/news/ferry",
        "https://harbortimes.example/news/ferry/",
        "https://HARBORTIMES.example/news/ferry#top",
        "https://harbortimes.example:443/news/ferry?utm_source=rss",
    ]
    assert len({canonical_url(v) for v in variants}) == 1


@pytest.mark.parametrize("url", [None, ""])
def test_canonical_url_of_nothing(url):
    assert canonical_url(url) is None


def test_canonical_url_leaves_non_http_alone():
    assert canonical_url("urn:kelmar-post:1") == "urn:kelmar-post:1"


def test_content_hash_ignores_spacing_punctuation_and_case():
    a = "The ferry to Kelmar sailed again on Monday. “It was calm,” said the captain."
    b = "the ferry  to kelmar sailed again on monday\n\nIt was calm - said the CAPTAIN!!"
    assert normalise_for_hash(a) == normalise_for_hash(b)
    assert content_hash(a) == content_hash(b)
    assert len(content_hash(a)) == 64
    int(content_hash(a), 16)


def test_content_hash_differs_for_different_words():
    a = "The ferry to Kelmar sailed again on Monday."
    b = "The ferry to Kelmar sailed again on Tuesday."
    assert content_hash(a) != content_hash(b)


def test_content_hash_normalises_unicode_forms():
    composed = "Café in Velmora"
    decomposed = "Cafe\u0301 in Velmora"
    assert content_hash(composed) == content_hash(decomposed)


ENGLISH = (
    "The town council of Velmora voted on Thursday to rebuild the harbour wall that collapsed "
    "during last month's storm."
)
GERMAN = (
    "Der Gemeinderat von Velmora hat am Donnerstag beschlossen, die Hafenmauer wieder "
    "aufzubauen, die beim Sturm im vergangenen Monat eingestürzt ist."
)
FRENCH = (
    "Le conseil municipal de Velmora a voté jeudi pour reconstruire le mur du port qui s'est "
    "effondré lors de la tempête du mois dernier."
)


@pytest.mark.parametrize(("text", "code"), [(ENGLISH, "en"), (GERMAN, "de"), (FRENCH, "fr")])
def test_detect_language(text, code):
    lang, score = detect_language(text)
    assert lang == code
    assert 0.5 < score <= 1.0


@pytest.mark.parametrize("text", ["123 456", "", "ab 12", "Velmora 2031"])
def test_detect_language_needs_words(text):
    assert detect_language(text) == (None, None)


@pytest.mark.parametrize("url", ["N/A", "/news/story-1", "", "http://[bad", "https:///nohost"])
def test_canonical_url_is_none_for_values_that_identify_nothing(url):
    assert canonical_url(url) is None
