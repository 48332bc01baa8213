"""Entities (storyline/analyze/entities.py): one entity per referent across surface forms, and
types checked against the gazetteer and stated roles. Fictional people and outlets; countries,
regions and platforms are real names the gazetteer knows."""

from __future__ import annotations

import pytest

from storyline.analyze.entities import EntityRegistry
from storyline.model import Article, Entity
from tests.analysis_corpus import analyse_texts

TEXTS: dict[str, str] = {
    "us": (
        "The US sent a letter on Monday. The United States will not back down, officials said. "
        "USA Today columnists disagreed, but the U.S. position is clear.\n\n"
        "Washington said on Tuesday it would reply. Delegates flew to Washington."
    ),
    "types": (
        "After the annexation of Crimea, the talks resumed. Talks between the Kestrian president, "
        "Aldo Ferrant, and his Varenian counterpart, Miguel Osterlund-Paz, were held. Ferrant "
        "said on his Twitter account that decisions are made by the interested State itself."
    ),
    "role_org": (
        "Varenian Foreign Minister Lucia Marvel-Ostrom met reporters in Tolvar. "
        "Prime Minister Edvin Rask's Harbour Unity Party won the vote."
    ),
    "surname_place": (
        "Senator Edda Brannick spoke on Monday.\n\n"
        "Tension is rising in the region Brannicks counterattack\n\n"
        "The Brannick campaign said the senator would not resign."
    ),
    "acronym": "The F.B.I. director resigned. The FBI said nothing more.",
    "family_first": (
        "Kim Jong-un, the North Korean leader, agreed to meet. Mr. Kim did not say when."
    ),
    "lowercase": "It happened around the corner from us, a witness said.",
    "countries_50": "Ministers from "
    + ", ".join(
        ["France", "Germany", "Italy", "Spain", "Poland", "Austria", "Belgium", "Greece"] * 6
        + ["Chile", "Peru"]
    )
    + " met in Lisbon.",
    "all_caps": "NATO WARNS RUSSIA OVER UKRAINE BUILD-UP AS STOLTENBERG MEETS ALLIES",
    "headline": "Kestria border: Varga, Stoltenberg, NATO",
}


@pytest.fixture(scope="module")
def analysed() -> dict[str, Article]:
    return analyse_texts(TEXTS)


def named(article: Article, name: str) -> Entity:
    matches = [e for e in article.entities if e.name == name]
    assert len(matches) == 1, (name, [(e.name, e.type) for e in article.entities])
    return matches[0]


def test_surface_forms_of_one_country_are_one_entity(analysed):
    article = analysed["us"]
    usa = named(article, "United States")
    assert {"US", "United States", "U.S."} <= set(usa.aliases)
    assert [e for e in article.entities if e.key == "country:USA"] == [usa]
    # "Washington said" speaks for the government; "flew to Washington" is the city
    said = [m for m in article.mentions if m.text == "Washington" and m.how == "metonymy"]
    assert [m.entity_id for m in said] == [usa.id]
    assert any(e.type == "GPE" and e.name == "Washington" for e in article.entities)


def test_a_platform_is_no_person_and_a_region_no_organisation(analysed):
    article = analysed["types"]
    assert named(article, "Twitter").type == "ORG"
    crimea = named(article, "Crimea")
    assert (crimea.type, crimea.country) == ("GPE", "UKR")


def test_a_name_stated_with_a_role_is_a_person(analysed):
    assert named(analysed["types"], "Miguel Osterlund-Paz").type == "PERSON"
    minister = named(analysed["role_org"], "Lucia Marvel-Ostrom")
    assert minister.type == "PERSON" and minister.roles == ["Varenian Foreign Minister"]
    party = [e for e in analysed["role_org"].entities if "Harbour Unity" in e.name]
    assert [e.type for e in party] == ["ORG"]  # after "Rask's": the party, not a person


def test_a_single_generic_word_is_no_entity(analysed):
    names = {e.name for e in analysed["types"].entities}
    assert "State" not in names and "state" not in names


def test_a_surname_tagged_as_a_place_joins_its_person(analysed):
    article = analysed["surname_place"]
    brannick = named(article, "Edda Brannick")
    assert "Brannicks" in brannick.aliases
    assert not any(e.type in {"GPE", "LOC"} for e in article.entities)


def test_a_dotted_acronym_is_the_organisation(analysed):
    article = analysed["acronym"]
    fbi = [e for e in article.entities if e.key == "org:fbi"]
    assert len(fbi) == 1 and fbi[0].type == "ORG"
    assert {"F.B.I.", "FBI"} <= set(fbi[0].aliases)
    assert not any(e.type == "GPE" for e in article.entities)


def test_a_family_name_written_first_names_the_person(analysed):
    article = analysed["family_first"]
    kim = named(article, "Kim Jong-un")
    assert "Kim" in kim.aliases
    assert [e.name for e in article.entities if e.type == "PERSON"] == ["Kim Jong-un"]


def test_a_lower_case_pronoun_is_no_country(analysed):
    assert not any(e.key == "country:USA" for e in analysed["lowercase"].entities)


def test_a_surname_alone_names_the_dominant_person_of_that_surname():
    registry = EntityRegistry()
    for _ in range(3):
        registry.add_person("person:donald marlow", "Donald Marlow")
    registry.add_person("person:edith marlow", "Edith Marlow")
    assert registry.person_for_surname("Marlow") == "person:donald marlow"
    registry.add_person("person:edith marlow", "Edith Marlow")
    assert registry.person_for_surname("Marlow") is None  # 3 to 2: ambiguous


def test_bad_input_gives_sensible_entities(analysed):
    fifty = analysed["countries_50"]
    countries = [e for e in fifty.entities if e.key and e.key.startswith("country:")]
    assert len(countries) == 10  # each country once, however often it is listed
    assert all(e.type == "GPE" for e in countries)
    caps = {e.key for e in analysed["all_caps"].entities}
    assert {"org:NATO", "country:RUS", "country:UKR"} <= caps
    assert any(e.type == "ORG" and e.name == "NATO" for e in analysed["headline"].entities)
