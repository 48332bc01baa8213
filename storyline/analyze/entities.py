"""Entities: mentions found by spaCy and the gazetteer, tied into canonical entities.

Within an article, "Jens Stoltenberg", "Stoltenberg", "Mr Stoltenberg" and "the NATO chief" are one
person; "the Kremlin" and "Moscow" (as an actor) are Russia, with a note of the metonymy. Across
articles, an entity's id is a hash of its canonical key ("person:jens stoltenberg",
"country:RUS", "org:NATO"), so the same person gets the same id everywhere; a surname seen alone
joins the one person of that surname the registry already knows, if there is exactly one.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from storyline.analyze.entity_types import (
    DOTTED_ACRONYM,
    could_be_person,
    known_start,
    not_a_name,
    retype_known,
    strip_end,
    surname_meant,
)
from storyline.analyze.gazetteer import Gazetteer, Known, load_gazetteer
from storyline.analyze.names import clean_surface, fold, sound_key, stable_id
from storyline.analyze.nlp import Parsed
from storyline.analyze.places import Geocoder
from storyline.model import Entity, Mention, Span

if TYPE_CHECKING:
    from spacy.tokens import Span as SpacySpan
    from spacy.tokens import Token

NAME_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"}
ACTOR_DEPS = {"nsubj", "nsubjpass", "poss", "agent", "csubj"}
SMALL_WORDS = {"of", "the", "for", "and", "on", "in", "de", "du", "des", "la", "le"}
DATELINE_TAIL = re.compile(r"\s*(?:\([^)\n]{0,30}\)\s*)?(?:,[^—–\n]{0,40})?\s*[—–]")
DOMINANT = 3  # a surname alone names the person seen in this many times as many articles
MAX_MENTION_CHARS = 300  # longest mention looked back for when finding overlaps
ROLE_MODIFIER_DEPS = {"compound", "amod", "nmod", "poss", "npadvmod", "case"}


@dataclass(slots=True)
class Found:
    """A mention while it is being linked: where it is, what it names, and how it was tied."""

    start: int
    end: int
    text: str
    type: str
    root: Token | None
    key: str | None = None
    name: str | None = None
    how: str = "name"
    role: str | None = None
    note: str | None = None
    country: str | None = None


@dataclass(slots=True)
class EntityRegistry:
    """Entities known before this article, so a surname alone can join its full name."""

    surnames: dict[str, set[str]] = field(default_factory=dict)  # sound key of surname → keys
    names: dict[str, str] = field(default_factory=dict)  # person key → display name
    articles: dict[str, int] = field(default_factory=dict)  # person key → articles naming them

    def add_person(self, key: str, name: str) -> None:
        """Remember a person named in full, by surname, or by family name when the gazetteer
        says it is written first ("Kim Jong-un" is "Mr. Kim")."""
        words = name.split()
        if len(words) < 2:
            return
        family_first = fold(words[0]) in load_gazetteer().family_first
        self.names.setdefault(key, name)
        self.articles[key] = self.articles.get(key, 0) + 1
        self.surnames.setdefault(sound_key(words[0 if family_first else -1]), set()).add(key)

    def knows_surname(self, word: str) -> bool:
        """Whether some person named in full in an earlier article has this surname."""
        return bool(self.surnames.get(sound_key(word)))

    def person_for_surname(self, surname: str) -> str | None:
        """The one person of that surname, or the one named in at least ``DOMINANT`` times as
        many articles as any other ("Trump" alone is Donald Trump, not Melania Trump)."""
        keys = sorted(
            self.surnames.get(sound_key(surname), set()), key=lambda k: -self.articles.get(k, 0)
        )
        if len(keys) == 1:
            return keys[0]
        if len(keys) > 1 and self.articles[keys[0]] >= DOMINANT * self.articles[keys[1]]:
            return keys[0]
        return None


@dataclass
class ArticleEntities:
    """The result for one article: mentions in text order and the entities they name."""

    mentions: list[Mention]
    entities: list[Entity]
    found: list[Found]
    text: str = ""

    def __post_init__(self) -> None:
        self._names = {e.key: e.name for e in self.entities}
        self._by_start = sorted((f for f in self.found if f.key), key=lambda f: f.start)
        self._starts = [f.start for f in self._by_start]
        people = [f for f in self._by_start if (f.key or "").startswith("person:")]
        actors = [
            f
            for f in self._by_start
            if (f.key or "").split(":", 1)[0] in {"org", "country"} and f.how != "demonym"
        ]
        self._people = sorted(people, key=lambda f: f.end)
        self._people_ends = [f.end for f in self._people]
        self._actors = sorted(actors, key=lambda f: f.end)
        self._actor_ends = [f.end for f in self._actors]

    def at(self, start: int, end: int) -> Found | None:
        """The linked mention overlapping the character range, preferring the longest."""
        best: Found | None = None
        low = bisect_left(self._starts, start - MAX_MENTION_CHARS)
        for item in self._by_start[low : bisect_right(self._starts, end)]:
            overlaps = item.start < end and start < item.end
            if overlaps and (best is None or item.end - item.start > best.end - best.start):
                best = item
        return best

    def display(self, item: Found) -> str:
        """The canonical name of the entity a mention is linked to."""
        return self._names.get(item.key) or item.name or item.text

    def first_after(self, start: int, end: int) -> Found | None:
        """The first linked mention starting in [start, end) that names an actor (a person
        first, else an organisation or state; never a demonym)."""
        i = bisect_left(self._starts, start)
        candidates = []
        while i < len(self._by_start) and self._by_start[i].start < end:
            item = self._by_start[i]
            if item.how != "demonym":
                candidates.append(item)
            i += 1
        people = [c for c in candidates if (c.key or "").startswith("person:")]
        return (people or candidates or [None])[0]

    def persons_before(self, position: int) -> Iterator[Found]:
        """Person mentions (names and linked role nouns) ending before ``position``, nearest
        first."""
        last = bisect_right(self._people_ends, position)
        return (self._people[i] for i in range(last - 1, -1, -1))

    def actors_before(self, position: int) -> Iterator[Found]:
        """Organisation and state mentions ending before ``position``, nearest first."""
        last = bisect_right(self._actor_ends, position)
        return (self._actors[i] for i in range(last - 1, -1, -1))


def _trim(span: SpacySpan) -> tuple[int, int] | None:
    """Character range of an entity span without a leading "the" or a possessive ending."""
    tokens = [t for t in span if not (t.i == span.start and t.lower_ == "the")]
    while tokens and tokens[-1].tag_ == "POS":
        tokens.pop()
    while tokens and tokens[-1].is_punct:
        tokens.pop()
    if not tokens:
        return None
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)


def _role_before(name_start: Token, gaz: Gazetteer) -> str | None:
    """A role title written before a name: "NATO Secretary General [Jens Stoltenberg]"."""
    doc = name_start.doc
    i = name_start.i - 1
    first = name_start.i
    while i >= 0 and i >= name_start.sent.start:
        tok = doc[i]
        if tok.is_space or "\n" in tok.whitespace_ or tok.lower_ in {"the", "a", "an"}:
            break
        if tok.is_punct and tok.text not in {"-", "’s", "'s"}:
            break
        if tok.pos_ in {"VERB", "AUX", "ADP", "PRON", "NUM", "CCONJ", "SCONJ"}:
            break
        first = i
        i -= 1
    if first == name_start.i:
        return None
    words = doc[first : name_start.i]
    return _role_in(words.text, gaz)


def _role_in(phrase: str, gaz: Gazetteer) -> str | None:
    """``phrase`` if some ending of it is a known role title ("allied secretary general")."""
    words = fold(phrase).split()
    for begin in range(len(words)):
        for end in range(len(words), begin, -1):
            if gaz.roles.get(" ".join(words[begin:end])):
                return re.sub(r"^(?:a|an)\s+", "", clean_surface(phrase), flags=re.IGNORECASE)
    return None


def _role_after(span: SpacySpan, gaz: Gazetteer) -> str | None:
    """An appositive role: "Jens Stoltenberg, NATO's secretary general," or the reverse."""
    root = span.root
    for child in root.children:
        if child.dep_ == "appos" and child.i >= span.end:
            sub = child.doc[child.left_edge.i : child.right_edge.i + 1]
            role = _role_in(sub.text, gaz)
            if role:
                return role
    if root.dep_ == "appos" and root.head.i < span.start:
        head = root.head
        sub = head.doc[head.left_edge.i : head.i + 1]
        return _role_in(sub.text, gaz)
    return None


def _collect(parsed: Parsed, gaz: Gazetteer) -> list[Found]:
    """Every candidate mention in text order: named entities, curated names, role nominals."""
    found: list[Found] = []
    for chunk in parsed.chunks:
        doc, offset = chunk.doc, chunk.offset
        in_entity: set[int] = set()
        for ent in doc.ents:
            if ent.label_ not in NAME_LABELS:
                continue
            in_entity.update(range(ent.start, ent.end))
            trimmed = _trim(ent)
            if trimmed is None:
                continue
            start, end = trimmed
            end = start + len(strip_end(parsed.text[start + offset : end + offset]))
            text = parsed.text[start + offset : end + offset]
            item = Found(start + offset, end + offset, text, ent.label_, ent.root)
            if ent.label_ == "PERSON" or could_be_person(ent, text, gaz):
                roles = [r for r in (_role_before(ent[0], gaz), _role_after(ent, gaz)) if r]
                item.role = "; ".join(roles) or None  # "Colonel; its spokesman"
                if item.role:  # "Cuban President Miguel Díaz-Canel" tagged ORG: a person
                    item.type = "PERSON"
            found.append(item)
        found.extend(_gazetteer_hits(doc, offset, gaz, in_entity))
        found.extend(_role_nominals(doc, offset, gaz))
    found.sort(key=lambda f: (f.start, -f.end))
    return found


def _gazetteer_hits(doc: object, offset: int, gaz: Gazetteer, taken: set[int]) -> list[Found]:
    """Curated names spaCy missed: "the Kremlin", "the Alliance", "Pentagon"."""
    hits: list[Found] = []
    tokens = list(doc)  # type: ignore[call-overload]
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if i in taken or not (tok.is_title or tok.is_upper) or not tok.is_alpha:
            i += 1
            continue
        matched = 0
        for size in (4, 3, 2, 1):
            if i + size > len(tokens) or any(j in taken for j in range(i, i + size)):
                continue
            span = doc[i : i + size]  # type: ignore[index]
            known = gaz.names.get(fold(span.text))
            generic = gaz.names.get("generic:" + fold(span.text)) if size == 1 else None
            if known and known.how in {"seat", "alias", "name"}:
                words = strip_end(span.text)  # a token may keep its comma: "France,"
                start = span.start_char + offset
                hits.append(Found(start, start + len(words), words, known.type, span.root))
                matched = size
                break
            if generic and i > 0 and tokens[i - 1].lower_ == "the":
                hits.append(
                    Found(
                        span.start_char + offset,
                        span.end_char + offset,
                        span.text,
                        "ORG",
                        span.root,
                        how="generic",
                    )
                )
                matched = size
                break
        i += matched or 1
    return hits


def _role_nominals(doc: object, offset: int, gaz: Gazetteer) -> list[Found]:
    """Definite descriptions of a person by role: "the spokesman", "the NATO chief"."""
    hits: list[Found] = []
    for chunk in doc.noun_chunks:  # type: ignore[attr-defined]
        if chunk[0].lower_ != "the" or chunk.root.ent_type_ in {"PERSON"}:
            continue
        if chunk.root.pos_ != "NOUN" and not chunk.root.is_title:
            continue
        words = chunk[1:]
        if not len(words) or len(words) > 6:
            continue
        tail2 = fold(doc[max(chunk.root.i - 1, chunk.start + 1) : chunk.root.i + 1].text)  # type: ignore[index]
        role = gaz.roles.get(tail2) or gaz.roles.get(fold(chunk.root.text))
        if role is None or chunk.root.tag_ in {"NNS", "NNPS"}:
            continue
        hits.append(
            Found(
                words.start_char + offset,
                words.end_char + offset,
                words.text,
                "ROLE",
                chunk.root,
                how="role",
                role=words.text,
            )
        )
    return hits


def _strip_honorific(name: str, gaz: Gazetteer) -> str:
    words = name.split()
    if len(words) > 1 and fold(words[0]) in gaz.honorifics:
        return " ".join(words[1:])
    return name


def is_dateline(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is an upper-case place opening a paragraph, then a dash:
    "OSLO —", "TOLVAR, Feb 15 (MPA) —"."""
    at_start = start == 0 or text[start - 1] == "\n"
    return at_start and text[start:end].isupper() and bool(DATELINE_TAIL.match(text, end))


