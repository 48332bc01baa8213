"""clean/html.py and clean/article.py: from a raw Article to clean text with metadata and id."""

from datetime import UTC, datetime

import pytest

from storyline.clean.article import clean_article
from storyline.clean.html import extract_html
from storyline.config import Settings
from storyline.errors import ExtractionError
from storyline.model import Article, SourceKind, Stage

PARAGRAPHS = [
    "The town council of Velmora voted on Thursday to rebuild the harbour wall that collapsed "
    "during last month's storm, ending weeks of argument over the cost.",
    "Councillor Mira Odell said the work would begin in June and take about eight months, with "
    "fishing boats moved to the northern quay while the builders are on site.",
    "Residents who lost sheds and nets in the flood will be able to claim compensation from a "
    "fund of 400,000 crowns, the council said in a statement.",
]

PAGE = f"""<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Velmora harbour wall to be rebuilt after storm | Harbor Times</title>
<meta property="og:site_name" content="Harbor Times">
<meta property="og:title" content="Velmora harbour wall to be rebuilt after storm">
<meta property="article:published_time" content="2031-05-02T08:00:00+00:00">
<link rel="canonical" href="https://www.harbortimes.example/news/velmora-harbour-wall">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World news desk</a></li>
<li><a href="/sport">Sport pages and results</a></li></ul></nav>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies or
manage your settings.</div>
<article>
<h1>Velmora harbour wall to be rebuilt after storm</h1>
<p>{PARAGRAPHS[0]}</p>
<p>{PARAGRAPHS[1]}</p>
<p>{PARAGRAPHS[2]}</p>
</article>
<footer><p>Contact the newsroom. Terms of use. Privacy policy. Harbor Times Media Group,
all rights reserved 2031.</p></footer>
</body></html>"""

LOGIN_PAGE = """<!DOCTYPE html><html><head><title>Sign in | Harbor Times</title></head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
<form action="/login" method="post"><label>Email</label><input name="email">
<label>Password</label><input type="password" name="pw"><button>Sign in</button></form>
</body></html>"""

BROKEN_PAGE = """<html><head><title>Ferry service resumes</title><body><div class="story">
<h1>Ferry service to Kelmar island resumes
<p>The ferry between Velmora and Kelmar island sailed again on Monday after a three-week halt
caused by a broken engine part.
<p>Captain Ilse Moreau said the crossing was calm and that the timetable would return to normal
by the weekend, when extra sailings are planned
<p>Passengers waiting at the quay cheered as the boat left the harbour, and the ferry company
promised refunds for every cancelled tic"""

TEXT_ARTICLE = """Velmora fishermen protest new quota rules

By Anna Field

Fishermen from Velmora blocked the northern quay on Wednesday to protest against new catch
limits set by the regional fisheries board.

"We cannot feed our families on these numbers," said Tomas Brell, who has fished the bay for
thirty years.
"""


@pytest.fixture(scope="module")
def settings():
    return Settings()


def _html(raw, **kwargs):
    return Article(
        source="page.html", source_kind=SourceKind.HTML, raw=raw, raw_format="html", **kwargs
    )


def _text(raw, **kwargs):
    return Article(source="story.txt", source_kind=SourceKind.TEXT, raw=raw, **kwargs)


def test_article_page(settings):
    article = clean_article(_html(PAGE), settings)
    for paragraph in PARAGRAPHS:
        assert paragraph in article.text
    for junk in ("World news desk", "Sport pages", "cookies", "Privacy policy", "newsroom"):
        assert junk not in article.text
    assert article.title == "Velmora harbour wall to be rebuilt after storm"
    assert not article.text.startswith(article.title)  # the <h1> repeat is removed
    assert article.published == datetime(2031, 5, 2, 8, 0, tzinfo=UTC)
    assert article.published_source == "html-meta"
    assert article.published_note is None
    assert article.url == "https://www.harbortimes.example/news/velmora-harbour-wall"
    assert article.outlet == "harbortimes.example"
    assert article.canonical_url == "https://harbortimes.example/news/velmora-harbour-wall"
    assert article.language == "en"
    assert article.content_hash and len(article.content_hash) == 64
    assert article.id and len(article.id) == 16
    assert article.stages == [Stage.INGESTED, Stage.CLEANED]


