"""Clean stage: which outlet published an article, and the name to show for it.

An outlet is keyed by the registered domain of its pages' host, read against the Public Suffix
List that tldextract bundles (never downloaded, nothing cached on disk): edition.cnn.com,
www.cnn.com and m.cnn.com are all "cnn.com", and news.bbc.co.uk is "bbc.co.uk" (issue 21). A host
under no listed suffix (a reserved ".example" name, an unknown top-level domain) keeps its last
two labels; an IP address is its own key.

The name shown for an outlet is the one its page or record gives ("The Harbor Times") when it
reads as a name. A section list ("Autoracing | F1 | Indy | NASCAR") or a name with a slogan
("Harbor Times - Velmora's news since 1890") is cut to the part that names the site, and refused
when no part does; a web address is no display name. The key is shown when there is none.
"""

from __future__ import annotations

import ipaddress
import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from tldextract import TLDExtract

# Between the parts of a title or a site name: a bar, a dash, a colon, a bullet or a guillemet
# with spaces around it, or a bar without.
SEPARATOR = re.compile(r"\s+[|–—:•·»-]\s+|\s*\|\s*")
_WORDS = re.compile(r"[^\W_]+")
# Words a site puts around its name ("BBC News", "CNN.com", "The Harbor Times Online").
_GENERIC_WORDS = frozenset(
    {"the", "news", "online", "live", "web", "site", "tv", "com", "co", "uk", "net", "org", "www"}
)
_ADDRESS = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//|^[\w-]+(?:\.[\w-]+)+/?$", re.I)
_MAX_NAME_WORDS = 6  # a part of a title longer than this is a headline, not a site's name
_MAX_OUTLET_WORDS = 10  # a whole site name longer than this is a description
_MAX_OUTLET_CHARS = 100


@cache
def _extractor() -> TLDExtract:
    import tldextract

    # the suffix list bundled with the package only: no request, no cache file (issue 21)
    return tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
    )


@lru_cache(maxsize=4096)
def registered_domain(host: str) -> str | None:
    """The registered domain of ``host`` (``edition.cnn.com`` -> ``cnn.com``, ``news.bbc.co.uk``
    -> ``bbc.co.uk``, a blog at ``velmora.blogspot.com`` stays whole); None for no host."""
    host = host.strip().strip(".").lower()
    if not host:
        return None
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        pass
    parts = _extractor()(host)
    if parts.domain and parts.suffix:
        return f"{parts.domain}.{parts.suffix}"
    labels = [label for label in host.split(".") if label]
    return ".".join(labels[-2:])  # no listed suffix: take the last label for one


def outlet_from_url(url: str | None) -> str | None:
    """The outlet's key: the registered domain of the URL's host, e.g. ``harbortimes.example``
    for ``https://m.news.harbortimes.example/a``; None when the URL has no host."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    return registered_domain(host)


def _is_address(text: str) -> bool:
    return bool(_ADDRESS.match(text)) and " " not in text


def outlet_key(name: str | None) -> str | None:
    """The key of an outlet known by a name alone (a record's ``outlet`` field, a page's site
    name, with no URL): its registered domain when the name is a web address, else the name."""
    name = " ".join((name or "").split())
    if _is_address(name):
        return outlet_from_url(name if "//" in name else f"//{name}")
    return outlet_name(name, None)


def site_keys(address: str | None, sitename: str | None = None) -> set[str]:
    """What a part naming the site reduces to (see ``squashed``): the site name, and for an
    ``address`` (a URL, a host or an outlet's key) its registered domain and that domain's own
    label (``harbortimesexample``, ``harbortimes``); an ``address`` that is a name counts as one."""
    keys = {squashed(name) for name in (sitename,) if name}
    address = (address or "").strip()
    if "//" in address:
        domain = outlet_from_url(address)
    elif _is_address(address):
        domain = registered_domain(address)
    else:
        domain = None
        keys.add(squashed(address))
    if domain and not domain.replace(".", "").isdigit():
        keys.update((squashed(domain), squashed(domain.split(".", 1)[0])))
    return {key for key in keys if len(key) >= 2}


def squashed(text: str) -> str:
    """``text`` in lower case with only its letters and digits."""
    return "".join(_WORDS.findall(text.casefold()))


def _short_forms(words: list[str]) -> set[str]:
    """The part as a site shortens it in its address: "new york times" -> "nytimes", "nyt";
    "wall street journal" -> "wsj"."""
    return {"".join(w[0] for w in words[:i]) + "".join(words[i:]) for i in range(2, len(words) + 1)}


def names_site(part: str, keys: set[str], strict: bool = False) -> bool:
    """Whether ``part`` of a title or site name names the site: it is one of ``keys`` (perhaps
    with words such as "the", "news" or ".com" around it, or shortened as in "nytimes"), or is
    mostly one of four letters or more ("The Harbor Times Blog", not "Harbor Times chief
    resigns"), or unless ``strict`` most of one ("Harbor Times" of "harbortimesweekly")."""
    words = _WORDS.findall(part.casefold())
    if not words or len(part.split()) > _MAX_NAME_WORDS:
        return False
    whole = "".join(words)
    core = [word for word in words if word not in _GENERIC_WORDS]
    forms = {whole, "".join(core)} | _short_forms(core)
    for key in keys:
        if key in forms:
            return True
        inside = key in whole or (whole in key and not strict)
        if inside and min(len(key), len(whole)) >= max(4, max(len(key), len(whole)) / 2):
            return True  # most of the part is the name ("The Harbor Times Blog")
    return False


def _starts_with_site(part: str, keys: set[str]) -> bool:
    """Whether ``part`` names the site, or starts with its name ("CNN International")."""
    first = _WORDS.findall(part.casefold())[:1]
    return names_site(part, keys) or (bool(first) and first[0] in keys)


def outlet_name(name: str | None, key: str | None) -> str | None:
    """The name to show for the outlet keyed ``key``, from the ``name`` a page or record gives;
    None when ``name`` is no name: empty, a web address, a description, or a list of parts of
    which none names the site."""
    name = " ".join((name or "").split()).lstrip("@")
    if not name or _is_address(name):
        return None
    parts = [part.strip() for part in SEPARATOR.split(name) if part.strip()]
    if len(parts) > 1:
        keys = site_keys(key)
        name = next((part for part in parts if _starts_with_site(part, keys)), "")
    words = len(name.split())
    if not name or words > _MAX_OUTLET_WORDS or len(name) > _MAX_OUTLET_CHARS:
        return None
    return name
