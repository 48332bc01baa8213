"""What a numeric claim counts, as a word to group and search by (shared by the claims stage,
fusing and claim search, as `model` is).

"8,500 soldiers", "13,000 troops" and "4,000 servicemen" count one kind of thing; "30 allies"
counts allies (not "allie"). The vocabulary is data (storyline/data/claims.toml): irregular
plurals, words for one kind of thing, and the small counts of sentence-building nouns that are
not figures ("two parties", "one table", "two sides").
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

PREPOSITIONS = {"in", "of", "on", "at", "from", "for", "with", "to", "near", "across", "under"}
_WORD = re.compile(r"[a-z][a-z'-]*")


@dataclass(frozen=True, slots=True)
class CountedVocabulary:
    """The claims vocabulary: trivial counts, irregular plurals, words for one kind of thing."""

    trivial_below: float = 3
    trivial_nouns: frozenset[str] = frozenset()
    referring: frozenset[str] = frozenset()  # "the two countries": a reference, not a count
    plurals: dict[str, str] = field(default_factory=dict)  # irregular plural → singular
    kinds: dict[str, str] = field(default_factory=dict)  # singular word → canonical kind
    members: dict[str, tuple[str, ...]] = field(default_factory=dict)  # kind → its words

    def is_trivial(self, quantity: float | None, noun_lemma: str, before: str = "") -> bool:
        """Whether a count of ``noun_lemma`` after the word ``before`` is below the floor of
        news: "two parties", "one table", "the two countries"."""
        if quantity is None or quantity >= self.trivial_below:
            return False
        return noun_lemma.lower() in self.trivial_nouns or before.lower() in self.referring


@cache
def load_vocabulary() -> CountedVocabulary:
    """The packaged vocabulary (storyline/data/claims.toml), read once per process."""
    raw = resources.files("storyline.data").joinpath("claims.toml").read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    trivial = data.get("trivial", {})
    kinds: dict[str, str] = {}
    members: dict[str, tuple[str, ...]] = {}
    for kind, words in data.get("same", {}).items():
        group = (kind, *words)
        members[kind] = group
        for word in group:
            kinds[word] = kind
    return CountedVocabulary(
        float(trivial.get("below", 3)),
        frozenset(w.lower() for w in trivial.get("nouns", [])),
        frozenset(w.lower() for w in trivial.get("referring", [])),
        dict(data.get("plural", {})),
        kinds,
        members,
    )


def singular(word: str, vocabulary: CountedVocabulary | None = None) -> str:
    """The singular of an English noun: allies → ally, countries → country, boxes → box,
    servicemen → serviceman; words that are not plural come back lower-cased."""
    vocab = vocabulary or load_vocabulary()
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    if word in vocab.plurals:
        return vocab.plurals[word]
    if word.endswith("men") and len(word) > 4:
        return word[:-3] + "man"
    if len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "zzes", "ches", "shes")):
        return word[:-2]
    return word[:-1]


def counted_head(counted: str | None) -> str | None:
    """The head noun of a counted phrase, as written: "battle tanks and armoured vehicles" →
    "tanks", "troops in the Rapid Reaction Force" → "troops"."""
    if not counted:
        return None
    first = counted.replace(", ", " and ").split(" and ")[0]
    words: list[str] = []
    for word in first.split():
        if word.lower() in PREPOSITIONS:
            break
        words.append(word)
    words = [w for w in words if _WORD.fullmatch(w.lower())]
    return words[-1] if words else None


def counted_kind(counted: str | None, vocabulary: CountedVocabulary | None = None) -> str | None:
    """What a claim counts, reduced to one word: its head noun, singular, with words for one
    kind of thing folded ("soldiers", "troops", "servicemen" → "troop")."""
    vocab = vocabulary or load_vocabulary()
    head = counted_head(counted)
    if head is None:
        return None
    word = singular(head, vocab)
    first = (counted or "").replace(", ", " and ").split(" and ")[0].lower().split()
    if len(first) >= 2:  # "service members", "military personnel"
        pair = f"{first[-2]} {singular(first[-1], vocab)}"
        if pair in vocab.kinds and first[-1] == head.lower():
            return vocab.kinds[pair]
    return vocab.kinds.get(word, word)


def plural(word: str) -> str:
    """A regular English plural, for search terms ("ally" → "allies", "troop" → "troops")."""
    if word.endswith("man"):
        return word[:-3] + "men"
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


def search_terms(query: str, vocabulary: CountedVocabulary | None = None) -> list[str]:
    """Words one of which a counted phrase contains when it counts what ``query`` names: every
    word for the same kind of thing, singular and plural, none containing another ("troops" →
    troop, soldier, serviceman, servicemen, personnel ...)."""
    vocab = vocabulary or load_vocabulary()
    text = " ".join(query.lower().split())
    if not text:
        return []
    words = text.split()
    base = " ".join([*words[:-1], singular(words[-1], vocab)])
    kind = vocab.kinds.get(base) or vocab.kinds.get(singular(words[-1], vocab))
    group = vocab.members.get(kind, (base,)) if kind else (base,)
    forms: set[str] = {text}
    for member in group:
        parts = member.split()
        forms.update([member, " ".join([*parts[:-1], plural(parts[-1])])])
        forms.update(p for p, s in vocab.plurals.items() if s == parts[-1] and len(parts) == 1)
    ordered = sorted(forms, key=lambda f: (len(f), f))
    terms: list[str] = []
    for form in ordered:  # "troop" finds "troops" too: keep the shortest forms only
        if not any(term in form for term in terms):
            terms.append(form)
    return terms
