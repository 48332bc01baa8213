"""clean/furniture.py and the context rules of clean/text.py: each class of page furniture, an
appeal glued onto the lede, and article sentences that look like furniture (issue 21)."""

import pytest

from storyline.clean.furniture import classify_line, split_glued
from storyline.clean.text import clean_text

FURNITURE = [
    # comment forms and anti-spam notices
    ("Leave a Reply", "comment_form"),
    ("Your email address will not be published. Required fields are marked *", "comment_form"),
    ("Required fields are marked *", "comment_form"),
    ("Name *", "comment_form"),
    ("Email *", "comment_form"),
    ("Website", "comment_form"),
    (
        "Save my name, email, and website in this browser for the next time I comment.",
        "comment_form",
    ),
    ("Notify me of follow-up comments by email.", "comment_form"),
    (
        "This site uses Akismet to reduce spam. Learn how your comment data is processed.",
        "comment_form",
    ),
    ("12 comments", "comment_form"),
    ("You must be logged in to post a comment.", "comment_form"),
    ("Comments are closed.", "comment_form"),
    # donation and subscription appeals, paywall stubs
    ("Support independent journalism in Velmora. Donate today.", "appeal"),
    ("Become a member of the Harbor Times for 3 crowns a month.", "appeal"),
    ("If you value our reporting, please consider making a contribution.", "appeal"),
    ("Donate now", "appeal"),
    ("Subscribe to read", "paywall"),
    ("This article is for subscribers only.", "paywall"),
    ("You have reached your limit of free articles this month.", "paywall"),
    ("Already a subscriber? Log in", "paywall"),
    # navigation and utility lines
    ("WorldUSPoliticsBusinessTech", "navigation"),
    ("News | Politics | Business | Sport | Culture", "navigation"),
    ("Home World Politics Business Sport", "navigation"),
    ("Our Standards: The Kelmar Wire Trust Principles.", "navigation"),
    (
        "chevron icon It indicates an expandable section or menu, or sometimes previous / next "
        "navigation options.",
        "navigation",
    ),
    ("This content isn't available on your device.", "navigation"),
    ("VLX 1,204.50 +0.8%  KMR 88.20 -1.1%", "navigation"),
    ("More news: Kelmar ferry strike ends after four days", "link_list"),
    ("[Related: Saltmere port expansion wins approval]", "link_list"),
    ("Dam inquiry: what the engineers knew [INSIGHT]", "link_list"),
    # captions and credits
    ("Image copyright Kelmar Wire", "caption"),
    ("Photograph:(AFP)", "caption"),
    ("Getty Images", "caption"),
    ("AFP via Getty Images", "caption"),
    ("Anna Field/Harbor Times", "caption"),
    ("Mira Odell, left, and Tomas Brell on the harbour wall on Sunday in Velmora.", "caption"),
    ("The new ferry at the quay in Kelmar, Tuesday.", "caption"),
    ("The harbour wall after the storm in Velmora.Reuters", "caption"),
    # related videos
    ("Video: Storm surge floods Velmora promenade (1:42)", "related_video"),
    ("Harbour master on the night the wall gave way 03:05", "related_video"),
    # credits, contacts
    ("(Reporting by Sara Lind; Editing by Paul Hest)", "credit"),
    ("Tomas Brell contributed reporting from Kelmar.", "credit"),
    ("Write to Anna Field at anna.field@harbortimes.example", "credit"),
]


@pytest.mark.parametrize(("line", "reason"), FURNITURE, ids=[f[0][:30] for f in FURNITURE])
def test_each_class_of_furniture_is_found(line, reason):
    assert classify_line(line) == reason