def _link_known(item: Found, known: Known, geocoder: Geocoder, text: str) -> None:
    """Tie a mention the gazetteer knows, noting metonymy ("the Kremlin" speaks for Russia)."""
    item.country = known.country
    if known.how == "seat" and known.state_key:
        item.key, item.name, item.how = known.state_key, known.name, "metonymy"
        item.note = f"seat of government standing for its state ({known.sector or 'GOV'})"
        return
    if known.how == "capital" and known.state_key:
        if (
            item.root is not None
            and item.root.dep_ in ACTOR_DEPS
            and not is_dateline(text, item.start, item.end)
        ):
            state = geocoder.country(known.country or "")
            item.key, item.name, item.how = known.state_key, state.name, "metonymy"
            item.note = "capital standing for its state"
            return
        hit = geocoder.city(known.name, {known.country} if known.country else set())
        item.key = f"place:{hit.geonames_id}" if hit else f"place:{fold(known.name)}"
        item.name, item.how = known.name, "gazetteer"
        return
    if known.how == "demonym":
        item.key, item.name, item.how = known.key, known.name, "demonym"
        return
    item.key, item.name = known.key, known.name
    item.how = "name" if fold(item.text) == fold(known.name) else "gazetteer"


def _surnames(found: list[Found], gaz: Gazetteer) -> set[str]:
    """Sound keys of the last words of full person names in the article."""
    keys = set()
    for item in found:
        if item.type == "PERSON":
            words = _strip_honorific(clean_surface(item.text), gaz).split()
            if len(words) > 1:
                keys.add(sound_key(words[-1]))
    return keys


