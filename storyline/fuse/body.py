"""Fuse stage: which sentence units are body text a briefing may show alone.

Headlines, subheadings, photo captions and credits, bullets and video blurbs survive cleaning
as lines of their own; they read as broken sentences in a briefing or a timeline. They are told
by layout: a body sentence ends with a stop (a heading does not), does not open with a bullet,
is not the article's title, is not shouted in capitals, and does not read as a caption ("X,
left, and Y on Sunday in ...", "Photo: ...", "(AFP)"). Every quotation in it is opened and
closed (`balanced`). A sentence that leans on the one before it ("She said", "The first is")
is body text but is not shown alone unless what it leans on is resolved (`leaning`).
"""

from __future__ import annotations

import re

from storyline.fuse.sentences import balanced
from storyline.model import Article

SUBHEADING_WORDS = 12  # a question alone on its line and shorter than this is a subheading
_CLOSING = "\"'’”»)]"  # marks that may follow a sentence's stop
_BULLET = re.compile(r"[•·▪►▶◆■●○*+–—-]|\d{1,2}[.)]\s+[A-Z]")
# Caption forms: "X, left, and Y ...", a lead word ("Photo: ..."), a credit anywhere.
_CAPTION_SIDE = re.compile(r",\s+(?:left|right|centre|center|second left|second right)\s*[,)]")
_CAPTION_LEAD = re.compile(
    r"\(?(?:photo|photograph|image|picture|video|watch|listen|file photo|pictured)\b\s*[:(|-]",
    re.IGNORECASE,
)
_CREDITS = (
    "image copyright",
    "image caption",
    "photograph:",
    "photo credit",
    "getty images",
    "ap photo",
    "afp via getty",
    "reuters/",
    "epa-efe",
    "shutterstock",
)
_WORDS = re.compile(r"[^\W\d_]+")
# Words that make a sentence lean on the one before it when they open it, and pronoun
# attributions that name nobody ("..., she said.").
_LEANING_OPENERS = frozenset(
    "he she it they this these those his her its their him them but and however also meanwhile "
    "still yet so such both".split()
)
_LEANING_PAIRS = frozenset(
    "the first;the second;the third;the former;the latter;the last;the other;the same;"
    "that was;that is;this is;there he;there she".split(";")
)
_PRONOUN_SAID = re.compile(
    r"\b(?:he|she|they)\s+(?:said|says|added|adds|told|tells|wrote|writes|stated|declared|"
    r"explained|noted|warned|continued|asked|insisted|argued|replied|stressed)\b"
    # inverted ("..., said she."), not the subject of what was said ("said she studies")
    r"|\b(?:said|says|added|told|wrote|stated|declared|noted|warned)\s+(?:he|she|they)"
    r"(?=\s*(?:[,.;:!?…\"'’”)]|$))",
    re.IGNORECASE,
)
_FIRST = re.compile(r"""[\s"'“‘(\[`]*([^\W\d_]+)(?:\s+([^\W\d_]+))?""")


def not_body(sentence: str, title: str | None = None, alone: bool = False) -> str | None:
    """Why ``sentence`` is not body text (heading, bullet, caption, title, furniture, shouting,
    unbalanced quote), or None when it is. ``alone``: the sentence is a line of its own, where
    a short question is a subheading ("Did the plane turn around?")."""
    text = sentence.strip()
    if not text:
        return "empty"
    if title and _same(text, title):
        return "title"
    if _BULLET.match(text, 0, 4):
        return "bullet"
    if text.rstrip(_CLOSING).rstrip("'")[-1:] not in _STOPS:
        return "heading"
    if alone and text.rstrip(_CLOSING).endswith("?") and len(text.split()) < SUBHEADING_WORDS:
        return "heading"
    if _is_caption(text):
        return "caption"
    if " | " in text:  # "GENEVA | Mon May 18 ...": a page's furniture, not a sentence
        return "furniture"
    if _shouting(text):
        return "shouting"
    if not balanced(text):
        return "unbalanced quote"
    return None


_STOPS = frozenset(".!?…")


def _is_caption(text: str) -> bool:
    if _CAPTION_LEAD.match(text) or (", " in text and _CAPTION_SIDE.search(text)):
        return True
    lower = text.lower()
    return any(credit in lower for credit in _CREDITS)


