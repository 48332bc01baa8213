"""clean: pages that hold no article (all navigation, comments only, frames) are refused with
one clear line; a broken, a huge or a two-encoding page still gives its article."""

from __future__ import annotations

import pytest

from storyline.clean.article import clean_article
from storyline.config import Settings
from storyline.errors import ExtractionError
from storyline.model import Article, SourceKind

LEDE = (
    "The harbour board of Velmora approved a new ferry timetable on Thursday after months of "
    "complaints from islanders about missed connections and crowded morning sailings. "
)
SECOND = (
    "Board chair Mira Odell said two extra crossings would run each weekday from March, paid "
    "for by a small rise in the price of a return ticket for visitors. "
)


def _clean(raw: str) -> Article:
    article = Article(source="page.html", source_kind=SourceKind.HTML, raw=raw, raw_format="html")
    return clean_article(article, Settings())


@pytest.mark.parametrize(
    "raw",
    [
        "<html><body><nav>"
        + "".join(f"<a href='/s{n}'>Section {n}</a> " for n in range(200))
        + "</nav><footer>About us. Contact. Privacy.</footer></body></html>",
        "<html><body><section id='comments' class='comments'>"
        + "".join(
            f"<div class='comment'><p>Reader {n}: the ferry is always late and the board "
            "should do something about it soon.</p></div>"
            for n in range(40)
        )
        + "</section></body></html>",
        "<html><frameset cols='50%,50%'><frame src='a.html'><frame src='b.html'></frameset></html>",
    ],
    ids=["all navigation", "comments only", "frames"],
)
def test_a_page_without_an_article_is_refused_in_one_line(raw: str) -> None:
    with pytest.raises(ExtractionError, match="no article text") as caught:
        _clean(raw)
    assert "\n" not in str(caught.value) and "page.html" in str(caught.value)


def test_broken_tags_still_give_the_article() -> None:
    raw = f"<html><body><div><p>{LEDE}<p><b>{SECOND}</div></span></table><p>{LEDE}"
    text = _clean(raw).text
    assert "approved a new ferry timetable" in text and "two extra crossings" in text


@pytest.mark.parametrize("container", ["article", "div"])
def test_a_five_megabyte_page_gives_its_article_once(container: str) -> None:
    filler = "".join(
        f"<div class='promo'><a href='/p{n}'>Offer {n}</a></div>" for n in range(60_000)
    )
    article = f"<{container}><p>{LEDE}</p><p>{SECOND}</p></{container}>"
    raw = f"<html><body>{filler}{article}{filler}"
    assert len(raw) > 5_000_000
    text = _clean(raw + "</body></html>").text
    assert "approved a new ferry timetable" in text and "Offer 1" not in text
    assert text.count("two extra crossings") == 1
