"""The story commands of the real `storyline` CLI, and the story API over real HTTP.

`assign`, `stories --since`, `story ID --tree/--json`, `merge-stories` and `split-event` run in
process with typer's runner on a temporary SQLite database (one real subprocess checks exit codes
and stderr of the installed entry point); the API runs in uvicorn on a free 127.0.0.1 port.
The corpus is fictional: a dam burst in Brisk (two events, one spammy republication), a chess
open and a harbour wall.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from storyline.serve.cli import app
from tests.conftest import BACKENDS, database_url
from tests.live_server import live_server

runner = CliRunner()

DAM = (
    "The Lessen dam above Brisk gave way on Monday morning and floodwater poured into the old "
    "town. Rescue crews in boats evacuated hundreds of residents from flooded streets near the "
    "river, and the river authority warned that levels would keep rising."
)
CORPUS: dict[str, dict[str, Any]] = {
    "dam": {
        "url": "https://www.northwire.example/brisk-dam-bursts",
        "title": "Lessen dam bursts above Brisk",
        "text": DAM,
        "published": "2031-03-01T09:00:00Z",
    },
    "evacuation": {
        "url": "https://www.sundial.example/brisk-evacuated",
        "title": "Brisk evacuated as Lessen dam fails",
        "text": "Hundreds of Brisk residents were evacuated by boat after the Lessen dam burst, "
        "sending floodwater into the old town. Rescue crews worked through the afternoon as the "
        "river kept rising.",
        "published": "2031-03-01T15:00:00Z",
    },
    "copy": {
        "url": "https://www.valecourier.example/brisk-dam-republished",
        "title": "WATCH: Brisk under water",
        "text": f"Subscribe to our newsletter\n\n{DAM}\n\nFollow us on Facebook and Twitter",
        "published": "2031-03-02T08:00:00Z",
    },
    "chess": {
        "url": "https://www.valecourier.example/wintermark-open",
        "title": "Teenager wins Wintermark chess open",
        "text": "A sixteen-year-old beat three grandmasters to win the Wintermark chess open on "
        "Sunday after a final round that lasted six hours over the board.",
        "published": "2031-03-02T12:00:00Z",
    },
    "harbour": {
        "url": "https://www.harborpost.example/velmora-wall",
        "title": "Velmora to rebuild harbour wall",
        "text": "The Velmora town council voted to rebuild the old harbour wall, and the mayor "
        "said the work would start in June and take two years to finish.",
        "published": "2031-03-11T09:00:00Z",
    },
    "inquiry": {
        "url": "https://www.northwire.example/brisk-dam-inquiry",
        "title": "Inquiry into Brisk dam burst opens",
        "text": "A public inquiry into the burst Lessen dam opened in Brisk, where engineers told "
        "the panel the dam had been cracked for years before the flood poured into the old town.",
        "published": "2031-03-12T10:00:00Z",
    },
}


def cli(*args: str, code: int = 0):
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, (
        f"exit {result.exit_code}\nstdout:{result.stdout}\nstderr:{result.stderr}"
        f"\n{result.exception!r}"
    )
    return result


def cli_json(*args: str) -> Any:
    return json.loads(cli(*args, "--json").stdout)


def build(folder: Path, kind: str = "sqlite") -> tuple[str, dict[str, Any]]:
    """A database with the corpus ingested and placed; returns its URL and the assign report."""
    folder.mkdir(parents=True, exist_ok=True)
    corpus = folder / "stories.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in CORPUS.values()), encoding="utf-8")
    url = database_url(kind, folder, "stories")
    report = cli_json("ingest", str(corpus), "--db", url, "--no-analyze", "--no-assign")
    assert len(report["ingested"]) == len(CORPUS) and report["failed"] == []
    return url, cli_json("assign", "--db", url)


class Ids:
    """Article and story ids of the corpus in one database."""

    def __init__(self, url: str) -> None:
        rows = cli_json("articles", "--db", url, "--limit", "100")
        by_url = {row["url"]: row for row in rows}
        self.article = {key: by_url[r["url"]]["id"] for key, r in CORPUS.items()}
        self.story = {key: by_url[r["url"]]["story_id"] for key, r in CORPUS.items()}
        self.event = {key: by_url[r["url"]]["event_id"] for key, r in CORPUS.items()}


@pytest.fixture(scope="module", params=BACKENDS)
def placed(request, tmp_path_factory) -> tuple[str, dict[str, Any], Ids]:
    """One database of each kind for the read-only tests."""
    url, report = build(tmp_path_factory.mktemp("cli-stories"), request.param)
    return url, report, Ids(url)


@pytest.fixture(params=BACKENDS)
def fresh(request, tmp_path) -> tuple[str, Ids]:
    """A database of its own, for tests that merge or split."""
    url, _ = build(tmp_path, request.param)
    return url, Ids(url)


def test_assign_reports_what_it_placed(placed):
    url, report, ids = placed
    assert report == {
        "assigned": 6,
        "new_stories": 3,
        "new_events": 4,
        "copies": 1,
        "merges": 0,
        "not_grouped": 0,
        "not_by_publication_date": 0,
        "dated_from_story": 0,
    }
    flood = ids.story["dam"]
    assert {ids.story[k] for k in ("evacuation", "copy", "inquiry")} == {flood}
    assert len({flood, ids.story["chess"], ids.story["harbour"]}) == 3
    assert ids.event["evacuation"] == ids.event["copy"] == ids.event["dam"]
    assert ids.event["inquiry"] != ids.event["dam"]
    again = cli_json("assign", "--db", url)
    assert again["assigned"] == 0


def test_stories_since_lists_only_stories_active_since_then(placed):
    url, _, ids = placed
    everything = cli_json("stories", "--db", url)
    assert {s["id"] for s in everything} == {ids.story[k] for k in ("dam", "chess", "harbour")}
    recent = cli_json("stories", "--db", url, "--since", "2031-03-10")
    assert [s["id"] for s in recent] == [ids.story["dam"], ids.story["harbour"]]
    assert recent[0]["last_seen"].startswith("2031-03-12T10:00")
    later = cli_json("stories", "--db", url, "--since", "2031-03-11T10:00")
    assert [s["id"] for s in later] == [ids.story["dam"]]
    assert cli_json("stories", "--db", url, "--since", "2031-04-01") == []
    table = cli("stories", "--db", url, "--since", "2031-03-10").stdout
    assert CORPUS["harbour"]["title"] in table and CORPUS["chess"]["title"] not in table


def test_story_tree_prints_events_with_copies_nested_under_their_original(placed):
    url, _, ids = placed
    flood = ids.story["dam"]
    lines = cli("story", str(flood), "--db", url, "--tree").stdout.splitlines()
    assert any("4 articles in 2 events" in line for line in lines)
    event_lines = [i for i, line in enumerate(lines) if re.search(r"\bevent \d+\b", line)]
    numbers = [re.findall(r"event (\d+)", lines[i])[0] for i in event_lines]
    assert numbers == [str(ids.event["dam"]), str(ids.event["inquiry"])]
    assert "(2031-03-01, 3 articles)" in lines[event_lines[0]]
    assert "(2031-03-12, 1 article" in lines[event_lines[1]]
    [original] = [i for i, line in enumerate(lines) if ids.article["dam"] in line]
    [copy] = [i for i, line in enumerate(lines) if ids.article["copy"] in line]
    assert "near copy" in lines[copy] and "near copy" not in lines[original]
    assert event_lines[0] < original < copy < event_lines[1]
    indent = len(lines[copy]) - len(lines[copy].lstrip(" │├└─"))
    assert indent > len(lines[original]) - len(lines[original].lstrip(" │├└─"))
    [inquiry] = [i for i, line in enumerate(lines) if ids.article["inquiry"] in line]
    assert inquiry > event_lines[1]


def test_story_json_has_events_tree_and_changes(placed):
    url, _, ids = placed
    data = cli_json("story", str(ids.story["dam"]), "--db", url)
    assert {"events", "tree", "changes", "articles"} <= set(data)
    assert data["changes"] == []
    assert [e["id"] for e in data["events"]] == [ids.event["dam"], ids.event["inquiry"]]
    first, second = data["events"]
    assert first["article_ids"] == [ids.article[k] for k in ("dam", "evacuation", "copy")]
    assert first["article_count"] == 3
    assert second["article_ids"] == [ids.article["inquiry"]]
    tree_first, tree_second = data["tree"]
    originals = {a["id"]: a for a in tree_first["articles"]}
    assert set(originals) == {ids.article["dam"], ids.article["evacuation"]}
    [copy] = originals[ids.article["dam"]]["copies"]
    assert copy["id"] == ids.article["copy"]
    assert copy["duplicate_kind"] == "near copy"
    assert copy["duplicate_of"] == ids.article["dam"]
    assert originals[ids.article["evacuation"]]["copies"] == []
    assert [a["id"] for a in tree_second["articles"]] == [ids.article["inquiry"]]


def test_merge_stories_then_the_old_id_says_it_was_merged(fresh):
    url, ids = fresh
    chess, harbour = ids.story["chess"], ids.story["harbour"]
    merged = cli("merge-stories", str(chess), str(harbour), "--db", url).stdout
    assert f"story {chess} merged into story {harbour}: 2 articles" in merged
    shown = cli("story", str(chess), "--db", url).stdout
    assert f"story {chess} was merged into story {harbour}" in shown
    assert re.search(rf"merged .*story {chess} into story {harbour}", shown)
    data = cli_json("story", str(chess), "--db", url)
    assert data["id"] == harbour
    assert set(data["article_ids"]) == {ids.article["chess"], ids.article["harbour"]}
    [change] = data["changes"]
    assert (change["kind"], change["story_id"], change["other_story_id"]) == (
        "merged",
        harbour,
        chess,
    )
    listed = {s["id"] for s in cli_json("stories", "--db", url)}
    assert chess not in listed and harbour in listed
    again = cli("merge-stories", str(chess), str(ids.story["dam"]), "--db", url, code=1)
    assert "was merged into story" in again.stderr


def test_split_event_moves_an_event_out_and_refuses_an_only_event(fresh):
    url, ids = fresh
    refused = cli("split-event", str(ids.event["chess"]), "--db", url, code=1)
    assert "only event" in refused.stderr and refused.stdout == ""
    done = cli("split-event", str(ids.event["inquiry"]), "--db", url).stdout
    found = re.search(rf"event {ids.event['inquiry']} is now story (\d+)", done)
    assert found is not None
    new = int(found.group(1))
    data = cli_json("story", str(new), "--db", url)
    assert data["article_ids"] == [ids.article["inquiry"]]
    assert [c["kind"] for c in data["changes"]] == ["split"]
    old = cli_json("story", str(ids.story["dam"]), "--db", url)
    assert ids.article["inquiry"] not in old["article_ids"]
    assert [(c["kind"], c["other_story_id"]) for c in old["changes"]] == [("split", new)]
    missing = cli("split-event", "9999", "--db", url, code=3)
    assert "no event with id 9999" in missing.stderr


def test_a_follow_up_to_a_split_off_event_joins_the_new_story(fresh, tmp_path):
    url, ids = fresh
    done = cli("split-event", str(ids.event["inquiry"]), "--db", url).stdout
    new = int(re.findall(r"is now story (\d+)", done)[0])
    follow_up = {
        "url": "https://www.sundial.example/inquiry-day-two",
        "title": "Brisk dam inquiry hears engineers",
        "text": "Engineers told the public inquiry into the burst Lessen dam in Brisk that cracks "
        "in the dam had been reported for years before the flood.",
        "published": "2031-03-12T16:00:00Z",
    }
    path = tmp_path / "more.jsonl"
    path.write_text(json.dumps(follow_up) + "\n", encoding="utf-8")
    cli_json("ingest", str(path), "--db", url, "--no-analyze")
    data = cli_json("story", str(new), "--db", url)
    assert len(data["article_ids"]) == 2 and ids.article["inquiry"] in data["article_ids"]
    assert [e["id"] for e in data["events"]] == [ids.event["inquiry"]]
    assert len(cli_json("story", str(ids.story["dam"]), "--db", url)["article_ids"]) == 3


def test_assign_merges_two_stories_that_a_new_event_bridges(tmp_path):
    def jsonl(name: str, records: list[dict[str, str]]) -> str:
        path = tmp_path / name
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
        return str(path)

    harbour = {
        "url": "https://www.harborpost.example/wall-collapses",
        "title": "Velmora harbour wall collapses",
        "text": "The old harbour wall in Velmora collapsed during a storm, and fishermen moved "
        "their boats to the quay.",
        "published": "2031-03-01T09:00:00Z",
    }
    ferry = {
        "url": "https://www.sundial.example/ferry-strike",
        "title": "Ostrava ferry crews strike",
        "text": "Ferry crews in Ostrava walked out over pay, stranding commuters on the island "
        "route.",
        "published": "2031-03-01T10:00:00Z",
    }
    bridge = {
        "url": "https://www.northwire.example/wall-and-strike",
        "title": "Velmora harbour wall collapse strands Ostrava ferry as crews strike",
        "text": "The collapsed harbour wall in Velmora left fishermen moving boats to the quay, "
        "while ferry crews in Ostrava, on strike over pay, stranded commuters on the island route.",
        "published": "2031-03-04T09:00:00Z",
    }
    url = f"sqlite:///{tmp_path / 'merge.db'}"
    cli_json("ingest", jsonl("a.jsonl", [harbour, ferry]), "--db", url, "--no-analyze")
    before = {s["article_ids"][0]: s["id"] for s in cli_json("stories", "--db", url)}
    assert len(before) == 2
    cli_json("ingest", jsonl("b.jsonl", [bridge]), "--db", url, "--no-analyze", "--no-assign")
    report = cli_json("assign", "--db", url)
    assert (report["assigned"], report["merges"], report["new_stories"]) == (1, 1, 0)
    [story] = cli_json("stories", "--db", url)
    older, younger = sorted(before.values())
    assert story["id"] == older and story["article_count"] == 3
    data = cli_json("story", str(younger), "--db", url)
    assert data["id"] == older
    [change] = data["changes"]
    assert (change["kind"], change["story_id"], change["other_story_id"]) == (
        "merged",
        older,
        younger,
    )
    bridge_id = next(a["id"] for a in data["articles"] if a["url"] == bridge["url"])
    assert change["article_id"] == bridge_id
    assert "cosine" in change["detail"]
    assert len(data["events"]) == 3
    shown = cli("story", str(younger), "--db", url).stdout
    assert f"story {younger} was merged into story {older}" in shown


def test_the_installed_command_exits_3_for_an_unknown_story_and_1_for_a_refused_split(placed):
    url, _, ids = placed

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "storyline", *args, "--db", url],
            capture_output=True,
            text=True,
            timeout=120,
        )

    unknown = run("story", "424242")
    assert unknown.returncode == 3
    assert "no story with id 424242" in unknown.stderr and unknown.stdout == ""
    refused = run("split-event", str(ids.event["harbour"]))
    assert refused.returncode == 1
    assert "only event" in refused.stderr


# --- the API over real HTTP -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(placed):
    url, _, _ = placed
    with live_server(url) as client:
        yield client


def test_api_stories_since(server, placed):
    _, _, ids = placed
    everything = server.get("/api/v1/stories").json()
    assert everything["total"] == 3
    recent = server.get("/api/v1/stories", params={"since": "2031-03-10"}).json()
    assert recent["total"] == 2
    assert [s["id"] for s in recent["items"]] == [ids.story["dam"], ids.story["harbour"]]
    later = server.get("/api/v1/stories", params={"since": "2031-03-11T10:00:00Z"}).json()
    assert later["total"] == 1 and [s["id"] for s in later["items"]] == [ids.story["dam"]]
    shifted = server.get("/api/v1/stories", params={"since": "2031-03-11T10:30:00+02:00"}).json()
    assert shifted["total"] == 2  # 08:30 UTC: the harbour story (09:00 UTC) counts again
    assert server.get("/api/v1/stories", params={"since": "2031-04-01"}).json() == {
        "items": [],
        "total": 0,
        "limit": 50,
        "offset": 0,
    }
    assert server.get("/api/v1/stories", params={"since": "yesterday"}).status_code == 422


def test_api_story_detail_has_the_tree(server, placed):
    _, _, ids = placed
    detail = server.get(f"/api/v1/stories/{ids.story['dam']}").json()
    assert detail["changes"] == []
    assert [e["id"] for e in detail["events"]] == [ids.event["dam"], ids.event["inquiry"]]
    first, second = detail["tree"]
    assert first["id"] == ids.event["dam"] and first["article_count"] == 3
    by_id = {a["id"]: a for a in first["articles"]}
    assert set(by_id) == {ids.article["dam"], ids.article["evacuation"]}
    [copy] = by_id[ids.article["dam"]]["copies"]
    assert (copy["id"], copy["duplicate_kind"]) == (ids.article["copy"], "near copy")
    assert copy["story_id"] == ids.story["dam"] and copy["event_id"] == ids.event["dam"]
    assert [a["id"] for a in second["articles"]] == [ids.article["inquiry"]]
    assert second["articles"][0]["copies"] == []
    missing = server.get("/api/v1/stories/424242")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_the_story_page_shows_the_copy_under_the_article_it_copies(server, placed):
    _, _, ids = placed
    page = server.get(f"/stories/{ids.story['dam']}").text
    tree = page[page.index('id="articles"') :]
    original = tree.index(f'href="/articles/{ids.article["dam"]}"')
    copies = tree.index('<ul class="copies">', original)
    assert tree.index(f'href="/articles/{ids.article["copy"]}"', copies) > copies
    assert "near copy by" in tree[copies:]
    assert tree.count('<li class="event">') >= 2  # the dam and its inquiry are events apart


@pytest.mark.parametrize("kind", BACKENDS)
def test_an_undated_story_is_listed_last_as_undated(tmp_path, kind):
    """A story of undated articles only has no span (not today's), comes after the dated
    stories on every backend (PostgreSQL sorts NULLs first unless told), and reads "undated"."""
    url, _ = build(tmp_path, kind)
    lone = tmp_path / "glass.txt"
    lone.write_text(
        "Tarrow glassblowers open their workshops\n\nThe glassblowers of Tarrow opened their "
        "workshops to visitors for the first time, showing furnaces, moulds and a century of "
        "coloured glass made in the old quarter.",
        encoding="utf-8",
    )
    cli_json("ingest", str(lone), "--db", url, "--no-analyze")
    listed = cli_json("stories", "--db", url)
    assert [s["first_seen"] is None for s in listed] == [False, False, False, True]
    assert listed[-1]["title"].startswith("Tarrow glassblowers")
    assert "undated" in cli("stories", "--db", url).stdout
    with live_server(url) as client:
        page = client.get("/").text  # the story list
        story_page = client.get(f"/stories/{listed[-1]['id']}").text
    first, last = (f'href="/stories/{listed[i]["id"]}"' for i in (0, -1))
    assert page.index(last) > page.index(first)
    assert "undated" in story_page