def _link_names(
    found: list[Found],
    gaz: Gazetteer,
    geocoder: Geocoder,
    text: str,
    registry: EntityRegistry,
) -> None:
    countries = {f.country for f in found if f.country}
    surnames = _surnames(found, gaz)
    orgs_named = {k.key for f in found if (k := gaz.lookup(f.text)) and k.type == "ORG"}
    for item in found:
        if item.type == "ROLE":
            continue
        if not any(ch.isalpha() for ch in item.text):
            continue  # "01.25.2022" tagged as a name by the model
        generic = gaz.names.get("generic:" + fold(item.text))
        if generic and (item.how == "generic" or item.type == "ORG"):
            if generic.key in orgs_named:
                item.key, item.name, item.how = generic.key, generic.name, "gazetteer"
            continue
        if not_a_name(item, gaz):
            continue
        known = gaz.lookup(item.text) or known_start(item, gaz)
        surname = None if known else surname_meant(item, surnames, registry, geocoder)
        if surname is not None:  # a surname the model took for an organisation or place
            item.type, item.name = "PERSON", surname
            continue
        if known and (item.type != "PERSON" or len(item.text.split()) == 1):
            if known.how == "demonym" and item.type not in {"NORP", "GPE"}:
                continue
            _link_known(item, known, geocoder, text)
            retype_known(item, known)
            if item.country:
                countries.add(item.country)
            continue
        if item.type in {"GPE", "LOC"} and DOTTED_ACRONYM.fullmatch(clean_surface(item.text)):
            item.type = "ORG"  # "the F.B.I." tagged as a place
        _link_unknown(item, gaz, geocoder, countries)


