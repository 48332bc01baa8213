"""Bounded readers (issue 20): each hostile input that stopped a batch, printed a huge error or
took gigabytes is refused or contained, with one short failure line, and reading goes on.

Memory is checked with tracemalloc (what Python allocated at peak), not with timings.
"""

from __future__ import annotations

import gzip
import json
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from storyline import Storyline
from storyline.config import Settings
from storyline.errors import FeedError
from storyline.ingest import feeds as feeds_module
from storyline.ingest import files as files_module
from storyline.ingest.feed_bounds import MAX_FEED_DEPTH, MAX_FEED_ENTRIES
from storyline.ingest.feeds import articles_from_feed
from storyline.ingest.files import read_path
from storyline.ingest.jsonl import MAX_JSON_DEPTH, read_jsonl
from storyline.ingest.parquet import read_parquet
from storyline.ingest.warc import read_warc
from storyline.model import Article, IngestFailure, SourceKind
from storyline.safe_text import LINE_CHARS

MB = 1_000_000
TEXT = "Dockers in Velmora returned to work on Tuesday after a four-day strike over pay and hours."


def _record(n: int, **extra: object) -> str:
    return json.dumps({"url": f"https://harbortimes.example/{n}", "text": f"{TEXT} ({n})", **extra})


def _peak(read: Callable[[], list[Article | IngestFailure]]) -> tuple[list, int]:
    """What ``read`` returned and the most memory Python held while it ran."""
    tracemalloc.start()
    try:
        items = read()
        return items, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _failures(items: list) -> list[IngestFailure]:
    return [i for i in items if isinstance(i, IngestFailure)]


def _short(items: list) -> None:
    for failure in _failures(items):
        assert "\n" not in failure.reason and len(failure.reason) <= LINE_CHARS


# --- JSONL -------------------------------------------------------------------------------------


def test_a_line_nested_100000_deep_is_one_failure_and_the_next_lines_are_read(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text("\n".join([_record(1), "[" * 100_000, "{" * 50_000, _record(2)]) + "\n")
    items = list(read_jsonl(path, Settings()))
    assert [type(i) for i in items] == [Article, IngestFailure, IngestFailure, Article]
    assert items[1].source == f"{path}:2"
    assert f"nested deeper than {MAX_JSON_DEPTH} levels" in items[1].reason
    assert items[3].source == f"{path}:4"


def test_json_depth_counts_brackets_outside_strings_only(tmp_path):
    brackets = "[{" * 300 + '"[[' * 100  # inside a string: text, not nesting
    ok_deep = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)  # in the record: 100
    too_deep = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    path = tmp_path / "brackets.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps({"text": f"{TEXT} {brackets}"}),
                f'{{"text": "{TEXT}", "extra": {ok_deep}}}',
                f'{{"text": "{TEXT}", "extra": {too_deep}}}',
            ]
        )
        + "\n"
    )
    first, second, third = read_jsonl(path, Settings())
    assert isinstance(first, Article) and brackets in first.raw
    assert isinstance(second, Article)
    assert isinstance(third, IngestFailure) and "nested deeper" in third.reason


def test_a_lone_surrogate_is_replaced_and_the_article_is_stored(tmp_path, sqlite_url):
    path = tmp_path / "surrogate.jsonl"
    path.write_text(
        '{"url": "https://harbortimes.example/s", "title": "Quay \\ud800 works", '
        f'"text": "{TEXT} \\udfff and a pair \\ud83d\\ude00 kept."}}\n'
    )
    (article,) = read_jsonl(path, Settings())
    assert article.title == "Quay \ufffd works"
    assert "\ufffd and a pair \U0001f600 kept" in article.raw
    with Storyline(sqlite_url) as sl:
        report = sl.ingest([str(path)], assign=False, analyze=False)
        stored = sl.article(report.ingested[0])
    assert report.failures == [] and stored.title == "Quay \ufffd works"


def test_an_integer_of_5000_digits_is_one_failure(tmp_path):
    path = tmp_path / "digits.jsonl"
    path.write_text(f'{{"text": "{TEXT}", "n": {"9" * 5000}}}\n{_record(2)}\n')
    bad, good = read_jsonl(path, Settings())
    assert isinstance(bad, IngestFailure) and "not usable JSON" in bad.reason
    assert isinstance(good, Article)
    _short([bad])


def test_an_over_long_line_is_skipped_without_being_held(tmp_path):
    path = tmp_path / "nul.jsonl"
    with path.open("wb") as handle:
        handle.truncate(48 * MB)  # one line of 48 MB of NUL bytes
        handle.seek(0, 2)
        handle.write(b"\n" + _record(2).encode() + b"\n")
    items, peak = _peak(lambda: list(read_jsonl(path, Settings(max_article_bytes=1000))))
    assert [type(i) for i in items] == [IngestFailure, Article]
    assert "48,000,001 bytes, over the 1,000 limit" in items[0].reason
    assert items[1].source == f"{path}:2"
    assert peak < 8 * MB


