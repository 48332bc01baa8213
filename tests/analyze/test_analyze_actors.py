"""Event actors and targets from clause roles, the actor data file, and the codes the bench
folds (real states and organisations, invented people and happenings)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import storyline
from bench._events_sets import coarse
from storyline.analyze.actors import known_actor_code, listed_actor, load_actor_data
from storyline.analyze.events import same_party
from storyline.model import Actor, Event, Span

PUBLISHED = datetime(2031, 5, 15, 9, 0, tzinfo=UTC)
Triple = tuple[str | None, str, str | None]


def _events(text: str, published: datetime = PUBLISHED) -> list[Event]:
    return storyline.analyze(text, published=published).events


def _triples(text: str, published: datetime = PUBLISHED) -> list[Triple]:
    return [
        (e.actor.code if e.actor else None, e.plover, e.target.code if e.target else None)
        for e in _events(text, published)
        if not e.negated and not e.hypothetical
    ]


def test_the_warner_is_the_actor_and_the_warned_the_target() -> None:
    assert _triples("Poland warned Belarus of consequences.") == [("POL", "THREATEN", "BLR")]
    assert _triples("Belarus was warned by Poland of consequences.") == [("POL", "THREATEN", "BLR")]


def test_no_role_crosses_a_paragraph_break_the_parser_ran_over() -> None:
    # The first paragraph has no full stop: the parser runs it into the second and hangs the
    # second's subject on the first's verb. The warning is still the alliance's, on Russia.
    text = (
        "Moscow has laid down a list of demands for the US and NATO, such as pulling back "
        "forces close to Russia\n\nNATO Secretary General Anders Lindqvist has warned Russia of "
        "severe costs if it attacks.\n"
    )
    warnings = [e for e in _events(text) if e.plover == "THREATEN"]
    assert [(e.actor.code, e.target.code) for e in warnings] == [("NATO", "RUS")]
    (warning,) = warnings
    assert text[warning.span.start : warning.span.end].startswith("NATO Secretary General")
    assert "Moscow" not in warning.text


def test_a_warning_with_no_one_addressed_targets_whom_the_clause_is_about() -> None:
    text = "NATO's secretary general warned that any Russian aggression would have severe costs."
    assert ("NATO", "THREATEN", "RUS") in _triples(text)
    text = "NATO warned that an attack by Russia could come soon."
    assert [t for t in _triples(text) if t[1] == "THREATEN"] == [("NATO", "THREATEN", "RUS")]


def test_those_met_with_are_not_who_acts() -> None:
    text = (
        "Amid tensions with Russia, the alliance has signaled that it is ready to sit down "
        "again with Russian authorities to discuss security."
    )
    assert all(e.actor is None or e.actor.code != "RUSGOV" for e in _events(text))


def test_an_actor_never_acts_on_itself_or_its_own_state() -> None:
    assert _triples("Russian officials criticised Russia.") == []
    rus = Actor("Russia", "RUS", "RUS", None, None)
    assert same_party(Actor("Kremlin", "RUSGOV", "RUS", "GOV"), rus)
    assert same_party(rus, Actor("Moscow", "RUSGOV", "RUS", "GOV"))
    assert not same_party(
        Actor("Kremlin", "RUSGOV", "RUS", "GOV"), Actor("x", "RUSOPP", "RUS", "OPP")
    )
    assert not same_party(rus, Actor("Ukraine", "UKR", "UKR", None, None))


def test_promised_cooperation_is_an_agreement_that_happened() -> None:
    (event,) = _events("Portugal will support Turkey's bid to join the bloc.")
    assert (event.actor.code, event.plover, event.target.code) == ("PRT", "AGREE", "TUR")
    assert not event.hypothetical and event.cameo == "03"
    assert _triples("Norway is willing to send aid to Jordan.") == [("NOR", "AGREE", "JOR")]
    # A condition keeps it hypothetical; a threat is not turned into a promise.
    assert _triples("Norway would send aid to Jordan if it asked.") == []
    assert _triples("Poland will warn Belarus.") == [("POL", "THREATEN", "BLR")]


def test_groups_and_office_holders_come_from_the_actor_data() -> None:
    (event,) = _events("Hezbollah fired rockets at northern Israel.")
    assert (event.actor.code, event.actor.country, event.actor.sector) == ("LBNREB", "LBN", "REB")
    in_office = datetime(2015, 3, 2, tzinfo=UTC)
    assert _triples("Obama criticised Venezuela.", in_office) == [("USAGOV", "ACCUSE", "VEN")]
    # Out of office, the same name is not coded as the state.
    assert _triples("Obama criticised Venezuela.", datetime(2031, 3, 2, tzinfo=UTC)) == []
    # A title with no country ("President") yields to the actor data.
    span = Span("a", 0, 4)
    assert listed_actor("Bush", 2008, None, span).code == "USAGOV"  # type: ignore[union-attr]
    assert listed_actor("Bush", 1995, None, span) is None


def test_the_actor_data_is_consistent() -> None:
    data = load_actor_data()
    assert {"GOV", "MIL", "REB", "CVL", "IGO", "IMG"} <= data.sectors
    assert set(data.nouns.values()) <= data.sectors
    assert "police" in data.alone and "official" not in data.alone
    for code in (*data.groups.values(), *(c for t in data.holders.values() for c, _, _ in t)):
        assert known_actor_code(code), code
    for terms in data.holders.values():
        assert all(first <= last for _, first, last in terms)


@pytest.mark.parametrize("code", ["RUS", "rusgov", "UKRMIL", "NATO", "UNICEF", "ECOWAS", "REB"])
def test_known_actor_codes(code: str) -> None:
    assert known_actor_code(code)


@pytest.mark.parametrize("code", ["FOO", "ZZZGOV", "RUSXYZ", "", "NATO2"])
def test_unknown_actor_codes(code: str) -> None:
    assert not known_actor_code(code)


def test_country_level_folds_a_states_sectors_but_never_an_organisation() -> None:
    assert coarse("RUSGOV") == "RUS" and coarse("USAMIL") == "USA" and coarse("PSEREB") == "PSE"
    for organisation in ("UNICEF", "ECOWAS", "UNIFIL", "UNMISS", "UNESCO", "NATO", "UN"):
        assert coarse(organisation) == organisation
    assert coarse(None) is None and coarse("REB") == "REB"
