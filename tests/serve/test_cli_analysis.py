"""The analysis commands of the real `storyline` CLI on a temporary SQLite database.

`analyze`, `entities`, `quotes`, `claims` and `show --json`, run in process with typer's runner
(one real subprocess checks the installed entry point). The articles are fictional.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from storyline.serve.cli import app
from tests.analysis_corpus import write_corpus

runner = CliRunner()


def cli(*args: str, code: int = 0):
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, (
        f"exit {result.exit_code}\nstdout:{result.stdout}\nstderr:{result.stderr}"
        f"\n{result.exception!r}"
    )
    return result


def cli_json(*args: str):
    return json.loads(cli(*args, "--json").stdout)


def ids_by_title(db: str) -> dict[str, str]:
    rows = cli_json("articles", "--db", db)
    return {row["title"].split()[0]: row["id"] for row in rows}


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    """A database whose articles were ingested with the default: analysed on ingest."""
    base = tmp_path_factory.mktemp("cli-analysis")
    url = f"sqlite:///{base / 'cli.db'}"
    report = cli_json("ingest", str(write_corpus(base / "corpus")), "--db", url)
    assert len(report["ingested"]) == 3 and report["failed"] == []
    return url


def test_ingest_analyses_by_default(db):
    ids = ids_by_title(db)
    for article_id in ids.values():
        assert cli_json("show", article_id, "--db", db)["annotations"]["analyzed_at"] is not None
    report = cli_json("analyze", "--db", db)
    assert report == {"analyzed": 0, "not_supported": 0, "failed": []}


def test_analyze_redo_counts_every_article(db):
    report = cli_json("analyze", "--redo", "--db", db)
    assert report == {"analyzed": 2, "not_supported": 1, "failed": []}


def test_analyze_prints_counts_without_json(db):
    out = cli("analyze", "--db", db).stdout
    assert "analysed 0" in out and "failed 0" in out


def test_show_json_has_the_annotations(db):
    article_id = ids_by_title(db)["Varga"]
    data = cli_json("show", article_id, "--db", db)
    assert data["id"] == article_id
    found = data["annotations"]
    assert set(found) >= {
        "analyzed_at",
        "analysis_note",
        "entities",
        "mentions",
        "quotes",
        "claims",
        "times",
        "places",
    }
    assert "Ilse Varga" in {e["name"] for e in found["entities"]}
    for key in ("mentions", "quotes", "claims", "times"):
        assert found[key], key
        for item in found[key]:
            assert data["text"][item["start"] : item["end"]] == item["text"]
    quote = next(q for q in found["quotes"] if "single battalion" in q["text"])
    assert quote["kind"] == "direct" and quote["speaker_entity_id"]
    [tallinn] = [p for p in found["places"] if p["name"] == "Tallinn"]
    assert tallinn["country"] == "EST"


def test_show_prints_the_annotations(db):
    out = cli("show", ids_by_title(db)["Varga"], "--db", db).stdout
    assert "entities (" in out and "quotes (" in out and "numeric claims (" in out
    assert "Ilse Varga" in out
    assert "some 13,000 soldiers" in out
    assert "political events (0)" in out


def test_show_prints_the_coded_events(db):
    out = cli("show", ids_by_title(db)["Floods"], "--db", db).stdout
    assert "political events (2)" in out
    assert "CONSULT" in out and "CAMEO 042" in out and "+1.9" in out


def test_show_of_a_german_article_gives_the_reason(db):
    data = cli_json("show", ids_by_title(db)["Die"], "--db", db)
    assert data["annotations"]["analysis_note"] is not None
    assert "'de'" in data["annotations"]["analysis_note"]
    assert data["annotations"]["entities"] == [] and data["annotations"]["quotes"] == []


def test_show_of_an_unknown_id_exits_3(db):
    result = cli("show", "no-such-article", "--db", db, code=3)
    assert "no-such-article" in result.stderr


def test_entities_json(db):
    rows = cli_json("entities", "--db", db)
    assert rows
    for row in rows:
        assert set(row) == {
            "id",
            "name",
            "type",
            "country",
            "aliases",
            "roles",
            "mention_count",
            "article_count",
        }
    [varga] = [r for r in rows if r["name"] == "Ilse Varga"]
    assert varga["type"] == "PERSON" and varga["article_count"] == 2
    assert "Varga" in varga["aliases"]
    assert [r["mention_count"] for r in rows] == sorted(
        (r["mention_count"] for r in rows), reverse=True
    )


def test_entities_filtered_by_type_and_name(db):
    people = cli_json("entities", "--type", "PERSON", "--db", db)
    assert people and {r["type"] for r in people} == {"PERSON"}
    assert {r["name"] for r in people} >= {"Ilse Varga", "Paul Hendry"}
    places = cli_json("entities", "--type", "gpe", "--db", db)
    assert "Tallinn" in {r["name"] for r in places}
    assert "Ilse Varga" not in {r["name"] for r in places}
    named = cli_json("entities", "--name", "hendry", "--db", db)
    assert [r["name"] for r in named] == ["Paul Hendry"]


def test_entities_table(db):
    out = cli("entities", "--db", db).stdout
    assert "Ilse Varga" in out and "PERSON" in out


def test_quotes_by_speaker_json(db):
    rows = cli_json("quotes", "--speaker", "Varga", "--db", db)
    assert len(rows) >= 3
    assert len({r["speaker_entity_id"] for r in rows}) == 1
    assert all(r["speaker_entity_id"] for r in rows)
    assert not any("water is still rising" in r["text"] for r in rows)
    assert any("single battalion" in r["text"] for r in rows)
    for row in rows:
        assert set(row) >= {"article_id", "start", "end", "text", "kind", "speaker", "cue"}
    hendry = cli_json("quotes", "--speaker", "Hendry", "--db", db)
    assert any("water is still rising" in r["text"] for r in hendry)
    assert not any("single battalion" in r["text"] for r in hendry)


def test_quotes_of_one_article(db):
    article_id = ids_by_title(db)["Floods"]
    rows = cli_json("quotes", "--article", article_id, "--db", db)
    assert rows and {r["article_id"] for r in rows} == {article_id}


def test_quotes_printed(db):
    out = cli("quotes", "--speaker", "Hendry", "--db", db).stdout
    assert "water is still rising" in out


def test_claims_json(db):
    rows = cli_json("claims", "--db", db)
    by_text = {r["text"]: r for r in rows}
    soldiers = by_text["some 13,000 soldiers"]
    assert soldiers["quantity"] == 13_000 and soldiers["approximate"] is True
    assert soldiers["counted"] == "soldiers" and soldiers["qualifier"] == "some"
    residents = next(r for r in rows if r["counted"] == "residents")
    assert (residents["quantity"], residents["quantity_max"]) == (3_000, 5_000)
    counted = cli_json("claims", "--counted", "soldiers", "--db", db)
    assert [r["text"] for r in counted] == ["some 13,000 soldiers"]


def test_claims_table(db):
    out = cli("claims", "--db", db).stdout
    assert "13,000" in out and "soldiers" in out


def test_ingest_without_analysis_then_analyze(tmp_path):
    url = f"sqlite:///{tmp_path / 'later.db'}"
    corpus = write_corpus(tmp_path / "corpus")
    report = cli_json("ingest", str(corpus), "--no-analyze", "--db", url)
    assert len(report["ingested"]) == 3
    ids = ids_by_title(url)
    for article_id in ids.values():
        found = cli_json("show", article_id, "--db", url)["annotations"]
        assert found["analyzed_at"] is None
        assert found["mentions"] == [] and found["quotes"] == []
    assert cli_json("entities", "--db", url) == []
    assert cli_json("quotes", "--db", url) == []
    assert "not analysed yet" in cli("show", ids["Varga"], "--db", url).stdout

    report = cli_json("analyze", "--db", url)
    assert report == {"analyzed": 2, "not_supported": 1, "failed": []}
    found = cli_json("show", ids["Varga"], "--db", url)["annotations"]
    assert found["analyzed_at"] is not None and found["quotes"]
    assert cli_json("quotes", "--speaker", "Varga", "--db", url)


def test_the_installed_command_lists_quotes_and_exits_3_on_unknown_ids(db):
    result = subprocess.run(
        [sys.executable, "-m", "storyline", "quotes", "--speaker", "Varga", "--json", "--db", db],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert any("single battalion" in row["text"] for row in json.loads(result.stdout))
    missing = subprocess.run(
        [sys.executable, "-m", "storyline", "show", "no-such-article", "--db", db],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert missing.returncode == 3
    assert "no-such-article" in missing.stderr