def test_given_url_and_outlet_are_kept(settings):
    article = clean_article(
        _html(PAGE, url="https://m.harbortimes.example/news/velmora-harbour-wall?utm_source=rss"),
        settings,
    )
    assert article.url == "https://m.harbortimes.example/news/velmora-harbour-wall?utm_source=rss"
    assert article.outlet == "harbortimes.example"
    # the page's <link rel="canonical"> wins over the mobile URL it was fetched from
    assert article.canonical_url == "https://harbortimes.example/news/velmora-harbour-wall"
    assert article.outlet_name == "Harbor Times"  # the page's og:site_name
    # a record's own outlet is the name shown; the key stays the registered domain
    preset = clean_article(_html(PAGE, outlet="Harbor Times Weekly"), settings)
    assert preset.outlet == "harbortimes.example"
    assert preset.outlet_name == "Harbor Times Weekly"


def test_one_outlet_whatever_the_subdomain(settings):
    keys = {
        clean_article(_html(PAGE, url=f"https://{host}/news/velmora-harbour-wall"), settings).outlet
        for host in ("edition.harbortimes.example", "m.harbortimes.example", "harbortimes.example")
    }
    assert keys == {"harbortimes.example"}


@pytest.mark.parametrize(
    ("site_name", "shown"),
    [
        ("Harbor Times | Velmora | Kelmar | Sport", "Harbor Times"),
        ("Autoracing | F1 | Indy | Rally", None),
        ("https://social.example/harbortimes", None),
    ],
)
def test_a_site_name_that_is_no_name_is_cut_or_refused(settings, site_name, shown):
    page = PAGE.replace('content="Harbor Times">', f'content="{site_name}">')
    article = clean_article(_html(page), settings)
    assert article.outlet == "harbortimes.example"
    assert article.outlet_name == shown


def test_site_name_is_the_outlet_when_there_is_no_url(settings):
    page = PAGE.replace(
        '<link rel="canonical" href="https://www.harbortimes.example/news/velmora-harbour-wall">',
        "",
    )
    article = clean_article(_html(page), settings)
    assert article.url is None
    assert article.outlet == article.outlet_name == "Harbor Times"
    assert article.canonical_url is None


def test_known_date_is_not_overwritten(settings):
    known = datetime(2031, 5, 1, 7, 0, tzinfo=UTC)
    article = clean_article(_html(PAGE, published=known, published_source="record"), settings)
    assert article.published == known
    assert article.published_source == "record"


def test_extract_html_reports_metadata():
    page = extract_html(PAGE, None, "page.html")
    assert page.title == "Velmora harbour wall to be rebuilt after storm"
    assert page.sitename == "Harbor Times"
    assert page.date is not None and page.date.startswith("2031-05-02")
    assert page.url == "https://www.harbortimes.example/news/velmora-harbour-wall"
    assert PARAGRAPHS[1] in page.text


def test_page_without_an_article_is_refused(settings):
    with pytest.raises(ExtractionError, match=r"page\.html"):
        clean_article(_html(LOGIN_PAGE), settings)


@pytest.mark.parametrize("raw", ["", "<html><body></body></html>", "<<<>>>"])
def test_extract_html_refuses_pages_without_text(raw):
    with pytest.raises(ExtractionError, match="no article text"):
        extract_html(raw, None, "empty.html")


def test_broken_html_still_yields_text(settings):
    article = clean_article(_html(BROKEN_PAGE), settings)
    assert "sailed again on Monday" in article.text
    assert "Captain Ilse Moreau said the crossing was calm" in article.text
    assert "promised refunds for every cancelled tic" in article.text
    assert article.title.startswith("Ferry service")
    assert article.published is None
    assert article.published_note


