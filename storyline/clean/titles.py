"""Clean stage: a headline without the site's name that pages add to it.

"Clymer workshop manual review | MoreBikes", "WeWork investigated – TechCrunch", "Velmora: Dam
inquiry opens", "Dam inquiry opens | Politics | Harbor Times": the part naming the site (and the
sections between it and the headline) is not the story, and two unrelated pages of one site would
share it. A part is cut when it matches the site's name as the page gives it or its registered
domain (``morebikes.co.uk``, ``cnn.com`` for ``edition.cnn.com``), perhaps with words such as
"News" or ".com" around it (see ``outlets.names_site``); a part that names no site stays, so
"Trump – Comey feud deepens" is left whole (issue 21).
"""

from __future__ import annotations

import re

from storyline.clean.outlets import SEPARATOR, names_site, site_keys

_LEADING_NAME = re.compile(r"^\s*([^:|]{2,60}?):\s+(?=\S)")  # "Harbor Times: Dam inquiry opens"
# A section between the headline and the site's name: a few capitalised words
# ("Politics", "US News", "Middle East"), between bars only and after a headline of some words,
# so "Trump – Comey" never is one.
_MIN_HEADLINE_WORDS = 3  # sections are cut only after a headline longer than this
_SECTION = re.compile(r"^(?:[A-Z0-9&][\w&'.-]*\s?){1,3}$")
# The writer named after the headline: "Dam inquiry opens - By Anna Field" (names capitalised,
# so "Budget cuts – by the numbers" stays whole).
_AUTHOR = re.compile(
    r"^\s*(?i:by)\s+((?:[A-Z][\w.'’-]*)(?:\s+(?:[A-Z][\w.'’-]*|de|van|von|da|di|del|bin)){0,4})\s*$"
)


def split_author(title: str) -> tuple[str, str | None]:
    """``title`` without a trailing part that names its writer ("… - By Anna Field"), and that
    writer's name (None when the title names none)."""
    spans = _segments(title)
    if len(spans) < 2:
        return title, None
    found = _AUTHOR.match(title[slice(*spans[-1])])
    headline = title[: spans[-2][1]].strip()
    if found is None or not headline:
        return title, None
    return headline, found.group(1)


def _segments(title: str) -> list[tuple[int, int]]:
    """The (start, end) of each part of ``title`` between separators."""
    spans, start = [], 0
    for match in SEPARATOR.finditer(title):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(title)))
    return spans


def _bar_between(title: str, left: tuple[int, int], right: tuple[int, int]) -> bool:
    return "|" in title[left[1] : right[0]]


def strip_site_name(title: str, url: str | None, sitename: str | None = None) -> str:
    """``title`` without trailing parts (or a leading one) that name the site, nor the section
    parts between bars just before a trailing one; as it is otherwise, and never emptied."""
    keys = site_keys(url, sitename)
    whole = title.strip()
    if not keys:
        return title
    leading = _LEADING_NAME.match(whole)
    if leading and names_site(leading.group(1), keys, strict=True):
        whole = whole[leading.end() :]
    spans = _segments(whole)
    cut_site = False
    while len(spans) > 1 and names_site(whole[slice(*spans[-1])], keys):
        spans.pop()
        cut_site = True
    while (
        cut_site
        and len(spans) > 1
        and len(whole[slice(*spans[0])].split()) > _MIN_HEADLINE_WORDS
        and _bar_between(whole, spans[-2], spans[-1])
        and _SECTION.match(whole[slice(*spans[-1])].strip())
    ):
        spans.pop()  # "Headline | Politics | Harbor Times": the section goes with the name
    if len(spans) > 1 and names_site(whole[slice(*spans[0])], keys):
        spans.pop(0)
    kept = whole[spans[0][0] : spans[-1][1]].strip()
    return kept if kept and kept != title.strip() else title