def _shouting(text: str) -> bool:
    """Mostly words in capitals (a checked sample first: body text has lower case early)."""
    if sum(map(str.islower, text[:60])) > 10:
        return False
    words = _WORDS.findall(text)
    return len(words) >= 4 and sum(w.isupper() and len(w) > 1 for w in words) > 0.7 * len(words)


def alone_on_line(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a whole line of ``text``."""
    before = text.rfind("\n", 0, start)
    after = text.find("\n", end)
    return (
        not text[before + 1 : start].strip()
        and not text[end : len(text) if after < 0 else after].strip()
    )


def _same(text: str, title: str) -> bool:
    a = " ".join(_WORDS.findall(text.lower()))
    b = " ".join(_WORDS.findall(title.lower()))
    return bool(a) and (a == b or (len(b) > 20 and a.startswith(b)))


def leaning(sentence: str, resolved: frozenset[int] = frozenset()) -> bool:
    """Whether ``sentence`` leans on what came before: it opens with a pronoun or a connective
    ("He said", "But", "The first is"), or names its speaker only by a pronoun. Pronouns
    starting at an offset in ``resolved`` have a known antecedent and do not count."""
    first = _FIRST.match(sentence)
    if first is not None:
        one = first.group(1).lower()
        two = f"{one} {(first.group(2) or '').lower()}"
        if two in _LEANING_PAIRS:
            return True
        if one in _LEANING_OPENERS and first.start(1) not in resolved:
            return True
    lead = _LEAD_PRONOUN.match(sentence)
    if lead is not None and lead.start(1) not in resolved:
        return True  # "With the Balkan leader, he discussed ..."
    return any(start not in resolved for start, _ in pronoun_attributions(sentence))


# A short opening phrase, then a pronoun as the subject of the sentence.
_LEAD_PRONOUN = re.compile(r"""[^.,;"“”]{1,60},\s+(he|she|they)\s""", re.IGNORECASE)


def _may_name_by_pronoun(sentence: str) -> bool:
    lower = sentence.lower()
    return "he " in lower or "she " in lower or "they " in lower or lower.endswith(("he", "they"))


def pronoun_attributions(sentence: str) -> list[tuple[int, int]]:
    """Spans of the pronouns in pronoun attributions of ``sentence`` ("she" of "she said")."""
    spans: list[tuple[int, int]] = []
    if not _may_name_by_pronoun(sentence):
        return spans
    for match in _PRONOUN_SAID.finditer(sentence):
        for pronoun in _PRONOUN.finditer(match.group()):
            spans.append((match.start() + pronoun.start(), match.start() + pronoun.end()))
    return spans


def with_antecedents(sentence: str, names: dict[int, str]) -> str:
    """``sentence`` with each pronoun at an offset in ``names`` replaced by its antecedent in
    brackets ("[Stefanishyna] said"), so the sentence stands alone and shows the insertion."""
    out, last = [], 0
    for start, end in sorted((s, e) for s, e in _pronoun_spans(sentence) if s in names):
        out += [sentence[last:start], f"[{names[start]}]"]
        last = end
    return "".join(out) + sentence[last:]


def _pronoun_spans(sentence: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _PRONOUN.finditer(sentence)]


_PRONOUN = re.compile(r"\b(?:he|she|they)\b", re.IGNORECASE)


_SPEAKER_PRONOUNS = frozenset({"he", "she", "they"})


def antecedents(article: Article) -> dict[int, str]:
    """Pronoun speakers that analysis resolved to a name: where the pronoun is -> the name."""
    found = {}
    for quote in article.quotes:
        where = quote.speaker_span
        if where is None or not quote.speaker or quote.speaker.lower() in _SPEAKER_PRONOUNS:
            continue
        if article.text[where.start : where.end].lower() in _SPEAKER_PRONOUNS:
            found[where.start] = quote.speaker
    return found


def names_within(names: dict[int, str], start: int, end: int) -> dict[int, str]:
    """The entries of ``names`` (offsets in a text) inside ``start:end``, made relative to it."""
    return {at - start: name for at, name in names.items() if start <= at < end}