ARTICLE_SENTENCES = [
    "Subscribers to the service complained about outages for a second week.",
    "Kelmar Wire reported that the talks had stalled over the border crossings.",
    "“I read every comment residents sent, and I answered them,” the mayor said.",
    "Comments by the minister on Sunday drew criticism from the opposition.",
    "Support for the plan fell to 41 percent in the latest poll.",
    "Donations to the relief fund passed 2 million crowns on Friday.",
    "Becoming a member of the union costs 12 crowns a month, organisers said.",
    "Subscribe now, pay later: the scheme drew 4,000 customers, investigators said.",
    "Leave for ferry crews was cancelled for the whole summer.",
    "Your email address will be shared with the ministry if you apply, the notice warned.",
    "The standards body said its trust principles were under review.",
    "The photograph shows the mayor, centre, cutting the ribbon, officials said.",
    "Odell, left out of the cabinet, said she would run again.",
    "Getty Images, the photo agency, said it would appeal the ruling.",
    "Image rights lawyers said the photograph had been used without permission.",
    "The match kicked off at 15:00 in front of a crowd of 3,100.",
    "More news is expected when the inquiry reports in May.",
    "Related charges against two other executives were dropped.",
    "The Velmora index closed at 1,204.5 points, up 0.8 percent.",
    "Name a single project the council finished on time, the opposition leader said.",
    "Editing by hand took the archivists three weeks.",
    "The service is not available to customers in the north yet, the company said.",
]


@pytest.mark.parametrize("line", ARTICLE_SENTENCES)
def test_article_sentences_that_look_like_furniture_are_kept(line):
    assert classify_line(line) is None
    assert split_glued(line) == (line, [])


def test_an_appeal_glued_onto_the_lede_without_a_space_is_split_off():
    lede = "The Kelmar ferry crews returned to work on Saturday after a four-day strike."
    raw = f"Become a member today.{lede}\nThe union accepted a 6 percent rise.\n"
    result = clean_text(raw, title="Kelmar ferry strike ends")
    assert result.text.startswith(lede)
    assert [(r.line, r.reason, r.position) for r in result.removed][-1:] == [
        ("Become a member today.", "appeal", 0)
    ]


def test_an_appeal_glued_after_the_paragraph_is_split_off():
    line = "The bridge reopens on Friday, officials said.Support our journalism: subscribe now."
    kept, removed = split_glued(line)
    assert kept == "The bridge reopens on Friday, officials said."
    assert removed == [("Support our journalism: subscribe now.", "appeal")]


def test_an_appeal_with_a_short_lead_in_goes_whole():
    kept, removed = split_glued("Love local news? Become a Harbor Times member today.")
    assert kept == ""
    assert removed == [("Love local news? Become a Harbor Times member today.", "appeal")]


def test_a_paragraph_printed_twice_is_kept_once():
    paragraph = "The strike had stranded about 3,000 passengers on the islands since Tuesday."
    raw = f"{paragraph}\nUnion leader Petra Voss called the deal fair.\n{paragraph}\n"
    result = clean_text(raw, title="Ferry strike ends")
    assert result.text.count(paragraph) == 1
    assert [(r.reason, r.position) for r in result.removed] == [("repeated_paragraph", 2)]


def test_a_line_repeated_as_the_page_structure_is_kept():
    question = "What made you start cooking for others?"
    raw = "\n".join(f"{question}\nAnswer number {n} was about family meals.\n" for n in range(3))
    result = clean_text(raw, title="Three cooks")
    assert result.text.count(question) == 3


def test_short_repeated_labels_are_kept():
    raw = (
        "Two suppers for a cold evening.\nServes 4\nSoup with bread and cheese.\n"
        "Serves 4\nFish stew with rice and lemon.\n"
    )
    assert clean_text(raw, title="Two recipes").text.count("Serves 4") == 2


def test_emoji_led_teasers_in_a_row_are_navigation():
    raw = (
        "The museum opened on Saturday with 1,200 visitors.\n"
        "🔴 Live: Dam inquiry hears from the engineers\n"
        "⚽ Sport: Saltmere United sign a striker\n"
    )
    result = clean_text(raw, title="Museum opens")
    assert result.text == "The museum opened on Saturday with 1,200 visitors."
    assert {r.reason for r in result.removed} == {"navigation"}


def test_a_blurb_between_related_videos_goes_with_them():
    raw = (
        "The wall will cost 14 million crowns.\n"
        "Video: Storm surge floods the promenade (1:42)\n"
        "Residents filmed the sea pouring over the railings.\n"
        "Video: The harbour master on the night the wall fell (3:05)\n"
    )
    result = clean_text(raw, title="Wall to be rebuilt")
    assert result.text == "The wall will cost 14 million crowns."


