"""Analyze stage: event actors as codes: a country (ISO 3166-1 alpha-3), an organisation, and a
sector (GOV, MIL, IGO, OPP, REB ...), CAMEO style.

An actor comes from the entity layer, never from the words alone: "Russia" is RUS; "the Kremlin"
is RUS GOV (a seat of government, from the gazetteer); "NATO" is the organisation NATO (IGO);
a person is coded by the role the article gives them ("Kremlin spokesman" → RUS GOV, "NATO
Secretary General" → NATO); "Russian troops" is RUS MIL (a demonym with a sector noun). Generic
groups without a country ("police", "rebels") keep their sector alone. Pronouns and unnamed
people give no actor: nothing is guessed.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from spacy.tokens import Token

from storyline.analyze.entities import ArticleEntities, Found
from storyline.analyze.gazetteer import Gazetteer, load_gazetteer
from storyline.analyze.names import fold
from storyline.model import Actor, Span


@dataclass(frozen=True, slots=True)
class ActorData:
    """storyline/data/actors.toml: sector codes and nouns, groups and office holders."""

    sectors: frozenset[str]
    nouns: dict[str, str]  # lemma → sector
    alone: frozenset[str]  # lemmas that name a group without a country ("police")
    groups: dict[str, str]  # folded name → code
    holders: dict[str, list[tuple[str, int, int]]]  # folded name → (code, first, last year)


@cache
def load_actor_data() -> ActorData:
    """The packaged actor data, parsed once per process."""
    raw = resources.files("storyline.data").joinpath("actors.toml").read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    nouns: dict[str, str] = {}
    alone: set[str] = set()
    for record in data["noun"]:
        for lemma in record["lemmas"]:
            nouns[lemma] = record["sector"]
            if record.get("alone", True):
                alone.add(lemma)
    groups = {fold(name): g["code"] for g in data["group"] for name in g["names"]}
    holders: dict[str, list[tuple[str, int, int]]] = {}
    for h in data["holder"]:
        for name in h["names"]:
            holders.setdefault(fold(name), []).append((h["code"], h["years"][0], h["years"][1]))
    return ActorData(frozenset(data["sector"]), nouns, frozenset(alone), groups, holders)


SECTOR_NOUNS = load_actor_data().nouns  # "Russian troops" → MIL, "the Ukrainian government" → GOV


@dataclass(slots=True)
class _Affiliation:
    base: str | None  # ISO3 or organisation code
    country: str | None
    sector: str | None
    via: str


def _code(base: str | None, sector: str | None) -> str | None:
    if base is None:
        return sector
    if sector is None or sector == "IGO" or base.isalpha() is False:
        return base
    return base + sector if len(base) == 3 and base.isupper() else base


def _in_words(text: str, gaz: Gazetteer) -> _Affiliation | None:
    """The country, seat or organisation named inside a role ("Kremlin spokesman", "Russian
    foreign minister", "NATO Secretary General"), with the role title's sector."""
    folded = fold(text)
    head = gaz.org_heads.get(folded)
    if head is None:
        head = next((k for name, k in gaz.org_heads.items() if folded.endswith(name)), None)
    if head is not None:
        return _Affiliation(head.split(":", 1)[1], None, "IGO", f"role: {text}")
    words = folded.split()
    sector = _title_sector(words, gaz)
    for size in (3, 2, 1):
        for begin in range(len(words) - size + 1):
            known = gaz.names.get(" ".join(words[begin : begin + size]))
            if known is None:
                continue
            kind, _, code = known.key.partition(":")
            if kind == "country" or known.how in {"seat", "capital"}:
                country = known.country
                return _Affiliation(country, country, known.sector or sector, f"role: {text}")
            if kind == "org":
                return _Affiliation(code, None, known.sector or "IGO", f"role: {text}")
    if sector:
        return _Affiliation(None, None, sector, f"role: {text}")
    return None


def _title_sector(words: list[str], gaz: Gazetteer) -> str | None:
    for size in range(len(words), 0, -1):
        for begin in range(len(words) - size + 1):
            role = gaz.roles.get(" ".join(words[begin : begin + size]))
            if role is not None and role.sector:
                return role.sector
    return None


def actor_of(
    found: Found, ents: ArticleEntities, article_id: str, head_noun: str | None = None
) -> Actor | None:
    """The actor a linked mention stands for (``head_noun``: the noun it modifies, as in
    "Russian troops"); None when it is not a state, an organisation or a person with a role."""
    gaz = load_gazetteer()
    kind, _, code = (found.key or "").partition(":")
    sector = SECTOR_NOUNS.get(head_noun or "")
    entity = next((e for e in ents.entities if e.key == found.key), None)
    name = ents.display(found)
    span = Span(article_id, found.start, found.end)
    entity_id = entity.id if entity else None
    if kind == "country":
        if found.how in {"metonymy", "seat"}:
            known = gaz.lookup(found.text)
            sector = (known.sector if known else None) or sector or "GOV"
            via = f"seat: {found.text}"
        else:
            via = "demonym" if found.how == "demonym" else "name"
        return Actor(name, _code(code, sector), code, sector, entity_id, span, via)
    if kind == "org":
        known = gaz.lookup(found.text) or gaz.lookup(name)
        if known is not None and known.key == found.key:
            return Actor(name, code, None, known.sector or "IGO", entity_id, span, "name")
        # Not a curated organisation: coded by a state and sector named in it ("US Treasury",
        # "Russian Defence Ministry"), else kept by name with no code rather than a made-up one.
        inside = _in_words(name, gaz)
        if inside is not None and inside.country:
            code_ = _code(inside.country, inside.sector or _sector_in(name))
            sector = inside.sector or _sector_in(name)
            return Actor(name, code_, inside.country, sector, entity_id, span, f"name: {name}")
        return Actor(name, None, None, _sector_in(name), entity_id, span, "name, not coded")
    if kind == "city" and found.how == "capital":
        known = gaz.lookup(found.text)
        country = known.country if known else None
        return Actor(name, _code(country, "GOV"), country, "GOV", entity_id, span, "capital")
    if kind == "person":
        roles = [found.role] if found.role else []
        roles += entity.roles if entity else []
        for role in roles:
            affiliation = _in_words(role, gaz)
            if affiliation is not None:
                code_ = _code(affiliation.base, affiliation.sector)
                return Actor(
                    name,
                    code_,
                    affiliation.country,
                    affiliation.sector,
                    entity_id,
                    span,
                    affiliation.via,
                )
        return None  # a person with no known role: no code to give
    return None


def _sector_in(name: str) -> str | None:
    """The sector a body's own name says ("Treasury", "Defence Ministry", "Army")."""
    for word in reversed(fold(name).split()):
        sector = SECTOR_NOUNS.get(word) or SECTOR_NOUNS.get(word.rstrip("s"))
        if sector:
            return sector
    return None


def generic_actor(token: Token, offset: int, article_id: str) -> Actor | None:
    """A group named by a sector noun alone ("police", "rebels", "protesters")."""
    lemma = token.lemma_.lower()
    sector = SECTOR_NOUNS.get(lemma)
    if sector is None or lemma not in load_actor_data().alone:
        return None  # "officials" alone says nothing of whose
    start = offset + token.idx
    span = Span(article_id, start, start + len(token.text))
    return Actor(token.text, sector, None, sector, None, span, "sector noun")


def listed_actor(name: str, year: int | None, entity_id: str | None, span: Span) -> Actor | None:
    """A group or office holder of the actor data named ``name`` ("Hamas", "Obama" while in
    office in ``year``; any year when it is not known)."""
    data = load_actor_data()
    folded = fold(name)
    code = data.groups.get(folded)
    via = "actor data: group"
    if code is None:
        terms = data.holders.get(folded, [])
        code = next((c for c, first, last in terms if year is None or first <= year <= last), None)
        via = "actor data: office holder"
    if code is None:
        return None
    country, sector = _split_code(code, data)
    return Actor(name, code, country, sector, entity_id, span, via)


def _split_code(code: str, data: ActorData) -> tuple[str | None, str | None]:
    if code in data.sectors:
        return None, code
    if len(code) == 6 and code[3:] in data.sectors:
        return code[:3], code[3:]
    return None, "IGO"


def known_actor_code(code: str) -> bool:
    """Whether ``code`` is an actor code storyline can give: a country of the gazetteer
    (alone or with a sector: RUS, RUSGOV), an organisation key (NATO, UNICEF) or a sector."""
    wanted = code.strip().upper()
    data = load_actor_data()
    gaz = load_gazetteer()
    if wanted in data.sectors or wanted in gaz.countries:
        return True
    if len(wanted) == 6 and wanted[:3] in gaz.countries and wanted[3:] in data.sectors:
        return True
    orgs = {k.key.partition(":")[2] for k in gaz.names.values() if k.key.startswith("org:")}
    return wanted in orgs or wanted in set(data.groups.values())


def unknown_code_message(code: str) -> str:
    """One line saying why ``code`` is refused and what an actor code looks like."""
    return (
        f"unknown actor code {code!r}: use a country (ISO 3166 alpha-3 such as RUS, optionally "
        "with a sector: RUSGOV, RUSMIL), an organisation (NATO, UN, EU ...) or a sector (REB, CVL)"
    )
