"""Clean stage: a headline without the site's name that pages append to it.

"Clymer workshop manual review | MoreBikes", "WeWork investigated – TechCrunch": the last part
names the site, not the story, and two unrelated pages of one site would share it. It is cut when
it matches the site's name as the page gives it or its web address (``morebikes.co.uk``).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_SEPARATOR = re.compile(r"\s+[|–—-]\s+|\s*\|\s*")
_ALNUM = re.compile(r"[\W_]+")
_GENERIC_HOST_LABELS = frozenset({"www", "m", "amp", "mobile", "blog", "news", "com", "co", "org"})
_MAX_NAME_WORDS = 6


def _squashed(text: str) -> str:
    return _ALNUM.sub("", text.casefold())


def _site_keys(url: str | None, sitename: str | None) -> set[str]:
    keys = {_squashed(sitename)} if sitename else set()
    try:
        host = (urlsplit(url).hostname or "") if url else ""
    except ValueError:
        host = ""
    labels = [label for label in host.split(".") if label not in _GENERIC_HOST_LABELS]
    keys.update(_squashed(label) for label in labels[:-1] or labels)  # not the top-level domain
    return {key for key in keys if len(key) >= 3}


def _names_site(part: str, keys: set[str]) -> bool:
    squashed = _squashed(part)
    if not squashed or len(part.split()) > _MAX_NAME_WORDS:
        return False
    return any(
        squashed == key or (len(key) >= 4 and (key in squashed or squashed in key)) for key in keys
    )


def _segments(title: str) -> list[tuple[int, int]]:
    """The (start, end) of each part of ``title`` between separators."""
    spans, start = [], 0
    for match in _SEPARATOR.finditer(title):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(title)))
    return spans


def strip_site_name(title: str, url: str | None, sitename: str | None = None) -> str:
    """``title`` without trailing parts (or a leading one) that name the site; as it is
    otherwise, and never emptied."""
    keys = _site_keys(url, sitename)
    whole = title.strip()
    spans = _segments(whole)
    if not keys or len(spans) < 2:
        return title
    while len(spans) > 1 and _names_site(whole[slice(*spans[-1])], keys):
        spans.pop()
    if len(spans) > 1 and _names_site(whole[slice(*spans[0])], keys):
        spans.pop(0)
    kept = whole[spans[0][0] : spans[-1][1]].strip()
    return kept if kept and kept != whole else title
