"""Clean stage: metadata not in the markup: language, canonical URL, content hash (the outlet
is in ``outlets.py``)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|ref_src|cmpid|ocid|icid|smid)$")


def canonical_url(url: str | None) -> str | None:
    """The URL without fragment, tracking parameters, www., default port or trailing slash."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:  # "http://[bad" or a port out of range
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        # a URN or tag URI identifies an item; "N/A" or a relative path identifies nothing
        opaque = parts.scheme not in ("", "http", "https") and " " not in url.strip()
        return url.strip() if opaque else None
    host = parts.hostname.lower().removeprefix("www.")  # www.x.org and x.org are one site
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if not _TRACKING.match(k)])
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(("https" if parts.scheme == "https" else "http", netloc, path, query, ""))


def normalise_for_hash(text: str) -> str:
    """Text reduced to lower-case words, so that spacing, quotes and punctuation do not matter."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.findall(r"\w+", text))


def content_hash(text: str) -> str:
    """SHA-256 of the normalised text."""
    return hashlib.sha256(normalise_for_hash(text).encode("utf-8")).hexdigest()


@cache
def _identifier() -> object:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


# Characters of text the language is read from: its cost grows with the length, and on the
# extraction pages and 41 real texts 1,000 characters already named the same language as 5,000
# (and 1,500 cost hardly more than 1,000).
LANGUAGE_SAMPLE = 1500


def detect_language(text: str) -> tuple[str | None, float | None]:
    """ISO 639-1 language code and its probability, or (None, None) for text too short to tell."""
    sample = text[:LANGUAGE_SAMPLE]
    if len(re.findall(r"[^\W\d_]{2,}", sample)) < 3:
        return None, None
    lang, prob = _identifier().classify(sample)  # type: ignore[attr-defined]
    return str(lang), round(float(prob), 4)
