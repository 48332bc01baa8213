"""ingest/parquet.py: one article per row (the JSONL fields as columns), bad rows and bad files
reported, never stopping early."""

from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq

from storyline.config import Settings
from storyline.ingest.files import read_path
from storyline.model import Article, IngestFailure, SourceKind

ROWS = [
    {
        "url": "https://harbortimes.example/news/dock-strike",
        "title": "Dock strike ends in Velmora",
        "text": "Dockers in Velmora returned to work on Tuesday after a four-day strike.",
        "published": datetime(2031, 5, 2, 8, 0, tzinfo=UTC),
        "outlet": "Harbor Times",
    },
    {"url": "https://harbortimes.example/empty", "title": "No body", "text": "   "},
    {
        "url": "https://kelmarpost.example/school",
        "title": None,
        "text": "The Kelmar island school reopened after repairs to its roof.",
        "published": None,
        "outlet": None,
    },
]


def test_each_row_is_an_article_and_an_empty_row_a_failure(tmp_path) -> None:
    path = tmp_path / "shard-000.parquet"
    pq.write_table(pa.Table.from_pylist(ROWS), path)
    items = list(read_path(path, Settings()))
    assert [type(i) for i in items] == [Article, IngestFailure, Article]
    first, empty, last = items
    assert first.source_kind == SourceKind.PARQUET and first.source == f"{path}:1"
    assert first.title == "Dock strike ends in Velmora" and first.outlet == "Harbor Times"
    assert first.published == datetime(2031, 5, 2, 8, 0, tzinfo=UTC)
    assert empty.source == f"{path}:2" and "no 'text' or 'html'" in empty.reason
    assert last.published is None and last.title is None


def test_a_file_without_a_text_column_says_which_columns_it_has(tmp_path) -> None:
    path = tmp_path / "wrong.parquet"
    pq.write_table(pa.table({"body": ["Some article text."], "link": ["https://a.example/"]}), path)
    (failure,) = read_path(path, Settings())
    assert isinstance(failure, IngestFailure)
    assert "no 'text' or 'html' column" in failure.reason and "body, link" in failure.reason


def test_a_truncated_file_is_reported_not_raised(tmp_path) -> None:
    path = tmp_path / "cut.parquet"
    pq.write_table(pa.Table.from_pylist(ROWS), path)
    path.write_bytes(path.read_bytes()[:-200])
    (failure,) = read_path(path, Settings())
    assert isinstance(failure, IngestFailure) and "not a readable Parquet file" in failure.reason


def test_a_row_over_the_size_limit_is_refused(tmp_path) -> None:
    path = tmp_path / "big.parquet"
    pq.write_table(pa.Table.from_pylist([{"text": "word " * 400}, ROWS[0]]), path)
    big, good = read_path(path, Settings(max_article_bytes=1000))
    assert isinstance(big, IngestFailure) and "over the 1,000 limit" in big.reason
    assert isinstance(good, Article)
