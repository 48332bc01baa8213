"""Site names cut from headlines; other separators left alone. Fictional sites."""

from __future__ import annotations

import pytest

from storyline.clean.titles import strip_site_name


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
