"""Site names cut from headlines; other separators left alone. Fictional sites."""

from __future__ import annotations

import pytest

from storyline.clean.titles import split_author, strip_site_name


@pytest.mark.parametrize(
    ("title", "url", "sitename", "expected"),
    [
        ("Dam inquiry opens | Harbor Times", "https://www.harbortimes.example/a", None,
         "Dam inquiry opens"),
        ("Dam inquiry opens - HarborTimes.example", "https://harbortimes.example/a", None,
         "Dam inquiry opens"),
        ("Dam inquiry opens – The Harbor Times Blog", "https://blog.harbortimes.example/a", None,
         "Dam inquiry opens"),
        ("Dam inquiry opens | Daily Lantern", "https://lantern.example/a", "Daily Lantern",
         "Dam inquiry opens"),
        ("Harbor Times | Dam inquiry opens", "https://harbortimes.example/a", None,
         "Dam inquiry opens"),
        # a separator inside the headline itself stays
        ("Dam inquiry - what happens next", "https://harbortimes.example/a", None,
         "Dam inquiry - what happens next"),
        ("Review - shoots for the moon - Lantern", "https://lantern.example/a", None,
         "Review - shoots for the moon"),
        # nothing to compare with, or the whole title is the name
        ("Dam inquiry opens | Harbor Times", None, None, "Dam inquiry opens | Harbor Times"),
        ("Harbor Times", "https://harbortimes.example/", None, "Harbor Times"),
    ],
)  # fmt: skip
def test_the_site_name_is_cut_from_the_title(title, url, sitename, expected):
    assert strip_site_name(title, url, sitename) == expected


@pytest.mark.parametrize(
    ("title", "url", "sitename", "expected"),
    [
        # the registered domain is a key: the page sits on a subdomain
        ("Dam inquiry opens - Harbor Times", "https://live.news.harbortimes.example/a", None,
         "Dam inquiry opens"),
        ("Dam inquiry opens | CNN", "https://edition.cnn.com/a", None, "Dam inquiry opens"),
        # a name with words around it, or as its address shortens it
        ("Dam inquiry opens - Harbor Times News", "https://harbortimes.example/a", None,
         "Dam inquiry opens"),
        ("Dam inquiry opens | HT.example", "https://ht.example/a", None, "Dam inquiry opens"),
        ("Dam inquiry opens - The Kelmar Daily Post", "https://kdpost.example/a", None,
         "Dam inquiry opens"),
        # a leading name followed by a colon, only when it names the site
        ("Harbor Times: Dam inquiry opens", "https://harbortimes.example/a", None,
         "Dam inquiry opens"),
        ("Velmora: Dam inquiry opens", "https://harbortimes.example/a", None,
         "Velmora: Dam inquiry opens"),
        ("Harbor: Dam inquiry opens", "https://harbortimes.example/a", None,
         "Harbor: Dam inquiry opens"),
        # a section between bars goes with the site's name after it
        ("Dam inquiry opens in Velmora | Politics | Harbor Times",
         "https://harbortimes.example/a", None, "Dam inquiry opens in Velmora"),
        ("Dam inquiry opens in Velmora | US & Canada | Harbor Times News",
         "https://harbortimes.example/a", "Harbor Times News", "Dam inquiry opens in Velmora"),
        ("Dam inquiry opens in Velmora | what comes next | Harbor Times",
         "https://harbortimes.example/a", None, "Dam inquiry opens in Velmora | what comes next"),
        # a real part of the headline is never cut
        ("Trump – Comey feud deepens", "https://harbortimes.example/a", None,
         "Trump – Comey feud deepens"),
        ("Trump – Comey feud deepens – Harbor Times", "https://harbortimes.example/a", None,
         "Trump – Comey feud deepens"),
        ("Trump | Comey | Harbor Times", "https://harbortimes.example/a", None, "Trump | Comey"),
        ("Harbor Times chief resigns - what next", "https://harbortimes.example/a", None,
         "Harbor Times chief resigns - what next"),
    ],
)  # fmt: skip
def test_site_names_in_other_places_and_forms_are_cut(title, url, sitename, expected):
    assert strip_site_name(title, url, sitename) == expected


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Dam inquiry opens - By Anna Field", ("Dam inquiry opens", "Anna Field")),
        ("Dam inquiry opens | By Anna van Dijk", ("Dam inquiry opens", "Anna van Dijk")),
        ("Budget cuts – by the numbers", ("Budget cuts – by the numbers", None)),
        ("Stand By Me", ("Stand By Me", None)),
        ("By Anna Field", ("By Anna Field", None)),
    ],
)
def test_a_writer_named_after_the_headline_is_split_off(title, expected):
    assert split_author(title) == expected


def test_the_writer_in_the_title_becomes_the_author_when_the_page_names_none():
    from storyline.clean.article import clean_article
    from storyline.config import Settings
    from storyline.model import Article, SourceKind

    body = "The harbour board of Velmora approved a new ferry timetable on Thursday. " * 5
    article = Article(
        source="t.txt",
        source_kind=SourceKind.TEXT,
        raw=body,
        title="Ferry timetable approved - By Anna Field",
    )
    clean_article(article, Settings())
    assert article.title == "Ferry timetable approved"
    assert article.authors == ["Anna Field"]