def test_a_gzip_line_over_the_limit_is_skipped_without_being_held(tmp_path):
    path = tmp_path / "long.jsonl.gz"
    long_line = b'{"text": "' + b"Velmora " * (5 * MB) + b'"}\n'
    path.write_bytes(gzip.compress(long_line + _record(2).encode() + b"\n"))
    settings = Settings(max_article_bytes=1000, max_compression_ratio=10_000)
    items, peak = _peak(lambda: list(read_jsonl(path, settings)))
    assert [type(i) for i in items] == [IngestFailure, Article]
    assert "over the 1,000 limit" in items[0].reason
    assert peak < 8 * MB


def test_a_gzip_bomb_stops_at_the_compression_ratio(tmp_path):
    path = tmp_path / "bomb.jsonl.gz"
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    body = packer.compress((_record(1) + "\n").encode())
    body += b"".join(packer.compress(b" " * MB) for _ in range(40))  # blank: no records
    path.write_bytes(body + packer.compress(b"\n" + _record(2).encode()) + packer.flush())
    items = list(read_path(path, Settings()))
    assert isinstance(items[0], Article)
    assert "decompression bomb" in items[-1].reason
    assert "STORYLINE_MAX_COMPRESSION_RATIO" in items[-1].reason
    assert not any(isinstance(i, Article) and i.source.endswith(":2") for i in items)


def test_a_compressed_file_stops_at_max_decompressed_bytes(tmp_path):
    path = tmp_path / "many.jsonl.gz"
    path.write_bytes(gzip.compress("".join(_record(n) + "\n" for n in range(5000)).encode()))
    items = list(read_jsonl(path, Settings(max_decompressed_bytes=100_000)))
    articles = [i for i in items if isinstance(i, Article)]
    assert 100 < len(articles) < 5000  # what came before the bound was read
    assert "max_decompressed_bytes" in items[-1].reason


def test_a_file_is_given_up_after_max_bad_run_bad_lines_in_a_row(tmp_path):
    path = tmp_path / "mostly-bad.jsonl"
    lines = [_record(1), "not json", "{}", _record(2), *(["[1, 2]"] * 5), _record(3)]
    path.write_text("\n".join(lines) + "\n")
    items = list(read_jsonl(path, Settings(max_bad_run=3)))
    kinds = [type(i).__name__ for i in items]
    # two bad lines, then a good one resets the run; three bad ones give the file up
    assert kinds == ["Article", *["IngestFailure"] * 2, "Article", *["IngestFailure"] * 4]
    assert "3 lines in a row gave no article" in items[-1].reason
    assert items[-1].source == str(path)


def test_nul_bytes_without_end_give_the_file_up(tmp_path):
    path = tmp_path / "sparse.jsonl"
    with path.open("wb") as handle:
        handle.truncate(200 * MB)
    items, peak = _peak(lambda: list(read_path(path, Settings(max_article_bytes=MB))))
    assert len(items) == 2 and all(isinstance(i, IngestFailure) for i in items)
    assert "or more, over the 1,000,000 limit" in items[0].reason
    assert "bytes in a row held no readable article" in items[1].reason
    assert peak < 8 * MB  # the file was neither held nor read to its end


def test_blank_lines_are_passed_in_bulk_and_line_numbers_kept(tmp_path):
    path = tmp_path / "gaps.jsonl"
    path.write_text(_record(1) + "\n\n  \n\r\n" + _record(2) + "\n" + "\n" * 100_000 + "[1]\n")
    first, second, third = read_jsonl(path, Settings())
    assert (first.source, second.source) == (f"{path}:1", f"{path}:5")
    assert third.source == f"{path}:100006"


# --- WARC --------------------------------------------------------------------------------------


def _warc_record(payload: bytes, *, http: bytes | None = None, length: int | None = None) -> bytes:
    block = (http or b"") + payload
    kind = b"response" if http else b"resource"
    size = len(block) if length is None else length
    return (
        b"WARC/1.0\r\nWARC-Type: " + kind + b"\r\nWARC-Target-URI: https://harbortimes.example/"
        b"\r\nContent-Type: "
        + (b"application/http; msgtype=response" if http else b"text/html")
        + b"\r\nContent-Length: "
        + str(size).encode()
        + b"\r\n\r\n"
        + block
        + b"\r\n\r\n"
    )


