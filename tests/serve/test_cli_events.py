"""`storyline events` and `storyline escalation` on a real database, really analysed.

Fictional reports about real states: two outlets report the same Russian warning on one day
(one event, two sources), then an attack and a Ukrainian appeal follow; one article says what
Russia did not do and what it would do (neither is coded as happened).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.conftest import BACKENDS, database_url
from tests.live_server import live_server
from tests.serve.test_cli_stories import cli, cli_json

CORPUS: list[dict[str, Any]] = [
    {
        "url": "https://www.gazette.example/warning",
        "title": "Moscow warns Kyiv",
        "text": "The Kremlin warned Ukraine on Monday against holding the exercise near the "
        "border. Officials in Kyiv said the drills were planned months ago.",
        "published": "2031-03-03T09:00:00Z",
    },
    {
        "url": "https://www.tribune.example/warning",
        "title": "Kremlin issues warning to Ukraine",
        "text": "The Kremlin warned Ukraine on Monday over the planned exercise. Residents of "
        "the border region said they had seen more convoys than usual this spring.",
        "published": "2031-03-03T15:00:00Z",
    },
    {
        "url": "https://www.echo.example/attack",
        "title": "Border post attacked",
        "text": "Russian forces attacked a Ukrainian border post on Wednesday, the ministry in "
        "Kyiv said. Ukraine urged NATO to send observers to the region.",
        "published": "2031-03-05T10:00:00Z",
    },
    {
        "url": "https://www.ledger.example/denial",
        "title": "Moscow denies plans",
        "text": "Russia did not attack the bridge at Zaporizhzhia, a spokesman told reporters. "
        "Russia would impose sanctions on Ukraine if the drills went ahead, he added.",
        "published": "2031-03-05T12:00:00Z",
    },
]


@pytest.fixture(scope="module", params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    folder: Path = tmp_path_factory.mktemp("events")
    corpus = folder / "events.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in CORPUS), encoding="utf-8")
    url = database_url(request.param, folder, "events")
    report = cli_json("ingest", str(corpus), "--db", url)
    assert len(report["ingested"]) == len(CORPUS)
    return url


def test_the_same_event_from_two_outlets_is_one_event_with_two_sources(db: str) -> None:
    rows = json.loads(cli("events", "--db", db, "--format", "json").stdout)
    warnings = [r for r in rows if r["plover"] == "THREATEN"]
    assert len(warnings) == 1
    (warning,) = warnings
    assert (warning["actor1_code"], warning["actor2_code"]) == ("RUSGOV", "UKR")
    assert warning["sql_date"] == "20310303" and warning["num_sources"] == 2
    assert warning["outlets"].split(",") == ["gazette.example", "tribune.example"]
    assert (
        warning["event_code"] == "130"
        and warning["event_root_code"] == "13"
        and warning["quad_class"] == 3
    )
    kinds = {(r["actor1_code"], r["plover"], r["actor2_code"]) for r in rows}
    assert ("RUSMIL", "ASSAULT", "UKRMIL") in kinds or ("RUSMIL", "ASSAULT", "UKR") in kinds
    assert ("UKR", "REQUEST", "NATO") in kinds
    # What Russia did not do and would do is not among what happened ...
    assert not any(r["sentence"].startswith("Russia did not") for r in rows)
    assert not any("would impose" in r["sentence"] for r in rows)
    # ... but is listed, marked, with --all.
    everything = json.loads(cli("events", "--db", db, "--format", "json", "--all").stdout)
    marked = {r["status"]: r for r in everything if r["status"] != "happened"}
    assert marked["negated"]["sentence"].startswith("Russia did not attack")
    assert "would impose" in marked["hypothetical"]["sentence"]
    assert (marked["hypothetical"]["actor1_code"], marked["hypothetical"]["plover"]) == (
        "RUS",
        "SANCTION",
    )
    table = cli("events", "--db", db, "--all").stdout
    assert "— HYPOTHETICAL" in table and "— NEGATED" in table


def test_events_are_filtered_by_actor_target_type_and_day(db: str) -> None:
    def codes(*args: str) -> set[tuple[str, str]]:
        rows = json.loads(cli("events", "--db", db, "--format", "json", *args).stdout)
        return {(r["plover"], r["sql_date"]) for r in rows}

    assert codes("--actor", "UKR") == {("REQUEST", "20310305")}
    assert codes("--actor", "RUS", "--target", "UKR", "--type", "threaten") == {
        ("THREATEN", "20310303")
    }
    assert codes("--since", "2031-03-04", "--actor", "RUS") == {("ASSAULT", "20310305")}
    assert codes("--until", "2031-03-04") == {("THREATEN", "20310303")}
    table = cli("events", "--db", db).stdout
    assert "THREATEN" in table and "RUSGOV" in table


def test_events_export_as_gdelt_like_tsv_and_parquet(db: str, tmp_path: Path) -> None:
    tsv = cli("events", "--db", db, "--format", "tsv").stdout.splitlines()
    header = tsv[0].split("\t")
    assert header[:3] == ["event_id", "sql_date", "actor1_code"]
    rows = [dict(zip(header, line.split("\t"), strict=True)) for line in tsv[1:]]
    assert any(r["plover"] == "THREATEN" and r["num_sources"] == "2" for r in rows)
    target = tmp_path / "events.parquet"
    cli("events", "--db", db, "--format", "parquet", "--output", str(target))
    table = pq.read_table(target)
    assert table.num_rows == len(rows)
    assert str(table.schema.field("goldstein_scale").type) == "double"
    assert set(table.column("plover").to_pylist()) == {r["plover"] for r in rows}
    missing = cli("events", "--db", db, "--format", "parquet", code=1)
    assert "--output" in missing.stderr
    wrong = cli("events", "--db", db, "--format", "xml", code=1)
    assert "table, json, tsv, parquet" in wrong.stderr


def test_escalation_gives_a_daily_series_for_a_pair(db: str) -> None:
    series = json.loads(cli("escalation", "RUS", "UKR", "--db", db, "--json").stdout)
    assert [d["day"] for d in series] == ["2031-03-03", "2031-03-04", "2031-03-05"]
    first, quiet, last = series
    assert first["forward"] == pytest.approx(-4.4) and first["events_forward"] == 1
    assert quiet["combined"] is None
    assert last["forward"] < -5  # the attack
    table = cli("escalation", "RUS", "UKR", "--db", db).stdout
    assert "RUS → UKR" in table and "2031-03-05" in table
    none = cli("escalation", "CHN", "BRA", "--db", db).stdout
    assert "no events between CHN and BRA" in none


def test_escalation_marks_days_that_are_the_articles_date(db: str) -> None:
    # "Ukraine urged NATO to send observers" gives no day: it counts on its article's date.
    (day,) = json.loads(cli("escalation", "UKR", "NATO", "--db", db, "--json").stdout)
    assert (day["day"], day["events_forward"], day["article_dated"]) == ("2031-03-05", 1, 1)
    table = cli("escalation", "UKR", "NATO", "--db", db).stdout
    assert "2031-03-05*" in table
    assert "* 1 of the events counted on the article's date" in table
    # A day the sentences give ("on Monday") is not marked.
    (monday, *_) = json.loads(cli("escalation", "RUS", "UKR", "--db", db, "--json").stdout)
    assert monday["day"] == "2031-03-03" and monday["article_dated"] == 0


def test_escalation_with_an_unknown_actor_code_is_a_usage_error(db: str) -> None:
    wrong = cli("escalation", "FOO", "BAR", "--db", db, code=2)
    assert wrong.stdout == ""
    (line,) = wrong.stderr.splitlines()
    assert line.startswith("error: unknown actor code 'FOO'") and "RUSGOV" in line
    half = cli("escalation", "nato", "ZZZGOV", "--db", db, code=2)
    assert "'ZZZGOV'" in half.stderr
    # Known codes of every kind are accepted: a state, a state's sector, an organisation.
    for a, b in (("rus", "ukrmil"), ("UNICEF", "NATO"), ("REB", "CVL")):
        cli("escalation", a, b, "--db", db)


def test_events_and_escalation_over_http(db: str) -> None:
    with live_server(db) as client:
        page = client.get("/api/v1/events", params={"actor": "RUS", "limit": 1}).json()
        everything = client.get("/api/v1/events", params={"all": "true"}).json()
        series = client.get("/api/v1/escalation", params={"a": "RUS", "b": "UKR"}).json()
        schema = client.get("/openapi.json").json()
        bad = client.get("/api/v1/events", params={"since": "last week"})
        unknown = client.get("/api/v1/escalation", params={"a": "FOO", "b": "RUS"})
    assert page["total"] == 2 and len(page["items"]) == 1
    assert page["items"][0]["plover"] == "THREATEN" and page["items"][0]["num_sources"] == 2
    assert {i["status"] for i in everything["items"]} == {"happened", "negated", "hypothetical"}
    assert [d["day"] for d in series] == ["2031-03-03", "2031-03-04", "2031-03-05"]
    assert {"/api/v1/events", "/api/v1/escalation"} <= set(schema["paths"])
    assert bad.status_code == 422
    assert unknown.status_code == 422
    error = unknown.json()["error"]
    assert error["code"] == "invalid_request" and "unknown actor code 'FOO'" in error["message"]


def test_the_story_page_draws_who_acts_on_whom_and_the_pair_intensity(db: str) -> None:
    with live_server(db) as client:
        stories = client.get("/api/v1/stories").json()["items"]
        home = client.get("/").text
        pages = {s["id"]: client.get(f"/stories/{s['id']}").text for s in stories}
    assert home.count('<svg class="sparkline"') == len(stories)
    page = next(p for p in pages.values() if 'class="network"' in p)
    network = page[page.index('<svg class="network"') : page.index("</svg>", page.index("network"))]
    assert "<title>RUSGOV → UKR" in network or "<title>RUS" in network
    assert 'stroke="#b42318"' in network  # conflict is drawn red
    charts = re.findall(
        r'<h3 class="dyad">([^<]+)</h3>\s*(<svg class="escalation".*?</svg>)', page, re.S
    )
    assert charts and len(charts) <= 3
    russia = [svg for title, svg in charts if "RUS" in title and "UKR" in title]
    assert russia and 'fill="#b42318"' in russia[0]  # conflict days drawn red, below the line
    for _, svg in charts:
        assert re.search(r"<title>2031-03-0\d: [+-]\d", svg)  # each bar says its day and value
