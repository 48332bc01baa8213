"""Regressions for defects found in review: each of these once lost data or crashed a batch."""

from __future__ import annotations

import json
import subprocess
import sys

from storyline import Storyline
from storyline.store import Store
from tests.test_kill_and_resume import check_consistent, count, ingested_not_placed

BODY = (
    "The Tarrow ferry company said on Monday that it would add two evening crossings to Cask "
    "from May, after passenger numbers rose for a third year. The mayor welcomed the plan."
)


def _jsonl(path, records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def test_placeholder_dates_are_unknown_and_do_not_break_assignment(tmp_path, sqlite_url):
    records = [
        {
            "url": f"https://www.tarrowpost.example/{i}",
            "title": f"Ferry {i}",
            "text": BODY.replace("Monday", day),
            "published": published,
        }
        for i, (day, published) in enumerate(
            [
                ("Monday", "0001-01-01T00:00:00Z"),
                ("Tuesday", "9999-12-31T23:00:00-05:00"),
                ("Friday", "2031-05-02"),
            ]
        )
    ]
    path = tmp_path / "dates.jsonl"
    _jsonl(path, records)
    with Storyline(sqlite_url) as sl:
        report = sl.ingest([str(path)])
        stored = {a.url: a for a in map(sl.article, report.ingested)}
        again = sl.assign()
    assert len(stored) == 3 and not report.failures
    for placeholder in records[:2]:  # not taken: dated later from its story, as an estimate
        article = stored[placeholder["url"]]
        assert article.published_source == "story (weekday)"
        assert article.published_confidence == "low"
        assert "not a date" in article.published_note  # why its own date was not used
    assert stored[records[0]["url"]].published.year == 2031
    assert stored[records[2]["url"]].published_source == "record (day precision)"
    assert all(a.story_id for a in stored.values())
    assert again.assigned == 0


def test_field_values_postgres_would_refuse_are_stored_on_every_database(tmp_path, db_url):
    records = [
        {
            "url": "https://www.tarrowpost.example/long",
            "title": "Long outlet",
            "outlet": "Tarrow Post " * 40,
            "text": BODY,
        },
        {
            "url": "https://www.tarrowpost.example/lang",
            "title": "Language label",
            "language": "English (United Kingdom)",
            "text": BODY.replace("Monday", "Tuesday"),
        },
        {
            "url": "https://www.tarrowpost.example/nul",
            "title": "NUL byte",
            "text": BODY.replace("Monday", "Wednes\u0000day"),
        },
        {
            "url": "https://www.tarrowpost.example/" + "x" * 3000,
            "title": "Long URL",
            "text": BODY.replace("Monday", "Thursday"),
        },
    ]
    path = tmp_path / "fields.jsonl"
    _jsonl(path, records)
    with Storyline(db_url) as sl:
        report = sl.ingest([str(path)])
        stored = [sl.article(i) for i in report.ingested]
    assert report.failures == []
    assert len(stored) == 4
    by_title = {a.title: a for a in stored}
    # the key is the registered domain; a 480-character "name" is no name to show
    assert by_title["Long outlet"].outlet == "tarrowpost.example"
    assert by_title["Long outlet"].outlet_name is None
    assert by_title["Language label"].language == "en"
    assert "Wednesday" in by_title["NUL byte"].text


def test_urls_that_identify_nothing_do_not_merge_different_articles(tmp_path, sqlite_url):
    path = tmp_path / "na.jsonl"
    _jsonl(
        path,
        [
            {"url": "N/A", "title": "One", "text": BODY},
            {"url": "N/A", "title": "Two", "text": BODY.replace("ferry", "bus")},
        ],
    )
    with Storyline(sqlite_url) as sl:
        report = sl.ingest([str(path)])
    assert len(report.ingested) == 2


def test_a_canonical_link_to_the_front_page_is_ignored(tmp_path, sqlite_url):
    page = (
        "<html><head><title>{t}</title><link rel='canonical' href='https://www.tarrowpost.example/'>"
        "</head><body><article><h1>{t}</h1><p>{b}</p><p>{b}</p></article></body></html>"
    )
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "one.html").write_text(page.format(t="Ferry adds crossings", b=BODY))
    (folder / "two.html").write_text(
        page.format(t="Bus adds routes", b=BODY.replace("ferry", "bus").replace("Cask", "Lisk"))
    )
    with Storyline(sqlite_url) as sl:
        report = sl.ingest([str(folder)])
    assert len(report.ingested) == 2


def test_a_copy_never_points_at_another_copy(tmp_path, sqlite_url):
    text = "\n\n".join(BODY.replace("Monday", d) for d in ("Monday", "Tuesday", "Friday"))
    a = {
        "url": "https://www.a.example/x",
        "title": "A",
        "text": text,
        "published": "2031-05-03T10:00:00Z",
    }
    b = {
        "url": "https://www.b.example/x",
        "title": "B",
        "published": "2031-05-01T10:00:00Z",
        "text": text + "\n\nA spokesperson added that fares would not change this year.",
    }
    c = {
        "url": "https://www.c.example/x",
        "title": "C",
        "text": text,
        "published": "2031-05-04T10:00:00Z",
    }
    first, second = tmp_path / "a.jsonl", tmp_path / "bc.jsonl"
    _jsonl(first, [a])
    _jsonl(second, [b, c])
    with Storyline(sqlite_url) as sl:
        sl.ingest([str(first)])
        sl.ingest([str(second)])
        rows = {r["url"]: r for r in sl.articles()}
        repointed = sl.article(rows[a["url"]]["id"])
    root = rows[b["url"]]["id"]
    assert rows[b["url"]]["duplicate_of"] is None
    assert rows[a["url"]]["duplicate_of"] == root
    assert rows[c["url"]]["duplicate_of"] == root
    assert repointed.duplicate_similarity is not None


def test_two_assign_runs_at_once_place_each_article_once(tmp_path):
    source, db = tmp_path / "many.jsonl", tmp_path / "two.db"
    url = ingested_not_placed(source, db, 300)
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "storyline", "assign", "--db", url],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for run in runs:
        assert run.wait(timeout=300) == 0, run.stderr.read() if run.stderr else ""
    check_consistent(db, 300)
    assert count(db, "SELECT COUNT(*) FROM stories WHERE article_count = 0") == 0


def test_outlet_filter_reports_the_true_total(tmp_path, sqlite_url):
    path = tmp_path / "outlets.jsonl"
    _jsonl(
        path,
        [
            {
                "url": f"https://www.{site}.example/{i}",
                "title": f"{site} {i}",
                "text": BODY.replace("Monday", f"day {i} in {site}"),
            }
            for i, site in enumerate(["alpha", "alpha", "alpha", "beta"])
        ],
    )
    with Storyline(sqlite_url) as sl:
        sl.ingest([str(path)])
    assert Store(sqlite_url).count_articles(outlet="alpha.example") == 3


def test_invalid_url_and_unwritable_database_get_clear_errors(tmp_path, sqlite_url):
    with Storyline(sqlite_url) as sl:
        report = sl.ingest(["http://[bad"])
    assert "not a valid http(s) URL" in report.failures[0].reason
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = subprocess.run(
        [sys.executable, "-m", "storyline", "stories", "--db", f"sqlite:///{blocker}/sub/x.db"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "cannot create the database folder" in result.stderr
    assert "Traceback" not in result.stderr
