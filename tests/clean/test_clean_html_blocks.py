"""clean/html.py and clean/page_meta.py: blocks judged by the page's structure, and what the page
says about itself (authors, lead image and caption) kept as fields."""

from __future__ import annotations

import pytest

from storyline.clean.article import clean_article
from storyline.clean.html import _Block, _judge, extract_html
from storyline.config import Settings
from storyline.model import Article, SourceKind

BODY = [
    "The harbour board of Velmora approved a new ferry timetable on Thursday after months of "
    "complaints from islanders about missed connections and crowded morning sailings.",
    "Board chair Mira Odell said two extra crossings would run each weekday from March, paid "
    "for by a small rise in the price of a return ticket for visitors.",
    "Islanders welcomed the change but said the board should also repair the waiting room on "
    "the quay, which has had no heating since the storm in November last year.",
]

RELATED = "".join(
    f'<li><a href="/news/{n}">{title} as the board meets again</a> <span>{blurb}</span></li>'
    for n, (title, blurb) in enumerate(
        [
            ("Quay repairs delayed again", "Builders wait"),
            ("Fish market moves indoors", "Stalls go in"),
            ("New lighthouse keeper named", "A local"),
        ]
    )
)

PAGE = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Velmora ferry timetable approved - Harbor Times</title>
<meta property="og:title" content="Velmora ferry timetable approved">
<meta property="og:site_name" content="Harbor Times">
<meta property="og:image" content="https://img.harbortimes.example/2031/ferry-quay-main.jpg">
<meta name="author" content="Anna Field">
<script type="application/ld+json">{{"@type": "NewsArticle",
 "headline": "Velmora ferry timetable approved",
 "author": [{{"@type": "Person", "name": "Anna Field"}}, {{"name": "Tomas Brell"}}],
 "datePublished": "2031-03-06T09:00:00Z"}}</script>
