"""Entities: the type of a mention checked against the gazetteer, stated roles and known people.

spaCy's model labels "Twitter" a PERSON, "Crimea" an ORG, "Miguel Díaz-Canel" an ORG, "the
F.B.I." a GPE, "the interested State" an ORG and "Bidens" (a possessive without its apostrophe)
a place. These checks run on the mentions `entities` collects, with no second parse: a name the
gazetteer knows has the gazetteer's type, a name stated with a person's role is a person, a
surname of a person the article or an earlier one names in full is that person, and single
generic words are no entity (issue 27).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from storyline.analyze.gazetteer import Gazetteer, Known
from storyline.analyze.names import clean_surface, fold, sound_key
from storyline.analyze.places import Geocoder

if TYPE_CHECKING:
    from spacy.tokens import Span as SpacySpan

    from storyline.analyze.entities import EntityRegistry, Found

DOTTED_ACRONYM = re.compile(r"(?:[A-Z]\.){2,}")  # "F.B.I.", "C.I.A."


def strip_end(text: str) -> str:
    """A name without punctuation the tokenizer left on its last word ("Twitter,", "France.");
    the full stop of an abbreviation stays ("U.S.", "Fla.")."""
    text = text.rstrip(" \n\t,;:")
    last = text.split()[-1] if text.split() else ""
    if text.endswith(".") and text.count(".") == 1 and len(last) > 5:
        text = text[:-1]
    return text


def could_be_person(ent: SpacySpan, text: str, gaz: Gazetteer) -> bool:
    """A name of two to four capitalised words the model labelled ORG, GPE or NORP and the
    gazetteer does not know: a person when a role is stated with it. Not after a possessive:
    "Prime Minister Boris Johnson's Conservative Party" is the party."""
    words = text.split()
    before = ent.doc[ent.start - 1] if ent.start > 0 else None
    return (
        ent.label_ in {"ORG", "GPE", "NORP"}
        and (before is None or before.tag_ != "POS")
        and 2 <= len(words) <= 4
        and all(w[:1].isupper() for w in words)
        and gaz.lookup(text) is None
    )


def not_a_name(item: Found, gaz: Gazetteer) -> bool:
    """Words the model tagged that name nothing alone: "the interested State", "us"."""
    surface = clean_surface(item.text)
    if item.how == "generic":
        return False
    return surface.islower() or fold(surface) in gaz.not_names


def surname_meant(
    item: Found, surnames: set[str], registry: EntityRegistry, geocoder: Geocoder
) -> str | None:
    """The surname a mention the model did not take for a person stands for: "Trump" tagged
    ORG, "Bidens" tagged GPE (a possessive without its apostrophe in a subheading)."""
    words = clean_surface(item.text).split()
    if item.type == "PERSON" or len(words) != 1:
        return None
    word = words[0]
    plural = word[:-1] if len(word) > 3 and word.endswith("s") else None
    for candidate in (word, plural):
        if candidate is None:
            continue
        unknown_place = geocoder.city(item.text) is None
        if sound_key(candidate) in surnames and (candidate == word or unknown_place):
            return candidate
        if registry.knows_surname(candidate) and (item.type == "ORG" or unknown_place):
            return candidate
    return None


def known_start(item: Found, gaz: Gazetteer) -> Known | None:
    """In all-caps text the model runs names into the next words ("UKRAINE BUILD-UP"): the
    mention is cut to its first words when they are a name the gazetteer knows."""
    if not item.text.isupper() or " " not in item.text:
        return None
    ends = [m.start() for m in re.finditer(r"\s+", item.text)]
    for end in reversed(ends):
        known = gaz.lookup(item.text[:end])
        if known is not None and known.how in {"name", "alias"}:
            item.text, item.end = item.text[:end], item.start + end
            return known
    return None


def retype_known(item: Found, known: Known) -> None:
    """A name the gazetteer knows has the gazetteer's type: "Twitter" is no person, "Crimea"
    no organisation (a LOC or FAC label is kept for places)."""
    if known.how == "demonym" or item.type == known.type:
        return
    if known.type == "GPE" and item.type in {"LOC", "FAC"}:
        return
    item.type = known.type
