"""ingest/jsonl.py: one article per line, one failure per bad line, never stopping early."""

import gzip
import json
from datetime import UTC, datetime

import pytest

from storyline.config import Settings
from storyline.errors import IngestError
from storyline.ingest.files import read_path
from storyline.ingest.jsonl import read_jsonl, record_to_article
from storyline.model import Article, IngestFailure, SourceKind

GOOD_1 = {
    "url": "https://harbortimes.example/news/dock-strike",
    "title": "  Dock strike ends in Velmora  ",
    "text": "Dockers in Velmora returned to work on Tuesday after a four-day strike.",
    "published": "2031-05-02T08:00:00Z",
    "outlet": "Harbor Times",
}
GOOD_2 = {
    "url": "https://kelmarpost.example/school",
    "html": "<p>The Kelmar island school reopened after repairs to its roof.</p>",
    "date": "Fri, 02 May 2031 10:30:00 +0200",
    "language": "en",
}


def _lines():
    return [
        json.dumps(GOOD_1),
        "",  # blank lines are skipped, not failures
        "{this is not json",
        json.dumps(["a", "json", "array"]),
        json.dumps({"url": "https://harbortimes.example/empty", "title": "No body", "text": "  "}),
        json.dumps(GOOD_2),
    ]


@pytest.fixture
def jsonl_file(tmp_path):
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(_lines()) + "\n", encoding="utf-8")
    return path


def _check_batch(path, items):
    failures = {i.source: i.reason for i in items if isinstance(i, IngestFailure)}
    articles = {a.source: a for a in items if isinstance(a, Article)}
    assert set(failures) == {f"{path}:3", f"{path}:4", f"{path}:5"}
    assert "not valid JSON" in failures[f"{path}:3"]
    assert "column" in failures[f"{path}:3"]
    assert "not an object" in failures[f"{path}:4"]
    assert "no 'text' or 'html'" in failures[f"{path}:5"]
    assert set(articles) == {f"{path}:1", f"{path}:6"}

    first = articles[f"{path}:1"]
    assert first.source_kind == SourceKind.JSONL
    assert first.url == GOOD_1["url"]
    assert first.title == "Dock strike ends in Velmora"
    assert first.raw == GOOD_1["text"]
    assert first.raw_format == "text"
    assert first.outlet == "Harbor Times"
    assert first.published == datetime(2031, 5, 2, 8, 0, tzinfo=UTC)
    assert first.published_source == "record"
    assert first.published_note is None

    second = articles[f"{path}:6"]
    assert second.raw_format == "html"
    assert second.raw == GOOD_2["html"]
    assert second.title is None
    assert second.language == "en"
    assert second.published == datetime(2031, 5, 2, 8, 30, tzinfo=UTC)


def test_good_and_bad_lines(jsonl_file):
    items = list(read_jsonl(jsonl_file, Settings()))
    _check_batch(jsonl_file, items)
    # order follows the file
    assert [i.source.rsplit(":", 1)[1] for i in items] == ["1", "3", "4", "5", "6"]


def test_gzipped_jsonl(tmp_path):
    path = tmp_path / "batch.jsonl.gz"
    path.write_bytes(gzip.compress(("\n".join(_lines()) + "\n").encode("utf-8")))
    _check_batch(path, list(read_jsonl(path, Settings())))


def test_read_path_dispatches_gzipped_jsonl(tmp_path):
    path = tmp_path / "batch.ndjson.gz"
    path.write_bytes(gzip.compress(("\n".join(_lines()) + "\n").encode("utf-8")))
    _check_batch(path, list(read_path(tmp_path, Settings())))


def test_line_over_the_limit_fails_alone(tmp_path):
    path = tmp_path / "long.jsonl"
    long_record = {"text": "Velmora " * 500}
    short_record = {"text": "A short note from the Velmora harbour master."}
    path.write_text(json.dumps(long_record) + "\n" + json.dumps(short_record) + "\n")
    items = list(read_jsonl(path, Settings(max_article_bytes=1000)))
    assert isinstance(items[0], IngestFailure)
    assert items[0].source == f"{path}:1"
    assert "over the 1,000 limit" in items[0].reason
    assert isinstance(items[1], Article)
    assert items[1].raw == short_record["text"]


def test_binary_line_fails_alone(tmp_path):
    path = tmp_path / "mixed.jsonl"
    good = json.dumps({"text": "The Velmora lighthouse was repainted this week."}).encode()
    path.write_bytes(b"\x00\x01\x02garbage\x00\n" + good + b"\n")
    items = list(read_jsonl(path, Settings()))
    assert isinstance(items[0], IngestFailure)
    assert "binary" in items[0].reason
    assert isinstance(items[1], Article)


def test_unparseable_published_value_is_noted(tmp_path):
    article = record_to_article(
        {"text": "The harbour wall in Velmora will be rebuilt.", "published": "last Tuesday"},
        "batch.jsonl:9",
    )
    assert article.published is None
    assert article.published_source is None
    assert "last Tuesday" in article.published_note


def test_record_with_non_string_text_is_refused():
    with pytest.raises(IngestError, match=r"batch\.jsonl:2"):
        record_to_article({"text": 12345, "title": "Numbers"}, "batch.jsonl:2")


def test_empty_html_falls_back_to_text():
    article = record_to_article(
        {"html": "   ", "text": "Velmora's ferry runs again."}, "batch.jsonl:4"
    )
    assert article.raw == "Velmora's ferry runs again."
    assert article.raw_format == "text"


def test_truncated_gzip_jsonl_is_a_failure_not_a_crash(tmp_path):
    lines = "".join(
        json.dumps({"text": f"Velmora harbour report number {i} with a few more words."}) + "\n"
        for i in range(300)
    )
    packed = gzip.compress(lines.encode())
    (tmp_path / "a-cut.jsonl.gz").write_bytes(packed[: len(packed) // 2])
    (tmp_path / "b-after.txt").write_text("The Velmora ferry sailed on time today.\n")
    items = list(read_path(tmp_path, Settings()))
    assert any(isinstance(i, Article) and i.source.endswith("a-cut.jsonl.gz:1") for i in items)
    assert any(isinstance(i, IngestFailure) and "a-cut.jsonl.gz" in i.source for i in items)
    assert any(isinstance(i, Article) and i.source.endswith("b-after.txt") for i in items)


def test_a_record_names_its_authors_as_a_string_or_a_list() -> None:
    from storyline.ingest.jsonl import record_to_article

    one = record_to_article({"text": "Quay reopens.", "author": " Anna Field "}, "a.jsonl:1")
    two = record_to_article({"text": "Quay reopens.", "authors": ["Anna Field", 7, ""]}, "a:2")
    none = record_to_article({"text": "Quay reopens.", "authors": {"x": 1}}, "a.jsonl:3")
    assert one.authors == ["Anna Field"] and two.authors == ["Anna Field"] and none.authors == []
