"""serve/highlight.py: the article text cut into runs by what covers them; joined, the runs give
the text back; the cited span is marked; overlapping annotations stack."""

from __future__ import annotations

from storyline.serve.highlight import runs

TEXT = 'Minister Ilse Varga said "we keep 13,000 soldiers here" on Tuesday.'


def _ann() -> dict:
    start = TEXT.index("we keep")
    return {
        "mentions": [
            {"start": 9, "end": 19, "entity_id": "E1"},
            {"start": 0, "end": 8, "entity_id": None},  # not linked: not highlighted
        ],
        "quotes": [{"start": start, "end": TEXT.index('" on')}],
        "claims": [{"start": TEXT.index("13,000"), "end": TEXT.index(" here")}],
        "times": [{"start": TEXT.index("Tuesday"), "end": TEXT.index(".")}],
    }


def test_runs_give_the_text_back_and_say_what_covers_them():
    found = runs(TEXT, _ann(), None)
    assert "".join(r.text for r in found) == TEXT
    kinds = {r.text: r.kinds for r in found}
    assert kinds["Ilse Varga"] == ("entity",)
    assert kinds["13,000 soldiers"] == ("quote", "claim")  # inside the quote: both
    assert kinds["we keep "] == ("quote",)
    assert kinds["Tuesday"] == ("date",)
    assert kinds["Minister "] == ()
    assert not any(r.cited for r in found)


def test_the_cited_span_is_marked_and_bad_spans_are_ignored():
    ann = _ann()
    ann["claims"].append({"start": 60, "end": 500})  # beyond the text: ignored
    found = runs(TEXT, ann, (9, 30))
    assert "".join(r.text for r in found) == TEXT
    assert "".join(r.text for r in found if r.cited) == TEXT[9:30]
