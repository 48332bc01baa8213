"""storyline backfill: the pipeline on a real local Ray instance ends with the database the
single-process path leaves on the same input; it writes Parquet; it survives a kill."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy.engine import make_url

from storyline.facade import Storyline
from storyline.serve.views import annotations_json
from tests.analysis_corpus import write_corpus

pytest.importorskip("ray", reason="Ray is not installed: pip install 'storyline[ray]'")
pytestmark = pytest.mark.slow

EXTRA_ROWS = [  # a Parquet shard: a new article, a copy of a demo-like one, an empty row
    {
        "url": "https://lakeside-courier.example/ferry",
        "title": "Ferry service to Orla island resumes",
        "text": "The ferry between Port Venn and Orla island resumed on Monday after the storm "
        "damage to the pier was repaired, the harbour authority said. Captain Mira Solberg "
        "said 1,200 passengers had booked the first crossing.",
        "published": "2031-03-10T09:00:00Z",
        "outlet": "Lakeside Courier",
    },
    {"url": "https://lakeside-courier.example/empty", "title": "Nothing", "text": ""},
]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "storyline", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )


def snapshot(url: str) -> dict[str, dict[str, Any]]:
    """Every article with its annotations (less the time of analysis) and its placement."""
    with Storyline(url) as sl:
        ids = sorted(row["id"] for row in sl.store.list_articles(limit=100_000))
        found = {}
        for article_id in ids:
            article = sl.store.get_article(article_id)
            notes = annotations_json(sl.store.annotations(article_id))
            notes.pop("analyzed_at")
            found[article_id] = {
                "title": article.title,
                "duplicate_of": article.duplicate_of,
                "story_id": article.story_id,
                "event_id": article.event_id,
                "annotations": notes,
            }
        return found


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, demo_path: Path) -> list[str]:
    base = tmp_path_factory.mktemp("shards")
    shard = base / "extra.parquet"
    pq.write_table(pa.Table.from_pylist(EXTRA_ROWS), shard)
    jsonl = base / "bad.jsonl"
    jsonl.write_text('{"title": "broken\n', encoding="utf-8")
    return [str(demo_path), str(write_corpus(base / "corpus")), str(shard), str(jsonl)]


@pytest.fixture(scope="module")
def single(tmp_path_factory, inputs: list[str]) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('single') / 'single.db'}"
    with Storyline(url) as sl:
        sl.ingest(inputs)
    return url


@pytest.fixture(scope="module")
def backfilled(tmp_path_factory, inputs: list[str]) -> tuple[str, dict[str, Any], Path]:
    base = tmp_path_factory.mktemp("backfill")
    url = f"sqlite:///{base / 'ray.db'}"
    result = cli("backfill", *inputs, "--db", url, "--output", str(base / "out"), "--json")
    assert result.returncode == 0, result.stderr
    return url, json.loads(result.stdout), base / "out"


def test_backfill_ends_with_the_database_the_single_process_path_leaves(backfilled, single):
    url, _, _ = backfilled
    by_ray, by_one = snapshot(url), snapshot(single)
    assert len(by_one) > 30
    assert by_ray.keys() == by_one.keys()
    for article_id, expected in by_one.items():
        assert by_ray[article_id] == expected, article_id
    assert any(a["annotations"]["events"] for a in by_one.values())
    assert any(a["duplicate_of"] for a in by_one.values())


def test_backfill_reports_what_it_did_and_the_bad_items(backfilled):
    _, report, _ = backfilled
    assert report["shards"] >= 4 and report["parse_actors"] >= 1
    assert report["ray_address"] == "local"
    assert report["ingested"] > 30 and report["analysed"] > 0 and report["not_supported"] >= 1
    assert report["stories_new"] > 0
    sources = [f["source"] for f in report["failed"]]
    assert any(s.endswith("extra.parquet:2") for s in sources)  # the empty row
    assert any("bad.jsonl" in s for s in sources)  # the broken line


def test_backfill_writes_articles_and_events_as_parquet(backfilled):
    url, report, out = backfilled
    articles = pq.read_table(out / "articles.parquet").to_pylist()
    assert len(articles) == report["ingested"]
    stored = snapshot(url)
    for row in articles:
        assert row["story_id"] == stored[row["id"]]["story_id"]
        notes = json.loads(row["annotations"])
        assert notes["entities"] == stored[row["id"]]["annotations"]["entities"]
    ferry = next(r for r in articles if r["title"] == "Ferry service to Orla island resumes")
    assert ferry["source_kind"] == "parquet" and ferry["outlet"] == "lakeside-courier.example"
    assert ferry["outlet_name"] == "Lakeside Courier"
    events = pq.read_table(out / "events.parquet")
    assert events.num_rows > 0
    assert {"event_code", "goldstein_scale", "article_ids", "num_sources"} <= set(
        events.column_names
    )


def test_a_backfill_killed_midway_resumes_without_loss_or_duplicates(tmp_path, inputs, single):
    url = f"sqlite:///{tmp_path / 'killed.db'}"
    env = {"STORYLINE_ANALYSIS_BATCH_SIZE": "2"}  # small batches: rows arrive one by one
    args = [sys.executable, "-m", "storyline", "backfill", *inputs, "--db", url]
    run = subprocess.Popen(
        args,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    stored = 0
    while time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.5)
        if (tmp_path / "killed.db").exists():
            with Storyline(url) as sl:
                stored = sl.store.count_articles()
            if stored >= 3:
                break
    assert run.poll() is None, "the backfill ended before it could be killed"
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    assert stored >= 3
    resumed = cli("backfill", *inputs, "--db", url, "--json", env=env)
    assert resumed.returncode == 0, resumed.stderr
    after = snapshot(url)
    expected = snapshot(single)
    assert after.keys() == expected.keys()  # none lost, none twice
    with Storyline(url) as sl:
        assert sl.store.count_unanalysed() == 0
        assert not sl.store.pending_assignment()
    for article_id, article in expected.items():  # what each article says does not change
        assert after[article_id]["annotations"]["quotes"] == article["annotations"]["quotes"]
        assert after[article_id]["duplicate_of"] == article["duplicate_of"]


def test_backfill_run_again_over_stored_inputs_succeeds_and_reports_duplicates(
    tmp_path, inputs, backfilled
):
    """As `ingest`: inputs already stored are duplicates, not failures, even when the bad items
    among them fail again (a backfill killed just before it exited is re-run this way)."""
    url, first, _ = backfilled
    copy = tmp_path / "again.db"
    shutil.copyfile(make_url(url).database or "", copy)
    result = cli("backfill", *inputs, "--db", f"sqlite:///{copy}", "--json")
    assert result.returncode == 0, result.stderr
    again = json.loads(result.stdout)
    assert again["ingested"] == 0
    assert again["duplicates"] == first["ingested"] + first["duplicates"]
    assert len(again["failed"]) == len(first["failed"]) > 0


def test_an_unreachable_cluster_is_a_clear_error(tmp_path, inputs):
    result = cli(
        "backfill", inputs[2], "--db", f"sqlite:///{tmp_path / 'x.db'}", "--ray-address",
        "127.0.0.1:9",
    )  # fmt: skip
    assert result.returncode == 1
    assert "does not answer" in result.stderr and "STORYLINE_RAY_ADDRESS" in result.stderr


def test_backfill_of_nothing_readable_exits_1_without_starting_ray(tmp_path):
    result = cli("backfill", str(tmp_path / "missing"), "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert result.returncode == 1
    assert "no such file or folder" in result.stderr
