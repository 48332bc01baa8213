"""Events fused across articles, and the escalation curve of a pair of actors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from storyline.fuse.events import escalation, fuse_events, matches
from storyline.model import Actor, Event, Span


def _event(
    article: str,
    actor: str,
    plover: str,
    target: str | None,
    day: str,
    goldstein: float = -4.0,
    derivation: str = "stated",
) -> Event:
    span = Span(article, 0, 40)
    return Event(
        span,
        Span(article, 5, 10),
        "cue",
        plover,
        None,
        "13",
        goldstein,
        Actor(actor, actor, actor[:3], None),
        Actor(target, target, target[:3], None) if target else None,
        day,
        derivation,
        text=f"{actor} {plover} {target} ({article})",
    )


def _meta(outlet: str, hour: int, duplicate_of: str | None = None) -> dict[str, Any]:
    published = datetime(2031, 3, 2, hour, tzinfo=UTC)
    return {"outlet": outlet, "published": published, "duplicate_of": duplicate_of}


def test_one_event_reported_by_several_outlets_is_one_with_several_sources() -> None:
    found = [
        (_event("b", "RUSGOV", "THREATEN", "UKR", "2031-03-02"), _meta("Tribune", 11)),
        (_event("a", "RUSGOV", "THREATEN", "UKR", "2031-03-02"), _meta("Gazette", 9)),
        (_event("c", "RUSGOV", "THREATEN", "UKR", "2031-03-02"), _meta("Echo", 12, "a")),
        (_event("d", "RUSGOV", "ASSAULT", "UKR", "2031-03-02"), _meta("Echo", 13)),
    ]
    threat, attack = fuse_events(found)
    assert [s.article_id for s in threat.sources] == ["a", "b", "c"]  # earliest first
    assert threat.support == 2  # the Echo copied the Gazette: one independent source
    assert threat.text.endswith("(a)")
    assert (attack.plover, attack.support) == ("ASSAULT", 1)


def test_a_report_dated_by_its_publication_day_joins_yesterdays_event() -> None:
    found = [
        (_event("a", "USA", "SANCTION", "IRN", "2031-03-01"), _meta("Gazette", 9)),
        (
            _event("b", "USA", "SANCTION", "IRN", "2031-03-02", derivation="publication day"),
            _meta("Tribune", 8),
        ),
        (_event("c", "USA", "SANCTION", "IRN", "2031-03-03"), _meta("Echo", 8)),
    ]
    fused = fuse_events(found)
    assert [(f.day, f.support) for f in fused] == [("2031-03-01", 2), ("2031-03-03", 1)]


def test_a_country_code_matches_its_sectors_and_an_organisation_only_itself() -> None:
    assert matches("RUSGOV", "rus") and matches("RUS", "RUS")
    assert not matches("RUSGOV", "UKR") and not matches(None, "RUS")
    assert matches("NATO", "NATO") and not matches("NATOX", "NATO")


def test_escalation_is_a_daily_series_in_both_directions_with_quiet_days() -> None:
    found = [
        (_event("a", "RUSGOV", "THREATEN", "UKR", "2031-03-01", -4.4), _meta("Gazette", 9)),
        (_event("b", "RUSMIL", "ASSAULT", "UKRMIL", "2031-03-01", -10.0), _meta("Gazette", 10)),
        (_event("c", "UKR", "REQUEST", "RUS", "2031-03-03", 3.0), _meta("Tribune", 9)),
        (_event("d", "USA", "SANCTION", "RUS", "2031-03-02", -8.0), _meta("Tribune", 9)),
    ]
    series = escalation(fuse_events(found), "RUS", "UKR")
    assert [d.day for d in series] == ["2031-03-01", "2031-03-02", "2031-03-03"]
    first, quiet, last = series
    assert first.forward == pytest.approx(-7.2) and first.events_forward == 2
    assert first.backward is None and first.combined == pytest.approx(-7.2)
    assert quiet.forward is None and quiet.backward is None and quiet.combined is None
    assert last.backward == pytest.approx(3.0) and last.forward is None
    assert escalation(fuse_events(found), "CHN", "UKR") == []


def test_an_undated_event_counts_on_its_articles_date_and_says_so() -> None:
    undated = _event("a", "NATO", "THREATEN", "RUS", "2031-03-02")
    undated.date, undated.date_derivation = None, None  # stored before any day was known
    found = [
        (undated, _meta("Gazette", 9)),
        (_event("b", "NATO", "CONSULT", "RUS", "2031-03-04", 1.0), _meta("Tribune", 9)),
        (
            _event("c", "RUS", "ACCUSE", "NATO", "2031-03-04", -2.0, "publication day"),
            _meta("Echo", 9),
        ),
    ]
    fused = fuse_events(found)
    assert [(f.day, f.article_dated) for f in fused] == [
        ("2031-03-02", True),
        ("2031-03-04", False),
        ("2031-03-04", True),
    ]
    first, _, last = escalation(fused, "NATO", "RUS")
    assert (first.day, first.forward, first.article_dated) == ("2031-03-02", -4.0, 1)
    assert (last.events_forward, last.events_backward, last.article_dated) == (1, 1, 1)
    assert last.as_dict()["article_dated"] == 1