</head><body><article>
<h1>Velmora ferry timetable approved</h1>
<h2>Two extra crossings each weekday from March</h2>
<figure><img src="https://img.harbortimes.example/2031/ferry-quay-main.jpg" alt="">
<figcaption>The morning ferry leaves Velmora quay.</figcaption></figure>
<p>{BODY[0]}</p><p>{BODY[1]}</p>
<ul>{RELATED}</ul>
<p>{BODY[2]}</p>
<h3>Get the Harbor Times morning letter</h3>
</article></body></html>"""


def test_linked_lists_trailing_headings_and_the_standfirst_are_left_out_with_reasons() -> None:
    page = extract_html(PAGE, "https://harbortimes.example/news/ferry", "ferry.html")
    for paragraph in BODY:
        assert paragraph in page.text
    assert "Quay repairs delayed" not in page.text
    assert "morning letter" not in page.text
    assert "Two extra crossings" not in page.text
    reasons = dict((text.split("\n")[0], reason) for text, reason in page.removed)
    assert reasons["- Quay repairs delayed again as the board meets again Builders wait"] == (
        "link_list"
    )
    assert reasons["Two extra crossings each weekday from March"] == "standfirst"


def test_headings_after_the_last_paragraph_are_left_out() -> None:
    blocks = [
        _Block("head", "Velmora ferry timetable approved", 4, 0.0),
        _Block("p", BODY[0], 25, 0.0),
        _Block("head", "Waiting room", 2, 0.0),  # a subheading inside the article stays
        _Block("p", BODY[2], 27, 0.1),
        _Block("head", "Get the Harbor Times morning letter", 6, 0.0),
        _Block("head", "News from the quay every morning, free.", 7, 0.0),
    ]
    kept, removed = _judge(blocks, "Velmora ferry timetable approved")
    assert kept == [blocks[0].text, BODY[0], "Waiting room", BODY[2]]
    assert [reason for _, reason in removed] == ["heading_after_article"] * 2


def test_authors_lead_image_and_caption_are_read_from_the_page() -> None:
    page = extract_html(PAGE, None, "ferry.html")
    assert page.authors == ["Anna Field", "Tomas Brell"]
    assert page.image == "https://img.harbortimes.example/2031/ferry-quay-main.jpg"
    assert page.image_caption == "The morning ferry leaves Velmora quay."
    assert page.title == "Velmora ferry timetable approved"
    assert page.sitename == "Harbor Times"


def test_the_article_keeps_fields_and_the_reasons_for_left_out_blocks() -> None:
    article = Article(source="ferry.html", source_kind=SourceKind.HTML, raw=PAGE, raw_format="html")
    clean_article(article, Settings())
    assert article.authors == ["Anna Field", "Tomas Brell"]
    assert article.image_caption == "The morning ferry leaves Velmora quay."
    assert {"link_list", "standfirst"} <= {r.reason for r in article.removed_lines}
    assert "Quay repairs" not in article.text


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        ("By Anna Field", ["Anna Field"]),
        ("By Anna Field and Tomas Brell", ["Anna Field", "Tomas Brell"]),
    ],
)
def test_a_byline_in_the_text_becomes_the_authors(line: str, authors: list[str]) -> None:
    raw = f"Velmora ferry timetable approved\n\n{line}\n\n" + "\n\n".join(BODY)
    article = Article(source="ferry.txt", source_kind=SourceKind.TEXT, raw=raw)
    clean_article(article, Settings())
    assert article.authors == authors
    assert line not in article.text


def test_an_author_that_is_an_address_is_not_a_name() -> None:
    page = PAGE.replace('content="Anna Field"', 'content="https://harbortimes.example/staff"')
    page = page.replace('<script type="application/ld+json">', '<script type="text/x-none">')
    assert extract_html(page, None, "ferry.html").authors == []


def test_a_page_whose_article_is_not_the_largest_block_asks_the_fallback() -> None:
    comments = "".join(
        f"<div class='note'><p>Reader {n} wrote about the quay and the old ferry timetable "
        "and many other things on their mind that day, at some length.</p></div>"
        for n in range(30)
    )
    page = f"<html><body><main><p>{BODY[0]}</p><p>{BODY[1]}</p></main>{comments}</body></html>"
    text = extract_html(page, None, "ferry.html").text
    assert BODY[0] in text


def test_a_body_cut_into_chunks_by_adverts_is_read_whole() -> None:
    more = [
        "Passengers said the new times would suit school runs and the early market traders.",
        "The board will publish the full timetable on its website and at the quay next week.",
    ]
    chunk = (
        "<div class='grid'><div class='body body__container article__body'><p>{}</p><p>{}</p>"
        "</div><aside class='rail'><p>Most popular this week</p></aside></div>"
    )
    advert = "<div class='ad'>Advertisement</div>"
    chunks = advert.join(
        [chunk.format(BODY[0], BODY[1]), chunk.format(BODY[2], more[0]), chunk.format(more[1], "")]
    )
    page = (
        "<html><body><main><article class='article'><header><h1>Ferry</h1></header>"
        f"<div class='article__chunks'>{chunks}</div></article></main></body></html>"
    )
    text = extract_html(page, None, "ferry.html").text
    assert all(paragraph in text for paragraph in [*BODY, *more])
    assert text.index("harbour board") < text.index("Islanders") < text.index("publish")


def test_code_asides_and_footers_dropped_before_extraction_leave_the_text_as_it_was() -> None:
    """Scripts, styles, SVG icons, asides and footers are dropped before trafilatura copies
    the tree (issue 21, speed): trafilatura deletes them itself, so the text is the same, and
    the tail text after a dropped element stays."""
    extra = (
        "<script>var tracker = 'Quay repairs delayed again';</script>"
        "<style>.quay { color: red }</style>"
        '<svg><path d="M0 0"/><text>Share icon</text></svg>'
        "<aside><p>Fish market moves indoors, a story told elsewhere on the site.</p></aside>"
    )
    busy = PAGE.replace(f"<p>{BODY[1]}</p>", f"<p>{BODY[1]}</p>{extra}").replace(
        "</article>", "</article><footer><p>Harbor Times, 4 Quay Street, Velmora.</p></footer>"
    )
    plain = extract_html(PAGE, "https://harbortimes.example/news/ferry", "page")
    page = extract_html(busy, "https://harbortimes.example/news/ferry", "page")
    assert page.text == plain.text
    assert "tracker" not in page.text and "Fish market" not in page.text
    assert page.authors == ["Anna Field", "Tomas Brell"]  # the JSON-LD block was read first


def test_a_title_escaped_twice_by_its_page_is_unescaped() -> None:
    page = PAGE.replace(
        '"headline": "Velmora ferry timetable approved"',
        '"headline": "Velmora ferry timetable &#8211; approved"',
    )
    found = extract_html(page, "https://harbortimes.example/news/ferry", "page")
    assert found.title == "Velmora ferry timetable – approved"