def test_text_article_without_a_date(settings):
    article = clean_article(_text(TEXT_ARTICLE), settings)
    assert article.title == "Velmora fishermen protest new quota rules"
    assert article.text.startswith("Fishermen from Velmora blocked the northern quay")
    assert "\n\n" in article.text  # paragraphs kept
    assert "By Anna Field" not in article.text
    assert ("By Anna Field", "byline") in [(r.line, r.reason) for r in article.removed_lines]
    assert article.published is None
    assert article.published_source is None
    assert "no publication date" in article.published_note
    assert article.outlet is None and article.outlet_name is None
    assert article.canonical_url is None
    assert article.language == "en"
    assert article.stages == [Stage.INGESTED, Stage.CLEANED]


def test_text_article_dateline_sets_the_date(settings):
    raw = "Updated: Mar 3, 2031, 10:15 AM GMT\n" + TEXT_ARTICLE
    article = clean_article(_text(raw), settings)
    assert article.published == datetime(2031, 3, 3, 10, 15, tzinfo=UTC)
    assert article.published_source == "dateline"
    assert article.published_note is None
    assert "Updated" not in article.text


def test_ambiguous_dateline_says_how_it_was_read(settings):
    raw = "VELMORA, 03.11.2031\n" + TEXT_ARTICLE
    article = clean_article(_text(raw), settings)
    assert article.published == datetime(2031, 11, 3, tzinfo=UTC)
    assert article.published_source.startswith("dateline")
    assert "ambiguous" in article.published_source


def test_weekday_date_in_the_text_sets_the_date(settings):
    raw = TEXT_ARTICLE + (
        "\nThe board met the fishermen this Tuesday (01.25.2022) but no agreement was reached.\n"
    )
    article = clean_article(_text(raw), settings)
    assert article.published == datetime(2022, 1, 25, tzinfo=UTC)
    assert article.published_source == "weekday-date in text (day precision)"


def test_dateline_far_down_the_article_is_not_the_publication_date(settings):
    filler = "".join(f"Paragraph {i} of the fishermen's story goes on.\n\n" for i in range(16))
    raw = TEXT_ARTICLE + "\n" + filler + "KELMAR, 13.02.2031\n"
    article = clean_article(_text(raw), settings)
    assert article.published is None
    assert article.published_note


def test_short_text_is_refused(settings):
    with pytest.raises(ExtractionError, match="only 22 characters"):
        clean_article(_text("Harbour closed\n\nThe harbour is closed.\n"), settings)


def test_min_text_chars_follows_settings():
    article = clean_article(
        _text("Harbour closed\n\nThe harbour is closed.\n"), Settings(min_text_chars=10)
    )
    assert article.text == "The harbour is closed."


def test_boilerplate_only_text_is_refused(settings):
    raw = (
        "Velmora news\nYou may also like\nFollow us on Twitter\nmain img\n"
        "Subscribe to our newsletter\n"
    )
    with pytest.raises(ExtractionError):
        clean_article(_text(raw), settings)


def test_preset_language_is_kept(settings):
    article = clean_article(_text(TEXT_ARTICLE, language="xx"), settings)
    assert article.language == "xx"
    assert article.language_score is None


def test_german_text_is_detected(settings):
    raw = (
        "Fischer in Velmora protestieren\n\n"
        "Die Fischer von Velmora haben am Mittwoch den nördlichen Kai blockiert, um gegen neue "
        "Fangquoten der regionalen Fischereibehörde zu protestieren.\n"
    )
    article = clean_article(_text(raw), settings)
    assert article.language == "de"


def test_ids_follow_url_else_content(settings):
    a = clean_article(_text(TEXT_ARTICLE), settings)
    b = clean_article(_text(TEXT_ARTICLE.replace(",", " ,").upper()), settings)
    assert a.content_hash == b.content_hash
    assert a.id == b.id
    c = clean_article(_text(TEXT_ARTICLE + "\nThe board will meet again.\n"), settings)
    assert c.id != a.id
    u1 = clean_article(
        _text(TEXT_ARTICLE, url="https://harbortimes.example/q?utm_source=x"), settings
    )
    u2 = clean_article(
        _text(TEXT_ARTICLE + "\nCorrection appended.\n", url="https://harbortimes.example/q/"),
        settings,
    )
    assert u1.id == u2.id  # same canonical URL, different text
    assert u1.content_hash != u2.content_hash
    assert u1.id != a.id
