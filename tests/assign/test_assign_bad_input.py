"""Assign stage on awkward input, through `Storyline.ingest` into a real SQLite database.

Near-empty pages, boilerplate repeated across sites, undated articles, translations and rewrites,
spammy republications, copies that arrive before their original, and a second run of assign.
All outlets, places and people are fictional.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storyline import Storyline, get_settings
from storyline.assign.dedup import signature
from storyline.model import UNDATED_NOTE, Stage

# A report with many names and numbers (38 distinct ones), and a rewrite of it in other words
# that keeps them: what a translation or a close rewrite of a wire story looks like.
BRIDGES = (
    "Mayor Ansel Brook of Velmora met Governor Petra Lind in Harwick on 14 March 2031 to settle "
    "the bridge dispute. Brook and Lind agreed to fund 3 bridges over the Lessen river for 48 "
    "million crowns, with Koval Works and Dunmore Partners building them by 2034.\n\n"
    "Lind said Harwick would add 12 buses and 240 jobs once the crossings open. Councillor Ida "
    "Vasko, Councillor Rune Halloway and Treasurer Mona Seld backed the plan at a vote in Velmora "
    "Hall, while opposition leader Gregor Pim called it rushed.\n\n"
    "Neighbouring Ostmark and Tallin have asked for 6 more bridges, according to the Lessen "
    "Basin Authority."
)
BRIDGES_REWRITTEN = (
    "In Harwick on 14 March 2031, Governor Petra Lind sat down with Mayor Ansel Brook of Velmora "
    "and ended their quarrel over crossings. Under the deal, 3 bridges spanning the Lessen will "
    "cost 48 million crowns; Koval Works and Dunmore Partners are to finish them before 2034.\n\n"
    "Once traffic flows, Harwick gains 12 buses and 240 posts, Lind promised. At Velmora Hall the "
    "scheme won support from Councillor Ida Vasko, Councillor Rune Halloway and Treasurer Mona "
    "Seld; Gregor Pim, who leads the opposition, complained it was hasty.\n\n"
    "Ostmark and Tallin, next door, now want 6 further bridges, the Lessen Basin Authority reports."
)
SPAM_TOP = "Subscribe to our newsletter"
SPAM_BOTTOM = (
    "Claim 200 free spins at LuckyReel Casino today! Bonus code WIN31\n\n"
    "Follow us on Facebook and Twitter"
)
FLOOD = (
    "Floodwater from the Lessen river reached the centre of Brisk on Monday, and rescue boats "
    "evacuated residents from homes near the dam. The river authority said levels would keep "
    "rising. Volunteers filled sandbags along the flooded river banks through the night."
)


def _jsonl(path: Path, records: list[dict[str, Any]]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def record(url: str, title: str, text: str, published: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"url": url, "title": title, "text": text}
    if published is not None:
        found["published"] = published
    return found


def open_db(tmp_path: Path, analyze: bool = False) -> Storyline:
    """A fresh SQLite database; analysis off unless asked for (it only adds entity features)."""
    url = f"sqlite:///{tmp_path / 'assign.db'}"
    return Storyline(settings=get_settings(db_url=url, analyze_on_ingest=analyze))


def by_url(sl: Storyline) -> dict[str, dict[str, Any]]:
    return {row["url"]: row for row in sl.articles(limit=1000)}


def all_story_members(sl: Storyline) -> set[str]:
    return {aid for story in sl.stories(limit=1000) for aid in story.article_ids}


ORIGINAL = record(
    "https://www.northwire.example/bridges",
    "Velmora and Harwick agree on three Lessen bridges",
    BRIDGES,
    "2031-03-14T12:00:00Z",
)


# --- too little text ------------------------------------------------------------------------------


def test_a_near_empty_article_is_stored_and_assigned_but_not_grouped(tmp_path):
    short = record(
        "https://www.valecourier.example/live",
        "Update",
        "Live coverage: more to follow in 2031, stay with us here.",
        "2031-03-14T13:00:00Z",
    )
    with open_db(tmp_path) as sl:
        ingested = sl.ingest([_jsonl(tmp_path / "a.jsonl", [ORIGINAL, short])], assign=False)
        assert len(ingested.ingested) == 2 and ingested.failures == []
        report = sl.assign()
        rows = by_url(sl)
        stored = sl.article(rows[short["url"]]["id"])
        members = all_story_members(sl)
    assert report.assigned == 2
    assert report.not_grouped == 1
    assert report.new_stories == 1
    assert Stage.ASSIGNED in stored.stages
    assert (stored.story_id, stored.event_id) == (None, None)
    assert stored.placement_note is not None
    assert stored.placement_note.startswith("not grouped: only ")
    assert "too few to compare" in stored.placement_note
    assert stored.placed_at == stored.published  # it had a date: the note is only about length
    assert stored.id not in members
    assert rows[ORIGINAL["url"]]["id"] in members


def test_identical_boilerplate_pages_from_many_sites_make_no_story(tmp_path):
    menu = "Home | Contact | About us | Archive 2031 | Page 1 of 12 | All rights reserved"
    pages = [record(f"https://www.portal{i}.example/index", "Menu", menu) for i in range(4)]
    with open_db(tmp_path) as sl:
        ingested = sl.ingest([_jsonl(tmp_path / "menus.jsonl", pages)], assign=False)
        report = sl.assign()
        rows = list(by_url(sl).values())
        stories = sl.stories()
        count = sl.store.count_stories()
    assert len(ingested.ingested) == 4, "each site's page is its own publication"
    assert (report.assigned, report.not_grouped, report.new_stories) == (4, 4, 0)
    assert stories == [] and count == 0
    for row in rows:
        assert row["story_id"] is None and row["event_id"] is None
        assert row["duplicate_of"] is None
        assert "not grouped" in row["placement_note"]


def test_the_same_error_page_from_many_sites_makes_no_story(tmp_path):
    not_found = (
        "Page not found. The page you requested could not be found. Return to the homepage or "
        "search the archive."
    )
    pages = [record(f"https://www.portal{i}.example/gone", "Notice", not_found) for i in range(3)]
    with open_db(tmp_path) as sl:
        ingested = sl.ingest([_jsonl(tmp_path / "gone.jsonl", pages)])
        stories = sl.stories()
    assert ingested.ingested == [] or stories == [], [s.article_ids for s in stories]


# --- no date --------------------------------------------------------------------------------------


def test_an_undated_article_is_placed_by_content_alone_never_by_ingest_time(tmp_path):
    undated = record("https://www.sundial.example/flood", "Brisk flood update", FLOOD)
    with open_db(tmp_path) as sl:
        sl.ingest([_jsonl(tmp_path / "undated.jsonl", [undated])], assign=False)
        report = sl.assign()
        stored = sl.article(by_url(sl)[undated["url"]]["id"])
        story = sl.story(stored.story_id)
    assert report.not_by_publication_date == 1
    assert stored.published is None and stored.published_confidence is None
    assert stored.ingested_at is not None  # kept, in its own field
    assert stored.placed_at is None
    assert stored.placement_note == UNDATED_NOTE
    assert story.first_seen is None and story.last_seen is None  # spans use dated members only
    assert [e.article_ids for e in story.events] == [[stored.id]]


def test_an_undated_article_joins_its_story_by_content_whatever_the_clock(tmp_path):
    """An undated report of a dated story joins it, however long after the story it arrives
    (the day storyline reads it says nothing of when it was written)."""
    dated = record(
        "https://www.sundial.example/flood-1",
        "Brisk flooded as Lessen river bursts its banks",
        FLOOD,
        "2019-05-06T09:00:00Z",
    )
    undated = record(
        "https://www.harbor.example/brisk-flood",
        "Lessen river floods Brisk",
        FLOOD.replace("Monday", "the night").replace("Volunteers", "Neighbours"),
    )
    with open_db(tmp_path) as sl:
        sl.ingest([_jsonl(tmp_path / "dated.jsonl", [dated])])
        sl.ingest([_jsonl(tmp_path / "undated.jsonl", [undated])])
        rows = by_url(sl)
        story = sl.story(rows[dated["url"]]["story_id"])
    assert rows[undated["url"]]["story_id"] == story.id
    assert story.first_seen == story.last_seen == datetime(2019, 5, 6, 9, tzinfo=UTC)


# --- copies ---------------------------------------------------------------------------------------


def test_a_rewrite_with_the_same_names_and_numbers_is_a_same_facts_copy(tmp_path):
    rewrite = record(
        "https://www.sundial.example/crossings",
        "Governor and mayor settle crossing quarrel",
        BRIDGES_REWRITTEN,
        "2031-03-14T18:00:00Z",
    )
    other = record(
        "https://www.sundial.example/flood", "Brisk flooded", FLOOD, "2031-03-14T19:00:00Z"
    )
    with open_db(tmp_path, analyze=True) as sl:  # as in real use: analysed on ingest
        sl.ingest([_jsonl(tmp_path / "a.jsonl", [ORIGINAL, rewrite, other])])
        rows = by_url(sl)
    original, copy = rows[ORIGINAL["url"]], rows[rewrite["url"]]
    assert original["duplicate_of"] is None and original["duplicate_kind"] is None
    assert copy["duplicate_of"] == original["id"]
    assert copy["duplicate_kind"] == "same facts"
    assert (copy["story_id"], copy["event_id"]) == (original["story_id"], original["event_id"])
    assert copy["story_id"] is not None
    assert rows[other["url"]]["duplicate_of"] is None
    assert rows[other["url"]]["story_id"] != original["story_id"]


def test_a_republished_copy_with_spam_and_a_new_title_is_a_near_copy(tmp_path):
    spammy = record(
        "https://www.valecourier.example/breaking-bridge-deal",
        "BREAKING: three bridges for the Lessen",
        f"{SPAM_TOP}\n\n{BRIDGES}\n\n{SPAM_BOTTOM}",
        "2031-03-15T08:00:00Z",
    )
    with open_db(tmp_path) as sl:
        sl.ingest([_jsonl(tmp_path / "a.jsonl", [ORIGINAL, spammy])])
        rows = by_url(sl)
        stored = sl.article(rows[spammy["url"]]["id"])
    original = rows[ORIGINAL["url"]]
    assert stored.duplicate_of == original["id"]
    assert stored.duplicate_kind == "near copy"
    assert stored.duplicate_similarity is not None and stored.duplicate_similarity >= 0.6
    assert (stored.story_id, stored.event_id) == (original["story_id"], original["event_id"])
    assert stored.title == spammy["title"]
    assert "LuckyReel" not in stored.text
    assert {line.line for line in stored.removed_lines} >= {SPAM_TOP}


def test_an_older_copy_ingested_later_becomes_the_original_and_kinds_are_kept(tmp_path):
    spammy = record(
        "https://www.valecourier.example/breaking-bridge-deal",
        "BREAKING: three bridges",
        f"{SPAM_TOP}\n\n{BRIDGES}\n\n{SPAM_BOTTOM}",
        "2031-03-15T08:00:00Z",
    )
    rewrite = record(
        "https://www.sundial.example/crossings",
        "Governor and mayor settle crossing quarrel",
        BRIDGES_REWRITTEN,
        "2031-03-14T18:00:00Z",
    )
    older = record(
        "https://www.harborpost.example/first-on-bridges",
        "Exclusive: Lessen bridge deal",
        BRIDGES + "\n\nThe Harbor Post first reported the talks.",
        "2031-03-13T07:00:00Z",
    )
    with open_db(tmp_path) as sl:
        sl.ingest([_jsonl(tmp_path / "first.jsonl", [ORIGINAL, spammy, rewrite])])
        before = by_url(sl)
        assert before[spammy["url"]]["duplicate_of"] == before[ORIGINAL["url"]]["id"]
        assert before[rewrite["url"]]["duplicate_of"] == before[ORIGINAL["url"]]["id"]
        report = sl.ingest([_jsonl(tmp_path / "second.jsonl", [older])], assign=False)
        assigned = sl.assign()
        rows = by_url(sl)
        story = sl.story(rows[older["url"]]["story_id"])
    root = rows[older["url"]]
    assert len(report.ingested) == 1 and assigned.assigned == 1 and assigned.copies == 1
    assert root["duplicate_of"] is None and root["duplicate_kind"] is None
    # the former original is now a word-for-word copy of the older article
    assert rows[ORIGINAL["url"]]["duplicate_of"] == root["id"]
    assert rows[ORIGINAL["url"]]["duplicate_kind"] == "near copy"
    # its copies follow it to the new root and keep the kind they were found as
    assert rows[spammy["url"]]["duplicate_of"] == root["id"]
    assert rows[spammy["url"]]["duplicate_kind"] == "near copy"
    assert rows[rewrite["url"]]["duplicate_of"] == root["id"]
    assert rows[rewrite["url"]]["duplicate_kind"] == "same facts"
    # all in one story and one event, the new root first
    assert {r["story_id"] for r in rows.values()} == {story.id}
    assert {r["event_id"] for r in rows.values()} == {root["event_id"]}
    assert story.article_ids[0] == root["id"]
    assert story.first_seen == root["published"]
    [event] = story.events
    assert event.article_count == 4 and event.first_seen == root["published"]


def test_a_near_copy_always_shares_wording_with_the_article_it_points_to(tmp_path):
    spammy = record(
        "https://www.valecourier.example/breaking-bridge-deal",
        "BREAKING: three bridges",
        f"{SPAM_TOP}\n\n{BRIDGES}\n\n{SPAM_BOTTOM}",
        "2031-03-15T08:00:00Z",
    )
    older_rewrite = record(  # the rewrite is dated before the English report it matches
        "https://www.sundial.example/crossings",
        "Governor and mayor settle crossing quarrel",
        BRIDGES_REWRITTEN,
        "2031-03-13T18:00:00Z",
    )
    with open_db(tmp_path) as sl:
        sl.ingest([_jsonl(tmp_path / "first.jsonl", [ORIGINAL, spammy])])
        sl.ingest([_jsonl(tmp_path / "second.jsonl", [older_rewrite])])
        rows = by_url(sl)
        texts = {row["id"]: sl.article(row["id"]).text for row in rows.values()}
    settings = get_settings()
    assert rows[ORIGINAL["url"]]["duplicate_of"] == rows[older_rewrite["url"]]["id"]
    assert rows[ORIGINAL["url"]]["duplicate_kind"] == "same facts"
    for row in rows.values():
        if row["duplicate_kind"] == "near copy":
            shared = signature(texts[row["id"]], settings).jaccard(
                signature(texts[row["duplicate_of"]], settings)
            )
            assert shared >= settings.dedup_threshold, (row["url"], row["duplicate_of"], shared)


# --- idempotence ----------------------------------------------------------------------------------


def test_running_assign_again_places_nothing_twice(tmp_path):
    spammy = record(
        "https://www.valecourier.example/breaking-bridge-deal",
        "BREAKING: three bridges",
        f"{SPAM_TOP}\n\n{BRIDGES}\n\n{SPAM_BOTTOM}",
        "2031-03-15T08:00:00Z",
    )
    flood = record("https://www.sundial.example/flood", "Brisk flooded", FLOOD, "2031-03-14T19:00Z")
    undated = record("https://www.sundial.example/flood-2", "Brisk flood update", FLOOD + " More.")
    path = _jsonl(tmp_path / "a.jsonl", [ORIGINAL, spammy, flood, undated])
    with open_db(tmp_path) as sl:
        sl.ingest([path], assign=False)
        first = sl.assign()
        before = by_url(sl)
        stories_before = [(s.id, s.article_count, s.last_seen) for s in sl.stories()]
        again = sl.assign()
        repeat = sl.ingest([path])  # the same file again: all known, nothing new to place
        after = by_url(sl)
        stories_after = [(s.id, s.article_count, s.last_seen) for s in sl.stories()]
    assert first.assigned == 4
    assert again.assigned == 0 and again.new_stories == 0 and again.new_events == 0
    assert repeat.ingested == [] and len(repeat.duplicates) == 4
    assert after == before
    assert stories_after == stories_before