def _link_unknown(item: Found, gaz: Gazetteer, geocoder: Geocoder, countries: set[str]) -> None:
    """Key a name the gazetteer does not know: groups, organisations, geocoded places."""
    if item.type == "NORP":
        item.key, item.name = f"group:{fold(item.text)}", clean_surface(item.text)
    elif item.type == "ORG":
        longer = gaz.org_with_prefix(item.text)
        if longer is not None:  # "Organization for Security and Co-operation" cut short
            item.key, item.name, item.how = longer.key, longer.name, "gazetteer"
        else:
            item.key, item.name = f"org:{fold(item.text)}", clean_surface(item.text)
    elif item.type in {"GPE", "LOC", "FAC"}:
        hit = geocoder.city(item.text, countries) if item.type != "FAC" else None
        if hit:
            item.key, item.name, item.country = (
                f"place:{hit.geonames_id}",
                hit.name,
                hit.country,
            )
            item.how = "name" if fold(hit.name) == fold(item.text) else "gazetteer"
        else:
            item.key, item.name = f"place:{fold(item.text)}", clean_surface(item.text)


def _link_people(found: list[Found], gaz: Gazetteer, registry: EntityRegistry) -> None:
    people = [f for f in found if f.type == "PERSON" and f.key is None]
    full: dict[str, list[Found]] = {}  # surname sound key → full-name mentions
    family: dict[str, list[Found]] = {}  # family name written first → full-name mentions
    for item in people:
        name = item.name or _strip_honorific(clean_surface(item.text), gaz)
        item.name = name
        if len(name.split()) > 1:
            item.key = f"person:{sound_key(name)}"
            full.setdefault(sound_key(name.split()[-1]), []).append(item)
            if fold(name.split()[0]) in gaz.family_first:  # "Kim Jong-un" is "Mr. Kim"
                family.setdefault(sound_key(name.split()[0]), []).append(item)
    for item in people:
        if item.key is not None or not item.name:
            continue
        same = full.get(sound_key(item.name), []) or family.get(sound_key(item.name), [])
        if not same and len(item.name) > 3 and item.name.endswith("s"):
            same = full.get(sound_key(item.name[:-1]), [])  # "Bidens counterattack"
        if same:
            nearest = min(same, key=lambda f: abs(f.start - item.start))
            item.key, item.how = nearest.key, "short name"
            continue
        known = registry.person_for_surname(item.name)
        if known:
            item.key, item.how = known, "short name"
        else:
            item.key = f"person:{sound_key(item.name)}"