PAGE = f"<html><body><p>{TEXT}</p></body></html>".encode()


def test_a_zero_filled_warc_is_one_short_failure_at_once(tmp_path):
    path = tmp_path / "zeros.warc"
    with path.open("wb") as handle:
        handle.truncate(24 * MB)
    items, peak = _peak(lambda: list(read_warc(path, Settings())))
    (failure,) = items
    assert isinstance(failure, IngestFailure)
    assert "header lines run past" in failure.reason or "first line" in failure.reason
    _short(items)
    assert peak < 32 * MB


def test_a_gzip_of_zeros_named_warc_is_one_short_failure(tmp_path):
    path = tmp_path / "zeros.warc.gz"
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    path.write_bytes(b"".join(packer.compress(bytes(MB)) for _ in range(64)) + packer.flush())
    items, peak = _peak(lambda: list(read_warc(path, Settings())))
    (failure,) = items
    assert "decompression bomb" in failure.reason or "header lines run past" in failure.reason
    _short(items)
    assert peak < 64 * MB


def test_a_warc_gzip_bomb_stops_as_a_bomb(tmp_path):
    path = tmp_path / "bomb.warc.gz"
    head = _warc_record(b"", length=10**12)[: -len(b"\r\n\r\n")]
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    body = packer.compress(head) + b"".join(packer.compress(bytes(MB)) for _ in range(80))
    path.write_bytes(body + packer.flush())
    items, peak = _peak(lambda: list(read_warc(path, Settings(max_article_bytes=MB))))
    assert "over the 1,000,000-byte article limit" in items[0].reason
    assert "decompression bomb" in items[-1].reason
    assert peak < 100 * MB  # warcio inflates 16 KB at a time: at most 16 MB each


def test_a_chunked_gzip_bomb_in_a_record_is_refused_without_inflating_it(tmp_path):
    bomb = gzip.compress(bytes(50 * MB))
    chunk = f"{len(bomb):x}\r\n".encode() + bomb + b"\r\n0\r\n\r\n"
    http = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    path = tmp_path / "chunked.warc"
    path.write_bytes(_warc_record(chunk, http=http) + _warc_record(PAGE))
    items, peak = _peak(lambda: list(read_warc(path, Settings(max_article_bytes=MB))))
    assert [type(i) for i in items] == [IngestFailure, Article]
    assert "inflates to over the 1,000,000-byte article limit" in items[0].reason
    assert peak < 16 * MB


def test_an_http_chunk_over_the_limit_is_refused(tmp_path):
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
    path = tmp_path / "chunk.warc"
    path.write_bytes(_warc_record(b"7fffffff\r\n<p>short", http=http) + _warc_record(PAGE))
    first, second = read_warc(path, Settings(max_article_bytes=MB))
    assert "HTTP chunk of 2,147,483,647 bytes" in first.reason
    assert isinstance(second, Article) and second.source_kind == SourceKind.WARC


def test_warc_header_lines_are_bounded(tmp_path):
    path = tmp_path / "header.warc"
    path.write_bytes(_warc_record(PAGE) + b"WARC/1.0\r\nX-Filler: " + b"a" * (3 * MB) + b"\r\n")
    first, second = read_warc(path, Settings())
    assert isinstance(first, Article)
    assert "header lines run past 1,048,576 bytes" in second.reason
    _short([second])


def test_a_wrong_content_length_is_a_failure_not_a_warning_on_stderr(tmp_path, capsys):
    path = tmp_path / "length.warc"
    wrong = _warc_record(PAGE, length=len(PAGE) - 10)
    path.write_bytes(wrong + _warc_record(PAGE.replace(b"Tuesday", b"Monday")))
    items = list(read_warc(path, Settings()))
    assert any(isinstance(i, IngestFailure) for i in items)
    assert capsys.readouterr().err == ""
    _short(items)


# --- feeds -------------------------------------------------------------------------------------


def _rss(title: str, description: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Velmora Post</title>'
        f"<item><title>{title}</title><link>https://velmorapost.example/1</link>"
        f"<description>{description}</description></item>"
        f"<item><title>Second</title><link>https://velmorapost.example/2</link>"
        f"<description>{TEXT}</description></item></channel></rss>"
    ).encode()


def test_character_references_to_no_character_do_not_fail_the_feed():
    data = _rss("Quay &#xD800; works &#55296;", f"{TEXT} &#x110000; &#0; &#x1F600;")
    first, second = articles_from_feed(data, "velmora.rss", Settings(), client=None)
    assert first.title == "Quay \ufffd works \ufffd"
    assert "\ufffd \ufffd \U0001f600" in first.raw
    assert isinstance(second, Article)


