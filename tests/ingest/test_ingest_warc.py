"""ingest/warc.py: only 2xx HTML responses (and HTML resources) become Articles."""

import io
from datetime import UTC, datetime

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from storyline.config import Settings
from storyline.ingest.files import read_path
from storyline.ingest.warc import read_warc
from storyline.model import Article, IngestFailure, SourceKind

FERRY_URL = "https://harbortimes.example/news/kelmar-ferry"
FERRY_HTML = (
    "<html><head><title>Kelmar ferry returns</title></head><body>"
    "<p>The ferry to Kelmar island sailed again on Monday after a three-week repair.</p>"
    "</body></html>"
)


def _story(number):
    words = " ".join(f"word{number}x{i}" for i in range(150))
    return f"<html><body><p>Velmora story {number}: {words}</p></body></html>".encode()


def _write_warc(path, records, gzip=True):
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=gzip)
        for url, status, content_type, body, date in records:
            if status is None:  # a resource record: no HTTP headers
                record = writer.create_warc_record(
                    url,
                    "resource",
                    payload=io.BytesIO(body),
                    warc_content_type=content_type,
                )
            else:
                http = StatusAndHeaders(status, [("Content-Type", content_type)], "HTTP/1.1")
                record = writer.create_warc_record(
                    url,
                    "response",
                    payload=io.BytesIO(body),
                    http_headers=http,
                    warc_headers_dict={"WARC-Date": date} if date else None,
                )
            writer.write_record(record)


def _mixed_records():
    return [
        (
            FERRY_URL,
            "200 OK",
            "text/html; charset=utf-8",
            FERRY_HTML.encode(),
            "2031-05-02T09:30:00Z",
        ),
        (
            "https://harbortimes.example/img/ferry.png",
            "200 OK",
            "image/png",
            b"\x89PNG\r\n\x1a\n" + bytes(64),
            None,
        ),
        (
            "https://harbortimes.example/news/gone",
            "404 Not Found",
            "text/html",
            b"<html><body><p>Page not found</p></body></html>",
            None,
        ),
        (
            "https://harbortimes.example/old",
            "301 Moved Permanently",
            "text/html",
            b"<html><body><p>Moved</p></body></html>",
            None,
        ),
    ]


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz-style", "plain"])
def test_only_successful_html_responses_are_read(tmp_path, gzip):
    path = tmp_path / "crawl.warc"
    _write_warc(path, _mixed_records(), gzip=gzip)
    items = list(read_warc(path, Settings()))
    assert len(items) == 1
    (article,) = items
    assert isinstance(article, Article)
    assert article.source_kind == SourceKind.WARC
    assert article.url == FERRY_URL
    assert article.raw == FERRY_HTML
    assert article.raw_format == "html"
    assert article.encoding == "utf-8"
    assert article.fetched_at == datetime(2031, 5, 2, 9, 30, tzinfo=UTC)
    assert article.source.startswith(f"{path}#")


def test_declared_charset_is_used(tmp_path):
    path = tmp_path / "latin.warc"
    body = "<html><body><p>Straße nach Velmora gesperrt, sagte die Polizei.</p></body></html>"
    _write_warc(
        path,
        [(FERRY_URL, "200 OK", "text/html; charset=ISO-8859-1", body.encode("latin-1"), None)],
    )
    (article,) = read_warc(path, Settings())
    assert article.raw == body
    assert article.encoding == "iso-8859-1"


def test_html_resource_record_is_read(tmp_path):
    path = tmp_path / "resource.warc"
    _write_warc(path, [("https://kelmarpost.example/school", None, "text/html", _story(1), None)])
    (article,) = read_warc(path, Settings())
    assert isinstance(article, Article)
    assert article.url == "https://kelmarpost.example/school"
    assert "Velmora story 1" in article.raw


def test_record_over_the_limit_is_a_failure(tmp_path):
    path = tmp_path / "big.warc"
    _write_warc(
        path,
        [
            ("https://harbortimes.example/big", "200 OK", "text/html", _story(1) * 20, None),
            (FERRY_URL, "200 OK", "text/html", FERRY_HTML.encode(), None),
        ],
    )
    items = list(read_warc(path, Settings(max_article_bytes=5000)))
    assert isinstance(items[0], IngestFailure)
    assert "5,000-byte" in items[0].reason
    assert isinstance(items[1], Article)
    assert items[1].url == FERRY_URL


def test_empty_html_record_is_a_failure(tmp_path):
    path = tmp_path / "empty.warc"
    _write_warc(
        path,
        [
            ("https://harbortimes.example/blank", "200 OK", "text/html", b"   ", None),
            (FERRY_URL, "200 OK", "text/html", FERRY_HTML.encode(), None),
        ],
    )
    items = list(read_warc(path, Settings()))
    assert isinstance(items[0], IngestFailure)
    assert "empty" in items[0].reason
    assert isinstance(items[1], Article)


def test_warc_via_read_path(tmp_path):
    _write_warc(tmp_path / "crawl.warc.gz", _mixed_records())
    items = list(read_path(tmp_path, Settings()))
    assert [type(i) for i in items] == [Article]
    assert items[0].url == FERRY_URL


def test_garbage_warc_is_a_failure_not_an_exception(tmp_path):
    path = tmp_path / "junk.warc"
    path.write_bytes(bytes(range(256)) * 4)
    items = list(read_path(path, Settings()))
    assert len(items) == 1
    assert isinstance(items[0], IngestFailure)
    assert "malformed or truncated" in items[0].reason


def test_text_file_named_warc_is_reported(tmp_path):
    path = tmp_path / "notes.warc"
    path.write_bytes(b"These are meeting notes from the Velmora harbour board, not a WARC.\n" * 3)
    items = list(read_path(path, Settings()))
    assert len(items) == 1
    assert isinstance(items[0], IngestFailure)


def _truncated(tmp_path, gzip):
    path = tmp_path / "cut.warc"
    records = [(FERRY_URL, "200 OK", "text/html", FERRY_HTML.encode(), None)] + [
        (f"https://harbortimes.example/story/{i}", "200 OK", "text/html", _story(i), None)
        for i in range(1, 5)
    ]
    _write_warc(path, records, gzip=gzip)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize("gzip", [True, False], ids=["gzip", "plain"])
def test_truncated_warc_keeps_records_before_the_cut(tmp_path, gzip):
    path = _truncated(tmp_path, gzip)
    items = list(read_path(path, Settings()))  # never raises
    articles = [i for i in items if isinstance(i, Article)]
    assert articles[0].url == FERRY_URL
    assert articles[0].raw == FERRY_HTML
    assert all(isinstance(i, Article | IngestFailure) for i in items)
    # the fifth story lies wholly after the cut
    assert all(a.url != "https://harbortimes.example/story/4" for a in articles)


@pytest.mark.parametrize("gzip", [True, False], ids=["gzip", "plain"])
def test_truncated_warc_reports_a_failure(tmp_path, gzip):
    path = _truncated(tmp_path, gzip)
    items = list(read_path(path, Settings()))
    failures = [i for i in items if isinstance(i, IngestFailure)]
    assert len(failures) == 1
    assert "truncated" in failures[0].reason
    # and no partial record is passed off as a whole article
    full = {FERRY_HTML.encode()} | {_story(i) for i in range(1, 5)}
    assert all(a.raw.encode() in full for a in items if isinstance(a, Article))
