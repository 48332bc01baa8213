"""Political events coded from sentences (real states, invented happenings), with real spaCy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import storyline
from storyline.analyze.events import MAX_PARTIES, load_ontology
from storyline.model import Article, Event

PUBLISHED = datetime(2031, 5, 15, 9, 0, tzinfo=UTC)  # a Thursday


def _events(text: str) -> list[Event]:
    return storyline.analyze(text, published=PUBLISHED).events


def _triples(text: str) -> list[tuple[str | None, str, str | None]]:
    return [
        (e.actor.code if e.actor else None, e.plover, e.target.code if e.target else None)
        for e in _events(text)
    ]


def test_a_warning_by_an_organisation_head_is_the_organisation_threatening() -> None:
    text = "NATO Secretary General Jens Stoltenberg warned Russia of severe costs."
    (event,) = _events(text)
    assert (event.actor.code, event.plover, event.target.code) == ("NATO", "THREATEN", "RUS")
    assert event.actor.via and "Secretary General" in event.actor.via
    assert event.cameo == "130" and event.goldstein == pytest.approx(-4.4)
    assert text[event.trigger.start : event.trigger.end] == "warned"
    assert (event.span.start, event.span.end) == (0, len(text))
    assert event.text == text and event.date == "2031-05-15"
    assert event.date_derivation == "publication day"


def test_concern_about_a_decision_and_the_alert_it_describes() -> None:
    text = (
        "The Kremlin expressed concern about the US decision to put 8,500 soldiers on high alert."
    )
    events = {e.plover: e for e in _events(text)}
    assert events.keys() == {"ACCUSE", "MOBILIZE"}
    concern, alert = events["ACCUSE"], events["MOBILIZE"]
    assert (concern.actor.code, concern.target.code, concern.mode) == (
        "RUSGOV",
        "USA",
        "disapprove",
    )
    assert concern.actor.via == "seat: Kremlin"
    assert (alert.actor.code, alert.target, alert.mode, alert.cameo) == (
        "USA",
        None,
        "alert",
        "152",
    )


def test_a_role_in_another_sentence_codes_the_spokesman() -> None:
    text = (
        "Kremlin spokesman Dmitry Peskov spoke to reporters on Monday. Peskov rejected the "
        "proposal from Washington."
    )
    (event,) = _events(text)
    assert (event.actor.name, event.actor.code, event.plover) == (
        "Dmitry Peskov",
        "RUSGOV",
        "REJECT",
    )


def test_dates_and_places_come_from_the_sentence() -> None:
    (event,) = _events("Police arrested 20 protesters in Minsk on Tuesday.")
    assert (event.actor.code, event.plover, event.target.code) == ("COP", "COERCE", "CVL")
    assert event.date == "2031-05-13"  # the Tuesday before publication, from the sentence
    assert event.date_derivation != "publication day"
    assert (event.place, event.place_country) == ("Minsk", "BLR")


def test_each_member_of_a_short_list_is_coded_and_a_long_list_once() -> None:
    assert _triples("The United States and Britain imposed sanctions on Russia.") == [
        ("USA", "SANCTION", "RUS"),
        ("GBR", "SANCTION", "RUS"),
    ]
    many = ["France", "Germany", "Italy", "Spain", "Poland", "Austria", "Belgium", "Sweden"]
    assert len(many) > MAX_PARTIES
    text = f"{', '.join(many[:-1])} and {many[-1]} condemned Iran."
    events = _events(text)
    assert [(e.actor.code, e.target.code) for e in events] == [("FRA", "IRN")]
    assert events[0].note and "list of 8" in events[0].note


@pytest.mark.parametrize(
    ("text", "negated", "hypothetical"),
    [
        ("Russian troops did not attack Ukraine.", True, False),
        ("Turkey would impose sanctions on Syria, the minister said.", False, True),
        ("If Egypt sanctioned Sudan, trade would suffer.", False, True),
        ("China threatened to blockade Taiwan.", False, True),
    ],
)
def test_negated_and_hypothetical_events_are_marked(
    text: str, negated: bool, hypothetical: bool
) -> None:
    marked = [e for e in _events(text) if e.plover != "THREATEN"]
    assert marked, text
    assert all((e.negated, e.hypothetical) == (negated, hypothetical) for e in marked)


def test_a_threat_itself_happened() -> None:
    (threat,) = [
        e for e in _events("China threatened to blockade Taiwan.") if e.plover == "THREATEN"
    ]
    assert threat.actor.code == "CHN" and not threat.hypothetical and not threat.negated


@pytest.mark.parametrize(
    "text",
    [
        "He met her in the garden.",  # no actors: pronouns are not guessed
        "A spokesman said the weather was cold.",  # no cue
        "Sanctions, talks and warnings: a week in Brussels",  # a headline without a verb
        "",
    ],
)
def test_sentences_without_actors_or_cues_code_nothing(text: str) -> None:
    assert _events(text) == []


def test_an_event_inside_a_quote_is_marked_as_told_by_its_speaker() -> None:
    text = '"Turkey attacked our border posts," Interior Minister Omar Haddad of Syria said.'
    (event,) = [e for e in _events(text) if e.plover == "ASSAULT"]
    assert event.quoted and event.actor.code == "TUR"


def test_the_table_maps_every_cue_to_a_known_plover_type_and_cameo_code() -> None:
    table = load_ontology()
    cues = [c for cues in table.verbs.values() for c in cues] + list(table.nouns.values())
    assert len(cues) > 60
    for cue in cues:
        assert cue.plover in table.plover, cue
        value = table.goldstein(cue.cameo)
        assert -10 <= value <= 10
        roots = table.plover[cue.plover]["cameo"]
        assert any(cue.cameo.startswith(root) for root in roots), cue  # type: ignore[union-attr]
    with pytest.raises(KeyError):
        table.goldstein("99")


def test_events_survive_the_store(tmp_path) -> None:
    sl = storyline.Storyline(f"sqlite:///{tmp_path / 'events.db'}")
    article: Article = storyline.analyze(
        "Finland moved troops to its eastern border. Norway criticised Denmark over quotas.",
        published=PUBLISHED,
    )
    assert len(article.events) == 2
    with sl:
        article.content_hash = "h"
        sl.store.add_article(article)
        sl.store.save_analysis(article)
        stored = sl.store.annotations(article.id or "").events
        listed = sl.store.list_events(actor="NOR")
        either_way = sl.store.list_events(pair=("DNK", "NOR"))
        other_pair = sl.store.list_events(pair=("FIN", "NOR"))
    assert stored == article.events
    assert [e.plover for e, _ in listed] == ["ACCUSE"]
    assert [e.plover for e, _ in either_way] == ["ACCUSE"] and other_pair == []


def test_we_in_a_spokesmans_quote_is_the_side_he_speaks_for() -> None:
    text = '"We warned Ukraine many times," Kremlin spokesman Dmitry Peskov said.'
    (event,) = _events(text)
    assert (event.actor.code, event.plover, event.target.code) == ("RUSGOV", "THREATEN", "UKR")
    assert event.quoted and event.actor.via and event.actor.via.startswith("speaking")
    # Outside a quote, or with no speaker, "we" is nobody in particular.
    assert _events("We warned Ukraine many times.") == []


def test_bodies_outside_the_gazetteer_are_coded_by_the_state_they_name_or_not_at_all() -> None:
    (treasury,) = _events("The US Treasury sanctioned three Iranian companies.")
    assert (treasury.actor.code, treasury.target.code) == ("USAGOV", "IRNBUS")
    (group,) = _events("The Crimson Dawn Brigade fired rockets at southern Israel.")
    assert group.actor.name.endswith("Crimson Dawn Brigade") and group.actor.code is None
    assert group.target.code == "ISR"
    # A group of the actor data (storyline/data/actors.toml) is coded as it says.
    (listed,) = _events("Hamas fired rockets at southern Israel.")
    assert (listed.actor.code, listed.actor.via) == ("PSEREB", "actor data: group")
