"""The curated gazetteer (data/gazetteer.toml): countries, capitals, seats of government,
demonyms, international organisations, regions and role titles, as one lookup by folded name,
plus the words that are never a name alone and the family names written first.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from storyline.analyze.names import fold


@dataclass(frozen=True, slots=True)
class Known:
    """A name the gazetteer knows and what it stands for."""

    key: str  # canonical key: "country:RUS", "org:NATO", "city:RUS:moscow"
    name: str  # display name of what it stands for
    type: str  # GPE, ORG, NORP
    how: str  # name, alias, capital, seat, demonym, generic, region
    country: str | None = None  # ISO3 of the state concerned
    state_key: str | None = None  # for a capital: the key of its state (metonymy target)
    sector: str | None = None  # GOV, MIL, IGO ... for seats and organisations


@dataclass(frozen=True, slots=True)
class Role:
    """A role title ("foreign minister") with its sector, gender and whether it heads a body."""

    title: str
    sector: str
    gender: str
    head: bool


@dataclass(slots=True)
class Gazetteer:
    """Lookups built once from the data file."""

    names: dict[str, Known] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    org_heads: dict[str, str] = field(default_factory=dict)  # folded "nato secretary general"
    countries: dict[str, dict[str, Any]] = field(default_factory=dict)  # ISO3 → record
    pronouns: dict[str, str] = field(default_factory=dict)  # "he" → "m"
    honorifics: dict[str, str] = field(default_factory=dict)  # "mr" → "m"
    org_names: list[tuple[str, Known]] = field(default_factory=list)  # folded name, organisation
    not_names: frozenset[str] = frozenset()  # folded words never an entity alone ("state")
    family_first: frozenset[str] = frozenset()  # folded family names written first ("kim")

    def lookup(self, text: str) -> Known | None:
        """What a name stands for, if the gazetteer knows it."""
        return self.names.get(fold(text))

    def org_with_prefix(self, text: str) -> Known | None:
        """The organisation whose full name starts with ``text`` (3+ words), if exactly one."""
        folded = fold(text)
        if len(folded.split()) < 3:
            return None
        found = {
            known.key: known for name, known in self.org_names if name.startswith(folded + " ")
        }
        return next(iter(found.values())) if len(found) == 1 else None

    def role(self, text: str) -> Role | None:
        """The role a title names ("Secretary-General" → secretary general)."""
        return self.roles.get(fold(text))

    def _add(self, alias: str, known: Known) -> None:
        folded = fold(alias)
        if folded and folded not in self.names:
            self.names[folded] = known


def _load_countries(gaz: Gazetteer, countries: dict[str, Any]) -> None:
    for iso3, record in countries.items():
        key = f"country:{iso3}"
        name = record["name"]
        gaz.countries[iso3] = record
        gaz._add(name, Known(key, name, "GPE", "name", iso3))
        for alias in record.get("aliases", []):
            gaz._add(alias, Known(key, name, "GPE", "alias", iso3))
    # Second pass, so that a country's own name always wins over another's capital or demonym.
    for iso3, record in countries.items():
        key = f"country:{iso3}"
        name = record["name"]
        capital = record.get("capital")
        if capital:
            city_key = f"city:{iso3}:{fold(capital)}"
            for alias in [capital, *record.get("capital_aliases", [])]:
                gaz._add(alias, Known(city_key, capital, "GPE", "capital", iso3, key, "GOV"))
        for seat in record.get("seats", []):
            gaz._add(seat, Known(key, name, "GPE", "seat", iso3, key, "GOV"))
        for seat in record.get("seats_military", []):
            gaz._add(seat, Known(key, name, "GPE", "seat", iso3, key, "MIL"))
        for demonym in record.get("demonyms", []):
            gaz._add(demonym, Known(key, name, "NORP", "demonym", iso3))


def _load_orgs(gaz: Gazetteer, orgs: dict[str, Any]) -> None:
    for code, record in orgs.items():
        key = f"org:{code}"
        name = record.get("name", code)
        sector = record.get("kind", "IGO")
        for alias in [name, code, record.get("full_name", ""), *record.get("aliases", [])]:
            if alias:
                gaz._add(alias, Known(key, name, "ORG", "alias", None, None, sector))
        for title in record.get("head_titles", []):
            for alias in [name, code, *record.get("aliases", [])]:
                gaz.org_heads.setdefault(fold(f"{alias} {title}"), key)
    for code, record in orgs.items():
        for generic in record.get("generic", []):
            known = Known(f"org:{code}", record.get("name", code), "ORG", "generic")
            gaz.names.setdefault("generic:" + fold(generic), known)


@cache
def load_gazetteer() -> Gazetteer:
    """The packaged gazetteer, parsed once per process."""
    raw = resources.files("storyline.data").joinpath("gazetteer.toml").read_bytes()
    data = tomllib.loads(raw.decode("utf-8"))
    gaz = Gazetteer()
    _load_countries(gaz, data.get("country", {}))
    _load_orgs(gaz, data.get("org", {}))
    gaz.org_names = [(name, known) for name, known in gaz.names.items() if known.type == "ORG"]
    for region, iso3 in data.get("region", {}).items():
        gaz._add(region, Known(f"place:{fold(region)}", region, "GPE", "region", iso3 or None))
    names = data.get("names", {})
    gaz.not_names = frozenset(fold(word) for word in names.get("not_names", []))
    gaz.family_first = frozenset(fold(word) for word in names.get("family_name_first", []))
    for role in data.get("role", []):
        title = fold(role["title"])
        gaz.roles.setdefault(
            title,
            Role(title, role.get("sector", ""), role.get("gender", ""), bool(role.get("head"))),
        )
    for gender, words in data.get("pronoun_gender", {}).items():
        gaz.pronouns.update({word.casefold(): gender for word in words})
    for gender, words in data.get("honorific", {}).items():
        gaz.honorifics.update({fold(word): gender for word in words})
    return gaz