def _surname_sweep(parsed: Parsed, found: list[Found]) -> list[Found]:
    """Surnames the model did not tag ("…,” Stoltenberg told …) once the article has named the
    person in full: they become mentions of that person."""
    full: dict[str, Found] = {}
    for item in found:
        if item.type == "PERSON" and item.key and item.name and len(item.name.split()) > 1:
            full.setdefault(sound_key(item.name.split()[-1]), item)
    if not full:
        return []
    covered = bytearray(len(parsed.text) + 1)
    for item in found:
        covered[item.start : item.end] = b"\x01" * (item.end - item.start)
    added = []
    for chunk in parsed.chunks:
        for token in chunk.doc:
            start = token.idx + chunk.offset
            if token.pos_ != "PROPN" or not token.is_title or covered[start]:
                continue
            person = full.get(sound_key(token.text))
            if person is not None:
                end = start + len(token.text)
                added.append(
                    Found(start, end, token.text, "PERSON", token, person.key, person.name,
                          "short name")
                )  # fmt: skip
    return added


def _link_acronyms(found: list[Found]) -> None:
    orgs = [f for f in found if f.type == "ORG" and f.key and f.key.startswith("org:")]
    by_initials: dict[str, str] = {}
    for item in orgs:
        words = [w for w in clean_surface(item.text).split() if w.lower() not in SMALL_WORDS]
        if len(words) > 1:
            by_initials.setdefault("".join(w[0] for w in words).upper(), item.key or "")
    for item in orgs:
        text = clean_surface(item.text)
        if text.isupper() and text in by_initials and by_initials[text] != item.key:
            item.key, item.how = by_initials[text], "acronym"


def _role_title(role: str, gaz: Gazetteer) -> str | None:
    words = fold(role).split()
    for size in range(len(words), 0, -1):
        for begin in range(len(words) - size + 1):
            title = " ".join(words[begin : begin + size])
            if title in gaz.roles:
                return title
    return None


@dataclass(slots=True)
class _Holder:
    """A person with a stated role, and where the article names them."""

    person: Found
    role: str  # folded
    title: str | None
    starts: list[int]


def _holders(people: list[Found], gaz: Gazetteer) -> list[_Holder]:
    by_key: dict[tuple[str, str], _Holder] = {}
    for person in people:
        if not person.role:
            continue
        role = fold(person.role)
        holder = by_key.get((person.key or "", role))
        if holder is None:
            holder = _Holder(person, role, _role_title(person.role, gaz), [])
            by_key[(person.key or "", role)] = holder
        holder.starts.append(person.start)
    return list(by_key.values())


def _closest(holders: list[_Holder], position: int) -> _Holder:
    def distance(holder: _Holder) -> int:
        before = [position - s for s in holder.starts if s < position]
        return min(before) if before else min(abs(s - position) for s in holder.starts) + 10**9

    return min(holders, key=distance)


def _countries_in(words: list[str], gaz: Gazetteer) -> set[str]:
    found = set()
    for word in words:
        known = gaz.names.get(word)
        if known is not None and known.country and known.how in {"demonym", "name", "alias"}:
            found.add(known.country)
    return found