def test_a_feedparser_crash_is_one_feed_error(monkeypatch):
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("parser state\nwith a second line")

    monkeypatch.setattr(feeds_module.feedparser, "parse", explode)
    with pytest.raises(FeedError) as info:
        list(articles_from_feed(_rss("t", TEXT), "velmora.rss", Settings(), client=None))
    assert "RuntimeError" in str(info.value) and "\n" not in str(info.value)


def test_one_odd_entry_fails_alone(monkeypatch):
    dates = iter([RuntimeError("odd date"), None])

    def entry_date(entry: object) -> None:
        found = next(dates)
        if isinstance(found, Exception):
            raise found

    monkeypatch.setattr(feeds_module, "_entry_date", entry_date)
    odd, good = articles_from_feed(_rss("Odd", TEXT), "velmora.rss", Settings(), client=None)
    assert isinstance(odd, IngestFailure) and odd.source == "velmora.rss#entry1"
    assert "unexpected RuntimeError while reading a feed entry (odd date)" in odd.reason
    assert isinstance(good, Article)


def test_a_feed_nested_deeper_than_feedparser_can_hold_is_refused_at_once(tmp_path):
    path = tmp_path / "deep.rss"
    path.write_bytes(_rss("<b>" * 300_000, TEXT))
    items, peak = _peak(lambda: list(read_path(path, Settings())))
    (failure,) = items
    assert f"nests elements deeper than {MAX_FEED_DEPTH} levels" in failure.reason
    assert peak < 16 * MB


def test_a_feed_of_too_many_entries_is_refused_before_parsing(tmp_path):
    path = tmp_path / "many.rss"
    path.write_bytes(
        _rss("t", TEXT).replace(
            b"</channel>", b"<item><title>a</title></item>" * 20_000 + b"</channel>"
        )
    )
    (failure,) = read_path(path, Settings())
    assert f"over the {MAX_FEED_ENTRIES:,} storyline reads from one feed" in failure.reason


def test_sloppy_html_in_a_feed_is_not_taken_for_deep_nesting():
    sloppy = "".join(f"<p>{TEXT}<br>" for _ in range(300))  # open <p>s, bare <br>s: not XML
    cdata = "<![CDATA[" + "<div>" * 300 + "]]>"
    first, second = articles_from_feed(_rss("Sloppy", sloppy + cdata), "s.rss", Settings(), None)
    assert isinstance(first, Article) and TEXT in first.raw
    assert isinstance(second, Article)


# --- Parquet -----------------------------------------------------------------------------------


def test_a_parquet_text_bomb_is_skipped_from_its_metadata(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "bomb.parquet"
    rows = {"text": ["a" * (20 * MB), TEXT], "url": ["https://a.example/1", "https://a.example/2"]}
    pq.write_table(pa.table(rows), path, compression="zstd", row_group_size=2)
    pq.write_table(
        pa.table({"text": [TEXT], "url": ["https://a.example/3"]}), tmp_path / "ok.parquet"
    )
    items, peak = _peak(lambda: list(read_parquet(path, Settings(max_article_bytes=1000))))
    (failure,) = items
    assert failure.source == f"{path}:1-2" and failure.reason.startswith("rows skipped:")
    assert peak < 8 * MB


# --- any file ----------------------------------------------------------------------------------


def test_an_unexpected_reader_error_fails_that_file_and_the_batch_goes_on(tmp_path, monkeypatch):
    def broken(path: Path, settings: Settings) -> Iterator[Article]:
        raise RuntimeError("reader bug\n" + "x" * 5000)

    monkeypatch.setattr(files_module, "read_jsonl", broken)
    (tmp_path / "a.jsonl").write_text(_record(1) + "\n")
    (tmp_path / "b.txt").write_text(TEXT)
    first, second = read_path(tmp_path, Settings())
    assert isinstance(first, IngestFailure) and first.source == str(tmp_path / "a.jsonl")
    assert first.reason.startswith("unexpected RuntimeError while reading (reader bug x")
    _short([first])
    assert isinstance(second, Article)


def test_failure_lines_are_one_line_of_valid_text():
    failure = IngestFailure("bad\nname\ud800.txt", "line one\nline two " + "y" * 5000)
    assert failure.source == "bad\ufffdname\ufffd.txt"
    assert failure.reason.startswith("line one line two yyy") and len(failure.reason) == LINE_CHARS
    assert failure.reason.endswith("…")


def test_every_text_field_of_an_article_is_made_valid():
    article = Article(
        source="a\udc80.txt", source_kind=SourceKind.TEXT, raw="x\ud800", title="t\udfff"
    )
    assert (article.source, article.raw, article.title) == ("a\ufffd.txt", "x\ufffd", "t\ufffd")
