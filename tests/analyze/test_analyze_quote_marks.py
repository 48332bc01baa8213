"""Analyze stage: quote marks found in plain text (`find_segments`), with no parsing at all."""

from __future__ import annotations

import pytest

from storyline.analyze.quote_marks import find_segments


def quoted(text: str) -> list[str]:
    """The text inside every segment found, in order."""
    return [text[s.start : s.end] for s in find_segments(text)]


@pytest.mark.parametrize(
    ("text", "inside", "mark"),
    [
        ("“We will hold the line,” Varga said.", "We will hold the line,", "“"),
        ('"We will hold the line," Varga said.', "We will hold the line,", '"'),
        ("«Nous tiendrons la ligne», a dit Varga.", "Nous tiendrons la ligne", "«"),
        ("„Wir halten die Linie“, sagte Varga.", "Wir halten die Linie", "„"),
        ("‘We will hold the line,’ Varga said.", "We will hold the line,", "‘"),
    ],
    ids=["curly-double", "straight-double", "guillemets", "german-low-high", "curly-single"],
)
def test_every_quote_mark_style_gives_the_text_between_the_marks(text, inside, mark):
    segments = find_segments(text)
    assert len(segments) == 1, quoted(text)
    segment = segments[0]
    assert text[segment.start : segment.end] == inside
    assert segment.mark == mark
    assert not segment.continued
    # the marks themselves are outside the segment
    assert text[segment.start - 1] == mark


def test_two_quotes_in_one_sentence_are_two_segments():
    text = 'Asked about the dam, she said "not yet" and then "perhaps in spring".'
    assert quoted(text) == ["not yet", "perhaps in spring"]


def test_a_quote_at_the_very_start_and_end_of_the_text():
    assert quoted("“The ferry is cancelled.”") == ["The ferry is cancelled."]


@pytest.mark.parametrize(
    "text",
    [
        "Moscow’s allies’ tanks moved west while the allies' plan stalled.",
        "The 1990s' boom left the port with empty warehouses.",
        "Rock ’n’ roll returned to the harbour festival.",
        "It's the mayor's view that the ministers' budget won't pass.",
    ],
)
def test_apostrophes_are_not_quote_marks(text):
    assert find_segments(text) == []


def test_an_apostrophe_inside_a_single_quoted_quote_does_not_end_it():
    text = "‘Moscow’s allies are nervous about the drills,’ the diplomat said."
    assert quoted(text) == ["Moscow’s allies are nervous about the drills,"]


def test_a_plural_possessive_inside_a_single_quoted_quote_does_not_end_it():
    # British house style: single quotes, and "allies’" is an apostrophe followed by a word.
    text = "‘The allies’ tanks are older than ours,’ the colonel said."
    assert quoted(text) == ["The allies’ tanks are older than ours,"]


def test_straight_double_quotes_next_to_a_straight_apostrophe():
    text = 'The allies\' plan was "ambitious and late," the envoy said.'
    assert quoted(text) == ["ambitious and late,"]


def test_a_quote_running_over_paragraphs_gives_one_segment_per_paragraph():
    text = (
        "The minister read a statement.\n\n"
        "“The first convoy left at dawn and reached the valley by noon.\n\n"
        "“A second convoy will follow tomorrow,” she said."
    )
    segments = find_segments(text)
    assert [text[s.start : s.end] for s in segments] == [
        "The first convoy left at dawn and reached the valley by noon.",
        "A second convoy will follow tomorrow,",
    ]
    assert [s.continued for s in segments] == [True, False]


def test_a_quote_running_over_three_paragraphs():
    text = "“One.  Alpha line.\n“Two.  Beta line.\n“Three,” he said."
    segments = find_segments(text)
    assert [text[s.start : s.end] for s in segments] == [
        "One.  Alpha line.",
        "Two.  Beta line.",
        "Three,",
    ]
    assert [s.continued for s in segments] == [True, True, False]


def test_a_stray_opening_mark_does_not_swallow_the_following_paragraphs():
    text = (
        "Varga said “we will hold the northern line.\n\n"
        "Then the hall emptied and nobody spoke for an hour.\n\n"
        "The ferry to Port Velmaris was cancelled."
    )
    assert find_segments(text) == []


def test_a_stray_opening_mark_does_not_swallow_a_later_quote_in_its_paragraph():
    text = "Varga said “we will hold. Later, “the line is secure,” she added."
    assert quoted(text) == ["the line is secure,"]


def test_an_opening_mark_followed_by_a_space_is_not_a_quote():
    assert find_segments("He shouted “ and left the room.") == []


def test_empty_quotes_and_empty_text_give_nothing():
    assert find_segments("") == []
    assert find_segments("She said “” and left.") == []
    assert find_segments("\n\n\n") == []


def test_segments_are_in_text_order_and_inside_the_text():
    text = (
        "“First,” said one. «Second», said another.\n\n"
        '‘Third,’ said a third. „Fourth“, said a fourth. "Fifth," said the last.'
    )
    segments = find_segments(text)
    assert quoted(text) == ["First,", "Second", "Third,", "Fourth", "Fifth,"]
    starts = [s.start for s in segments]
    assert starts == sorted(starts)
    assert all(0 < s.start < s.end < len(text) for s in segments)


def test_two_apostrophes_open_and_close_a_quote_and_run_over_paragraphs() -> None:
    text = "''It is late,'' said Brandt. ''We start again.\n\n''On Monday,'' he added. Don''t."
    segments = find_segments(text)
    assert [text[s.start : s.end] for s in segments] == [
        "It is late,",
        "We start again.",
        "On Monday,",
    ]
    assert [s.width for s in segments] == [2, 2, 2]
    assert [s.continued for s in segments] == [False, True, False]