def _compatible(nominal: str, role: str, gaz: Gazetteer) -> bool:
    """Whether a description ("the former Norwegian prime minister") can name the holder of
    ``role`` (folded): not when one is "former" and the other not, or their countries differ."""
    n_words, r_words = nominal.split(), role.split()
    if ("former" in n_words) != ("former" in r_words):
        return False
    n_countries, r_countries = _countries_in(n_words, gaz), _countries_in(r_words, gaz)
    return not (n_countries and r_countries and not n_countries & r_countries)


def _link_roles(found: list[Found], gaz: Gazetteer) -> None:
    """Tie "the spokesman" to the person who holds that role, else to the nearest person."""
    people = [f for f in found if f.type == "PERSON" and f.key]
    holders = _holders(people, gaz)
    ends = [p.end for p in people]  # people are in text order
    for item in found:
        if item.type != "ROLE":
            continue
        title = _role_title(item.role or "", gaz)
        if title is None:
            continue
        nominal = fold(item.role or "")
        fits = [h for h in holders if _compatible(nominal, h.role, gaz)]
        matched = [h for h in fits if f" {title} " in f" {h.role} "]
        if not matched and gaz.roles[title].head:
            qualifiers = set(fold(item.role or "").split()) - set(title.split())
            matched = [
                h for h in fits
                if h.title and gaz.roles[h.title].head and qualifiers & set(h.role.split())
            ]  # fmt: skip
        if matched:
            chosen = _closest(matched, item.start).person
            item.key, item.name, item.how = chosen.key, chosen.name, "role"
            continue
        last = bisect_right(ends, item.start)
        nearby = None
        for person in reversed(people[max(0, last - 20) : last]):
            if item.start - person.end >= 600:
                break
            role = fold(person.role or "")
            if not role or (_role_title(role, gaz) == title and _compatible(nominal, role, gaz)):
                nearby = person
                break
        chosen = nearby or (people[0] if last > 0 else None)
        if chosen is not None:
            item.key, item.name, item.how = chosen.key, chosen.name, "role (nearest person)"


def _entity_type(key: str, mentions: list[Found]) -> str:
    prefix = key.split(":", 1)[0]
    if prefix == "place":
        return "LOC" if all(m.type == "LOC" for m in mentions) else "GPE"
    return {"person": "PERSON", "country": "GPE", "org": "ORG", "group": "NORP"}.get(prefix, "ORG")


def _display_name(key: str, mentions: list[Found]) -> str:
    named = [m.name for m in mentions if m.name and m.how not in {"role", "role (nearest person)"}]
    if not named:
        named = [m.name or m.text for m in mentions]
    if key.startswith("person:"):
        return max(named, key=lambda n: (len(n.split()), named.count(n), n))
    return max(named, key=lambda n: (named.count(n), n))


def find_entities(
    parsed: Parsed,
    article_id: str,
    gaz: Gazetteer,
    geocoder: Geocoder,
    registry: EntityRegistry | None = None,
) -> ArticleEntities:
    """Mentions and canonical entities of one parsed article."""
    registry = registry or EntityRegistry()
    found = _collect(parsed, gaz)
    _link_names(found, gaz, geocoder, parsed.text, registry)
    _link_people(found, gaz, registry)
    found = sorted(found + _surname_sweep(parsed, found), key=lambda f: (f.start, -f.end))
    _link_acronyms(found)
    _link_roles(found, gaz)
    linked = [f for f in found if f.key]
    groups: dict[str, list[Found]] = {}
    for item in linked:
        groups.setdefault(item.key or "", []).append(item)
    entities: list[Entity] = []
    for key, items in groups.items():
        name = max(_display_name(key, items), registry.names.get(key, ""), key=len)
        aliases = sorted(
            {clean_surface(i.text) for i in items if i.how not in {"role (nearest person)"}}
        )
        roles = sorted({i.role for i in items if i.role and i.type == "PERSON"})
        country = next((i.country for i in items if i.country), None)
        entity = Entity(
            stable_id(key), name, _entity_type(key, items), aliases, roles, country, key
        )
        entities.append(entity)
        if entity.type == "PERSON":
            registry.add_person(key, name)
    mentions = [
        Mention(
            Span(article_id, f.start, f.end),
            f.text,
            stable_id(f.key or ""),
            "PERSON" if f.type == "ROLE" else f.type,
            f.how,
            f.role,
            f.note,
        )
        for f in linked
    ]
    return ArticleEntities(mentions, entities, linked, parsed.text)