def test_a_paragraph_after_a_related_video_is_kept():
    raw = (
        "The wall will cost 14 million crowns.\n"
        "Video: Storm surge floods the promenade (1:42)\n"
        "The council will borrow most of the money.\n"
        "Leave a Reply\n"
    )
    result = clean_text(raw, title="Wall to be rebuilt")
    assert "The council will borrow most of the money." in result.text


def test_subheadings_and_short_list_items_between_paragraphs_are_kept():
    raw = (
        "Velmora\n"
        "The council voted to rebuild the harbour wall on Thursday.\n"
        "Rebuilding costs\n"
        "The wall will cost 14 million crowns.\n"
        "- new pier\n"
        "- wider slipway\n"
        "Work starts in June.\n"
        "Tags\n"
    )
    result = clean_text(raw, title="Wall to be rebuilt")
    assert result.text.split("\n") == [
        "The council voted to rebuild the harbour wall on Thursday.",
        "Rebuilding costs",
        "The wall will cost 14 million crowns.",
        "- new pier",
        "- wider slipway",
        "Work starts in June.",
    ]
    assert [(r.line, r.reason) for r in result.removed] == [
        ("Velmora", "fragment"),
        ("Tags", "link_list"),
    ]


def test_a_heading_over_furniture_only_goes_with_it():
    raw = (
        "The council voted to rebuild the harbour wall on Thursday.\n"
        "Popular now\n"
        "More news: Kelmar ferry strike ends\n"
        "[Related: Dock strike over]\n"
        "Harbour life\n"
        "Work starts in June.\n"
    )
    result = clean_text(raw, title="Wall to be rebuilt")
    assert "Popular now" not in result.text
    assert "Harbour life" in result.text


@pytest.mark.parametrize(
    "line",
    [
        "1 | Anna Field | 5040 | 5 | 1 | 17 | 27",
        "Tomas Brell | 2380 | 2 | 3 | 12",
        "12 | Velmora Rovers | 31 | 64%",
    ],
)
def test_a_table_row_with_a_number_in_a_cell_is_not_a_menu(line):
    assert classify_line(line) is None


def test_a_menu_of_section_names_is_still_navigation():
    assert classify_line("Home | World | Politics | Business | Sport") == "navigation"
    assert classify_line("News • Sport • Weather • Culture • Top 10") == "navigation"
    assert classify_line("Home World Politics Business Sport") == "navigation"
    assert classify_line("Home World Politics Business harbour") is None


def test_the_headline_again_in_other_words_at_the_head_of_the_text_goes():
    raw = (
        "Harbour wall: Velmora council votes to rebuild it\n"
        "The council voted on Thursday to rebuild the harbour wall, which a storm broke.\n"
        "Work starts in April and should take two years, the harbour master said.\n"
        "Velmora council votes to rebuild the harbour wall\n"
    )
    result = clean_text(raw, title="Velmora council votes to rebuild harbour wall")
    assert [(r.line, r.reason) for r in result.removed] == [
        ("Harbour wall: Velmora council votes to rebuild it", "title_repeated")
    ]
    # further down, a line like the headline is the article's (only the head is searched)
    assert result.text.endswith("Velmora council votes to rebuild the harbour wall")


def test_a_rule_s_required_words_never_change_what_it_matches():
    """`requires` in data/boilerplate.toml only spares a search: over every line of the
    written furniture pages and some adverts, each rule matches as it would without it."""
    from dataclasses import replace

    from bench._furniture_set import read_pages
    from storyline.clean.furniture import rules, word_count

    lines = [line.text for page in read_pages() for line in page.lines] + [
        "Claim 200 free spins at Lucky Harbour Casino today",
        "Get a 100% bonus match on your first deposit",
        "The Best Online Bookmakers of 2031",
        "Harbour Bet",
        "Jackpot slots with promo code HARBOUR",
    ]
    checked = [rule for rule in rules() if rule.requires]
    assert checked  # gambling_ad has one
    for rule in checked:
        bare = replace(rule, requires=())
        for line in lines:
            assert rule.matches(line, word_count(line)) == bare.matches(line, word_count(line))
    assert sum(checked[0].matches(line, word_count(line)) for line in lines[-5:]) == 5
