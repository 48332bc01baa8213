"""Kill -9 during ingest and during story assignment, then re-run: nothing lost, nothing doubled."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
TOTAL = 500

WORDS = (
    "council harbour ferry storm bridge river mayor festival museum market railway station "
    "school hospital budget election court trial factory strike farmers drought flood vote "
    "minister treaty border talks troops exercise drills summit ceasefire refugees aid"
).split()
PLACES = ["Velmora", "Cask", "Ulmer Bay", "Tarrow", "Greywick", "Lisk", "Ondra", "Pell"]


def synthetic_articles(path: Path, count: int) -> None:
    rng = random.Random(7)
    with path.open("w", encoding="utf-8") as handle:
        for i in range(count):
            place = rng.choice(PLACES)
            sentences = [
                f"{place} {rng.choice(WORDS)} {' '.join(rng.sample(WORDS, 9))} number {i}."
                for _ in range(8)
            ]
            record = {
                "url": f"https://www.pellgazette.example/news/{i}",
                "title": f"{place} {' '.join(rng.sample(WORDS, 5))} {i}",
                "text": "\n\n".join(sentences),
                "published": f"2031-06-{1 + i % 28:02d}T{i % 24:02d}:00:00+00:00",
            }
            handle.write(json.dumps(record) + "\n")


def count(db: Path, sql: str) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=10) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:
        return 0  # the schema is not there yet


def start(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "storyline", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_when(proc: subprocess.Popen[bytes], db: Path, sql: str, at_least: int) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if count(db, sql) >= at_least:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            return count(db, sql)
        time.sleep(0.02)
    proc.kill()
    pytest.fail("the process ended before it could be killed mid-way; raise the article count")


def ingested_not_placed(source: Path, db: Path, total: int) -> str:
    """Write ``total`` synthetic articles, ingest them without story assignment; the db URL."""
    synthetic_articles(source, total)
    url = f"sqlite:///{db}"
    subprocess.run(
        [sys.executable, "-m", "storyline", "ingest", str(source), "--db", url, "--no-assign"],
        capture_output=True,
        timeout=300,
        check=True,
    )
    return url


def check_consistent(db: Path, total: int) -> None:
    assert count(db, "SELECT COUNT(*) FROM articles") == total
    assert count(db, "SELECT COUNT(DISTINCT content_hash) FROM articles") == total
    assert count(db, "SELECT COUNT(*) FROM articles WHERE text = '' OR text IS NULL") == 0
    assert count(db, "SELECT COUNT(*) FROM articles WHERE assigned_at IS NULL") == 0
    assert count(db, "SELECT COUNT(*) FROM articles WHERE story_id IS NULL") == 0
    # every story's stored count matches its members, and no story is empty
    assert (
        count(
            db,
            """SELECT COUNT(*) FROM stories s WHERE s.article_count !=
                        (SELECT COUNT(*) FROM articles a WHERE a.story_id = s.id)""",
        )
        == 0
    )
    assert count(db, "SELECT COALESCE(SUM(article_count), 0) FROM stories") == total


def test_kill_during_ingest_then_rerun(tmp_path):
    source, db = tmp_path / "big.jsonl", tmp_path / "kill.db"
    synthetic_articles(source, TOTAL)
    url = f"sqlite:///{db}"
    proc = start("ingest", str(source), "--db", url)
    stored = kill_when(proc, db, "SELECT COUNT(*) FROM articles", 40)
    assert 40 <= stored < TOTAL
    rerun = subprocess.run(
        [sys.executable, "-m", "storyline", "ingest", str(source), "--db", url, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    report = json.loads(rerun.stdout)
    assert len(report["ingested"]) + len(report["duplicates"]) == TOTAL
    assert len(report["duplicates"]) >= stored
    check_consistent(db, TOTAL)


def test_kill_during_story_assignment_then_rerun(tmp_path):
    source, db = tmp_path / "big.jsonl", tmp_path / "assign.db"
    url = ingested_not_placed(source, db, TOTAL)
    assert count(db, "SELECT COUNT(*) FROM articles WHERE assigned_at IS NULL") == TOTAL
    proc = start("assign", "--db", url)
    placed = kill_when(proc, db, "SELECT COUNT(*) FROM articles WHERE assigned_at IS NOT NULL", 20)
    assert placed < TOTAL
    subprocess.run(
        [sys.executable, "-m", "storyline", "assign", "--db", url],
        capture_output=True,
        timeout=300,
        check=True,
    )
    check_consistent(db, TOTAL)


def _processes_using(marker: str) -> list[int]:
    """Live processes whose command line names ``marker`` (here: a test's database path)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            status = (entry / "status").read_text()
        except OSError:
            continue
        if marker in cmdline and "State:\tZ" not in status:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").exists(), reason="needs /proc to look for worker processes")
def test_kill_during_analysis_with_parse_workers_then_rerun(tmp_path):
    source, db = tmp_path / "big.jsonl", tmp_path / "analyse.db"
    synthetic_articles(source, TOTAL)
    url = f"sqlite:///{db}"
    subprocess.run(
        [sys.executable, "-m", "storyline", "ingest", str(source), "--db", url, "--no-analyze",
         "--no-assign"],
        capture_output=True, timeout=300, check=True,
    )  # fmt: skip
    env = {**os.environ, "STORYLINE_ANALYSIS_PROCESSES": "2"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "storyline", "analyze", "--db", url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    done = kill_when(proc, db, "SELECT COUNT(*) FROM articles WHERE analyzed_at IS NOT NULL", 40)
    assert done < TOTAL
    # The parse workers do not outlive the process that started them.
    deadline = time.monotonic() + 30
    while _processes_using(str(db)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_using(str(db)) == []
    subprocess.run(
        [sys.executable, "-m", "storyline", "analyze", "--db", url],
        capture_output=True, timeout=600, check=True, env=env,
    )  # fmt: skip
    assert count(db, "SELECT COUNT(*) FROM articles WHERE analyzed_at IS NULL") == 0
    # Each article's annotations were replaced as a whole: no mention is stored twice.
    assert (
        count(
            db,
            "SELECT COUNT(*) FROM (SELECT article_id, start_char, end_char, COUNT(*) AS n "
            "FROM mentions GROUP BY article_id, start_char, end_char HAVING n > 1)",
        )
        == 0
    )
