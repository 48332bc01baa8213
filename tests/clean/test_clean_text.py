"""clean/text.py: boilerplate and spam removal with an audit trail of removed lines."""

from datetime import UTC, datetime

import pytest

from storyline.clean.text import classify_line, clean_text, is_fragment

BOILERPLATE = [
    ("Read: Velmora mayor opens the new harbour bridge", "link_list"),
    ("Also read - Kelmar ferry returns to service", "link_list"),
    ("RELATED: Dock strike ends after four days", "link_list"),
    ("You may also like", "promotion"),
    ("Follow us on Twitter", "promotion"),
    ("news video", "promotion"),
    ("Story highlights", "promotion"),
    ("Subscribe to our newsletter", "promotion"),
    ("Sign up for free breaking news alerts", "promotion"),
    ("Share this article", "promotion"),
    ("Advertisement", "promotion"),
    ("We use cookies to improve your experience. Accept all or manage settings.", "promotion"),
    ("© 2031 Harbor Times Media Group", "promotion"),
    ("main img", "page_marker"),
    ("ugc_banner", "page_marker"),
    ("Image 3 of 12", "page_marker"),
    ("Residents gather at the pier at dawn. Photograph:(AFP)", "caption"),
    ("Boats in the Velmora harbour after the storm. Photo: Harbor Times", "caption"),
    ("Get 100 free spins at Lucky Reef Casino today!", "gambling_ad"),
    ("Claim your 200% deposit bonus at Golden Anchor Sportsbook", "gambling_ad"),
    ("The Best Online Bookmakers", "gambling_ad"),
    ("Lucky Reef Casino", "gambling_ad"),
    ("By Anna Field", "byline"),
    ("By Anna Field and Tomas Brell, Harbor Times", "byline"),
    ("BY ANNA FIELD", "byline"),
    ("https://harbortimes.example/news/123", "link_only"),
    ("@harbortimes #velmora", "link_only"),
]


@pytest.mark.parametrize(("line", "reason"), BOILERPLATE, ids=[b[0][:30] for b in BOILERPLATE])
def test_classify_line_finds_boilerplate(line, reason):
    assert classify_line(line) == reason


NEWS_SENTENCES = [
    "The regulator fined the bookmaker for breaking advertising rules last year.",
    "Police said the casino's owner had been charged with fraud.",
    "He said the casino was losing money and would close.",
    "The betting firm denied any wrongdoing in a statement.",
    "Poker tournaments drew 500 players to the island this year, organisers said.",
    "Lawmakers want to ban betting adverts during football matches.",
    "By Friday the harbour had reopened to fishing boats.",
    "Read the full report on the council's website, the mayor told residents.",
    "The council voted on Tuesday to rebuild the harbour wall after the storm.",
    "“We will rebuild.”",
    "Yes.",
    "Why now?",
]


@pytest.mark.parametrize("line", NEWS_SENTENCES)
def test_classify_line_keeps_news_sentences(line):
    assert classify_line(line) is None


TRICKY_NEWS_SENTENCES = [
    pytest.param(
        "The betting shop on Quay Street closed for the winter.",
        id="betting-winter",
    ),
    pytest.param(
        "Sports betting revenue in the region rose by 4% last year, the treasury said.",
        id="betting-percent",
    ),
    pytest.param(
        "The bookmaker said it would register a complaint with the regulator.",
        id="bookmaker-register",
    ),
    pytest.param(
        "A new casino opened in Velmora on Friday, creating 200 jobs.",
        id="new-casino",
    ),
    pytest.param(
        "Online casinos have grown quickly, the regulator said in its annual report.",
        id="online-casinos",
    ),
    pytest.param(
        "Like us, the neighbouring towns lost power during the storm, the mayor said.",
        id="like-us",
    ),
    pytest.param(
        "Copyright lawyers for the Velmora Choir said they would appeal the ruling.",
        id="copyright-lawyers",
    ),
    pytest.param(
        "Listen more carefully to residents, the mayor urged council members on Monday.",
        id="listen-more",
    ),
]


@pytest.mark.parametrize("line", TRICKY_NEWS_SENTENCES)
def test_news_sentences_are_not_taken_for_boilerplate(line):
    assert classify_line(line) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("main img", True),
        ("Velmora", True),
        ("Harbour news today", True),
        ("Yes.", False),
        ("“Never again.”", False),
        ("Stop!", False),
        ("The council met today", False),  # four words
    ],
)
def test_is_fragment(line, expected):
    assert is_fragment(line) is expected


RAW = """Velmora council votes to rebuild harbour wall
By Anna Field
Updated: Mar 3, 2031, 10:15 AM GMT
main img
Story highlights
The town council of Velmora voted on Thursday to rebuild the harbour wall.
Read: Kelmar ferry returns to service after repair

Residents gather at the pier at dawn. Photograph:(AFP)
“We will not let the sea win,” said Councillor Mira Odell.
“Never again.”
The regulator fined the bookmaker for breaking advertising rules last year.
Get 100 free spins at Lucky Reef Casino today!

You may also like
Follow us on Twitter
news video
ugc_banner
Subscribe to our newsletter
Work will begin in June and take about eight months.
"""


