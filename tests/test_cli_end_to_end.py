"""End to end: the real `storyline` command on the demo corpus into a temporary SQLite file."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict

import pytest

from storyline import Storyline
from tests.conftest import BACKENDS, database_url, demo_key


def run_cli(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "storyline", *args], capture_output=True, text=True, timeout=240
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"exit {result.returncode}\nstdout:{result.stdout}\nstderr:{result.stderr}"
        )
    return result


@pytest.fixture(scope="module", params=BACKENDS)
def demo_db(request, tmp_path_factory) -> str:
    url = database_url(request.param, tmp_path_factory.mktemp("e2e"), "demo")
    result = run_cli("demo", "--db", url, "--json")
    report = json.loads(result.stdout)
    assert len(report["ingested"]) == 32
    assert report["failed"] == []
    return url


def test_stories_group_the_demo_corpus_as_written(demo_db, demo_expected):
    stories = json.loads(run_cli("stories", "--db", demo_db, "--json").stdout)
    with Storyline(demo_db) as sl:
        story_of = {demo_key(sl.article(aid)): s["id"] for s in stories for aid in s["article_ids"]}
    for label, keys in demo_expected["stories"].items():
        assert len({story_of[k] for k in keys}) == 1, f"story {label} was split"
    ids = [story_of[keys[0]] for keys in demo_expected["stories"].values()]
    assert len(set(ids)) == len(ids), "two demo stories were merged"
    for key in demo_expected["unrelated"]:
        members = [k for k, s in story_of.items() if s == story_of[key]]
        assert members == [key], f"unrelated article {key} was grouped with {members}"
    assert len(stories) == len(demo_expected["stories"]) + len(demo_expected["unrelated"])


def test_republished_and_near_duplicate_copies_point_to_the_original(demo_db, demo_expected):
    with Storyline(demo_db) as sl:
        by_key = {
            demo_key(sl.article(r["id"])): sl.article(r["id"]) for r in sl.articles(limit=100)
        }
    for copy in demo_expected["copies"]:
        if copy["kind"] == "translated":
            continue  # translation is matched by a later issue's multilingual model
        assert by_key[copy["copy"]].duplicate_of == by_key[copy["original"]].id, copy
        assert by_key[copy["original"]].duplicate_of is None


def test_spam_lines_are_gone_from_clean_text_and_kept_for_audit(demo_db, demo_expected):
    with Storyline(demo_db) as sl:
        articles = [sl.article(r["id"]) for r in sl.articles(limit=100)]
    removed = {line.line for a in articles for line in a.removed_lines}
    for spam in demo_expected["spam_lines"]:
        assert all(spam not in a.text for a in articles), spam
        assert spam in removed, spam


def test_every_demo_article_has_a_date_outlet_or_a_reason(demo_db):
    with Storyline(demo_db) as sl:
        articles = [sl.article(r["id"]) for r in sl.articles(limit=100)]
    for article in articles:
        assert article.published is not None, article.source
        assert article.language == "en"
        assert article.title
    text_files = [a for a in articles if a.source.endswith(".txt")]
    assert len(text_files) == 3
    assert sorted(a.published_source for a in text_files) == [
        "dateline",  # "Updated: Mar 12, 2031, 08:24 PM GMT"
        "dateline (day precision)",  # "Published 14 March 2031"
        "weekday-date in text (day precision)",  # "this Tuesday (03.11.2031)"
    ]


def test_story_and_show_commands_print_the_content(demo_db):
    stories = json.loads(run_cli("stories", "--db", demo_db, "--json").stdout)
    biggest = max(stories, key=lambda s: s["article_count"])
    detail = json.loads(run_cli("story", str(biggest["id"]), "--db", demo_db, "--json").stdout)
    assert [a["id"] for a in detail["articles"]] == biggest["article_ids"]
    dates = [a["published"] for a in detail["articles"]]
    assert dates == sorted(dates)
    shown = run_cli("show", biggest["article_ids"][0], "--db", demo_db, "--removed").stdout
    assert biggest["article_ids"][0] in shown
    table = run_cli("stories", "--db", demo_db).stdout
    assert biggest["title"][:40] in table


def test_reingesting_the_demo_stores_nothing_twice(demo_db):
    report = json.loads(run_cli("demo", "--db", demo_db, "--json").stdout)
    assert report["ingested"] == []
    assert len(report["duplicates"]) == 32


def test_exit_codes(tmp_path, demo_db):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    url = f"sqlite:///{tmp_path / 'x.db'}"
    failed = run_cli("ingest", str(empty), "--db", url, check=False)
    assert failed.returncode == 1
    assert "empty" in failed.stderr
    assert "ingested 0, duplicates skipped 0, failed 1" in failed.stdout
    missing = run_cli("show", "doesnotexist", "--db", demo_db, check=False)
    assert missing.returncode == 3
    assert "no article with id" in missing.stderr
    usage = run_cli("stories", "--limit", "zero", check=False)
    assert usage.returncode == 2


def test_every_story_lists_each_article_once(demo_db):
    stories = json.loads(run_cli("stories", "--db", demo_db, "--json").stdout)
    seen = defaultdict(int)
    for story in stories:
        assert story["article_count"] == len(story["article_ids"])
        for aid in story["article_ids"]:
            seen[aid] += 1
    assert set(seen.values()) == {1}
    assert len(seen) == 32
