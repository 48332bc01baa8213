"""Places (storyline/analyze/places.py): geocoding offline, regions and US states, and places
grouped per article. Fictional villages and people; real countries, states and regions."""

from __future__ import annotations

import pytest

from storyline.analyze.places import group_places, load_geocoder
from storyline.model import Place, Span
from tests.analysis_corpus import analyse_texts

TEXTS: dict[str, str] = {
    "repeated": (
        "Russia moved troops. Russia denied it. The talks in Russia failed, and Russia said "
        "Russia would wait. Observers in Russia and in Moscow disagreed."
    ),
    "us_forms": "The US left. Officials in the USA said the U.S. would reply to the United States.",
    "region": "The annexation of Crimea was condemned in Brussels.",
    "state": "Storms hit Florida and Georgia on Monday; Tbilisi was spared.",
    "unknown": "Fishermen left Port Velmaris at dawn.",
    "countries_50": "Ministers from "
    + ", ".join(["France", "Germany", "Italy", "Spain", "Poland"] * 10)
    + " met in Lisbon.",
    "all_caps": "FLOODS IN GERMANY AND POLAND LEAVE THOUSANDS HOMELESS",
}


@pytest.fixture(scope="module")
def places() -> dict[str, list[Place]]:
    return {key: a.places for key, a in analyse_texts(TEXTS).items()}


def test_places_are_grouped_once_per_place_in_order_of_first_mention(places):
    groups = group_places(places["repeated"])
    assert [(g.first.name, g.mentions) for g in groups] == [("Russia", 6), ("Moscow", 1)]
    assert groups[0].first.country == "RUS" and groups[1].first.kind == "city"


def test_surface_forms_of_one_country_group_together(places):
    usa = [g for g in group_places(places["us_forms"]) if g.first.country == "USA"]
    assert len(usa) == 1
    assert {"US", "USA", "U.S.", "United States"} <= set(usa[0].surfaces)


def test_a_region_has_its_country_and_no_invented_coordinates(places):
    crimea = next(p for p in places["region"] if p.name == "Crimea")
    assert (crimea.kind, crimea.country, crimea.lat, crimea.lon) == ("region", "UKR", None, None)


def test_a_us_state_is_not_a_city_named_after_it(places):
    florida = next(p for p in places["state"] if p.name == "Florida")
    assert (florida.kind, florida.country) == ("region", "USA")
    georgia = next(p for p in places["state"] if p.name == "Georgia")
    assert (georgia.kind, georgia.country) == ("country", "GEO")  # the gazetteer's country


def test_an_unknown_place_is_kept_with_nothing_guessed(places):
    (port,) = places["unknown"]
    assert port.name == "Port Velmaris"
    assert (port.country, port.lat, port.lon, port.kind) == (None, None, None, None)


def test_a_city_keeps_its_name_against_a_state():
    geocoder = load_geocoder()
    new_york = geocoder.city("New York")
    assert new_york is not None and new_york.kind == "city"
    assert geocoder.city("Florida").kind == "region"  # type: ignore[union-attr]


def test_group_places_without_entities_groups_by_name_and_country():
    def place(start: int, name: str, country: str | None) -> Place:
        return Place(Span("a", start, start + len(name)), name, country, None, None)

    groups = group_places([place(0, "Velmaris", None), place(20, "velmaris", None)])
    assert [(g.mentions, g.surfaces) for g in groups] == [(2, ["Velmaris", "velmaris"])]
    assert group_places([]) == []


def test_bad_input_gives_sensible_places(places):
    groups = group_places(places["countries_50"])
    assert [(g.first.country, g.mentions) for g in groups] == [
        ("FRA", 10), ("DEU", 10), ("ITA", 10), ("ESP", 10), ("POL", 10), ("PRT", 1),
    ]  # fmt: skip
    caps = {p.country for p in places["all_caps"]}
    assert {"DEU", "POL"} <= caps