def test_clean_text_removes_boilerplate_and_keeps_sentences():
    result = clean_text(RAW)
    assert result.title == "Velmora council votes to rebuild harbour wall"
    assert result.text == (
        "The town council of Velmora voted on Thursday to rebuild the harbour wall."
        "\n\n"
        "“We will not let the sea win,” said Councillor Mira Odell.\n"
        "“Never again.”\n"
        "The regulator fined the bookmaker for breaking advertising rules last year."
        "\n\n"
        "Work will begin in June and take about eight months."
    )
    removed = {r.line: (r.reason, r.position) for r in result.removed}
    assert removed == {
        "Velmora council votes to rebuild harbour wall": ("title", 0),
        "By Anna Field": ("byline", 1),
        "Updated: Mar 3, 2031, 10:15 AM GMT": ("dateline", 2),
        "main img": ("page_marker", 3),
        "Story highlights": ("promotion", 4),
        "Read: Kelmar ferry returns to service after repair": ("link_list", 6),
        "Residents gather at the pier at dawn. Photograph:(AFP)": ("caption", 8),
        "Get 100 free spins at Lucky Reef Casino today!": ("gambling_ad", 12),
        "You may also like": ("promotion", 14),
        "Follow us on Twitter": ("promotion", 15),
        "news video": ("promotion", 16),
        "ugc_banner": ("page_marker", 17),
        "Subscribe to our newsletter": ("promotion", 18),
    }
    ((line, found),) = result.datelines
    assert line == 2
    assert found.value == datetime(2031, 3, 3, 10, 15, tzinfo=UTC)
    assert found.has_time


def test_every_raw_line_is_kept_or_accounted_for():
    result = clean_text(RAW)
    raw_lines = [line for line in RAW.splitlines() if line.strip()]
    kept = [line for line in result.text.split("\n") if line]
    assert len(kept) + len(result.removed) == len(raw_lines)


def test_given_title_is_not_taken_from_text_and_repeat_is_removed():
    raw = (
        "VELMORA COUNCIL VOTES TO REBUILD HARBOUR WALL\n"
        "Velmora council votes to rebuild harbour wall as storm damage mounts\n"
        "The council voted on Thursday to rebuild the wall.\n"
    )
    result = clean_text(raw, title="Velmora council votes to rebuild harbour wall")
    assert result.title == "Velmora council votes to rebuild harbour wall"
    assert [(r.line, r.reason) for r in result.removed] == [
        ("VELMORA COUNCIL VOTES TO REBUILD HARBOUR WALL", "title_repeated")
    ]
    assert result.text == (
        "Velmora council votes to rebuild harbour wall as storm damage mounts\n"
        "The council voted on Thursday to rebuild the wall."
    )


def test_title_skips_leading_boilerplate():
    raw = "main img\nBy Anna Field\nKelmar ferry returns\nThe ferry sailed again on Monday.\n"
    result = clean_text(raw)
    assert result.title == "Kelmar ferry returns"
    assert result.text == "The ferry sailed again on Monday."


def test_no_title_when_nothing_looks_like_a_headline():
    result = clean_text("velmora\n")
    assert result.title is None
    assert result.text == ""
    assert [(r.line, r.reason) for r in result.removed] == [("velmora", "fragment")]


def test_paragraphs_are_separated_by_blank_lines_and_whitespace_is_normalised():
    raw = (
        "Kelmar ferry returns\r\n\r\n\r\n"
        "The ferry   sailed again\ton Monday.\r\n"
        "Passengers cheered at the quay.\r\n"
        "   \r\n"
        "The company promised refunds.\r"
    )
    result = clean_text(raw)
    assert result.text == (
        "The ferry sailed again on Monday.\n"
        "Passengers cheered at the quay.\n\n"
        "The company promised refunds."
    )


def test_repeated_lines_are_removed_once_seen():
    raw = (
        "Kelmar ferry returns\n"
        "The ferry sailed again on Monday.\n\n"
        "The ferry sailed again on Monday.\n"
        "Passengers cheered at the quay.\n"
    )
    result = clean_text(raw)
    assert result.text == "The ferry sailed again on Monday.\n\nPassengers cheered at the quay."
    assert ("The ferry sailed again on Monday.", "repeated_paragraph", 3) in [
        (r.line, r.reason, r.position) for r in result.removed
    ]


def test_dateline_in_body_is_recorded_with_its_line():
    raw = "Kelmar ferry returns\nKELMAR, 13.02.2031\nThe ferry sailed again on Monday.\n"
    result = clean_text(raw)
    ((line, found),) = result.datelines
    assert line == 1
    assert found.value == datetime(2031, 2, 13, tzinfo=UTC)
    assert result.text == "The ferry sailed again on Monday."


def test_sentence_containing_a_date_is_kept():
    sentence = (
        "The council said on Mar 3, 2031 that the harbour wall would be rebuilt by the end of "
        "the year, after engineers found cracks along most of its length."
    )
    result = clean_text("Velmora wall to be rebuilt\n" + sentence + "\n")
    assert result.text == sentence
    assert result.datelines == []


def test_lead_sentence_is_not_taken_as_title():
    lead = (
        "The town council of Velmora voted on Thursday to rebuild the harbour wall that "
        "collapsed during last month's storm, ending weeks of argument over the cost."
    )
    result = clean_text(lead + "\nWork will begin in June.\n")
    assert result.text.startswith(lead)
