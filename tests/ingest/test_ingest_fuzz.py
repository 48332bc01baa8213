"""Property-based fuzzing of every reader (issue 20): whatever the bytes, a reader only yields
Articles and IngestFailures, never raises, never gives a string UTF-8 cannot encode, and every
failure is one short line. Examples are few and small: the suite runs on two cores."""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
import tempfile
from collections.abc import Iterable
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storyline.config import Settings
from storyline.ingest.files import read_path
from storyline.ingest.watch import poll
from storyline.model import Article, IngestFailure
from storyline.safe_text import LINE_CHARS
from storyline.store.feeds import FeedState

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# small limits, so that the bounds are reached by small examples too
LIMITS = Settings(max_article_bytes=2000, max_bad_run=5, max_decompressed_bytes=50_000)

# text that JSON, XML and HTML make something of, lone surrogates included
_ODD = st.sampled_from(
    ["\ud800", "\udfff", "\x00", "\x1b[31m", "\n", "\r\n", "\u2028", "&#xD800;", "&#0;", "]", "["]
)
TEXTS = st.lists(st.one_of(st.text(max_size=30), _ODD), max_size=6).map("".join)


def _check(items: Iterable[object]) -> list[Article | IngestFailure]:
    """Read every item; each must be an Article or an IngestFailure with encodable text."""
    seen = []
    for item in items:
        assert isinstance(item, Article | IngestFailure), item
        for field in dataclasses.fields(item):
            value = getattr(item, field.name)
            if isinstance(value, str):
                value.encode("utf-8")  # raises on a lone surrogate
        if isinstance(item, IngestFailure):
            assert "\n" not in item.reason and "\r" not in item.reason
            assert len(item.reason) <= LINE_CHARS
        seen.append(item)
    return seen


def _read(folder: Path, name: str, data: bytes) -> list[Article | IngestFailure]:
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        return _check(read_path(path, LIMITS))


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.mark.parametrize(
    "name",
    [
        "a.jsonl",
        "a.jsonl.gz",
        "a.warc",
        "a.warc.gz",
        "a.parquet",
        "a.rss",
        "a.html",
        "a.txt",
        "noext",
    ],
)
@FUZZ
@given(data=st.binary(max_size=3000), packed=st.booleans())
def test_any_bytes_under_any_name(folder: Path, name: str, data: bytes, packed: bool) -> None:
    _read(folder, name, gzip.compress(data) if packed else data)


# --- JSON-ish lines ----------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | TEXTS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXTS, inner, max_size=4),
    max_leaves=12,
)
RECORDS = st.fixed_dictionaries(
    {},
    optional={
        "text": st.one_of(TEXTS, JSON_VALUES),
        "html": TEXTS,
        "title": st.one_of(TEXTS, JSON_VALUES),
        "url": TEXTS,
        "published": st.one_of(TEXTS, st.integers(), st.floats()),
        "outlet": TEXTS,
        "language": TEXTS,
    },
)
LINES = st.one_of(
    RECORDS.map(json.dumps),
    JSON_VALUES.map(json.dumps),
    st.integers(1, 300).map(lambda n: "[" * n),
    TEXTS,
)


@FUZZ
@given(lines=st.lists(LINES, max_size=12), cut=st.integers(0, 5000), packed=st.booleans())
def test_json_ish_lines(folder: Path, lines: list[str], cut: int, packed: bool) -> None:
    data = "\n".join(lines).encode("utf-8", "surrogatepass")[: cut or None]
    _read(
        folder,
        "lines.jsonl.gz" if packed else "lines.jsonl",
        gzip.compress(data) if packed else data,
    )


# --- WARC-ish bytes ----------------------------------------------------------------------------


def _warc(body: bytes, http: bytes, length: int | None, kind: bytes) -> bytes:
    block = http + body
    size = str(len(block) if length is None else length).encode()
    return (
        b"WARC/1.0\r\nWARC-Type: " + kind + b"\r\nWARC-Target-URI: https://a.example/\r\n"
        b"WARC-Date: 2031-05-02T09:30:00Z\r\nContent-Type: application/http; msgtype=response"
        b"\r\nContent-Length: " + size + b"\r\n\r\n" + block + b"\r\n\r\n"
    )


HTTP_HEADS = st.lists(
    st.sampled_from(
        [
            b"Content-Type: text/html; charset=utf-8\r\n",
            b"Content-Type: text/html; charset=nonsense\r\n",
            b"Transfer-Encoding: chunked\r\n",
            b"Content-Encoding: gzip\r\n",
            b"Content-Encoding: deflate\r\n",
            b"X-Long: " + b"a" * 5000 + b"\r\n",
        ]
    ),
    max_size=4,
).map(lambda heads: b"HTTP/1.1 200 OK\r\n" + b"".join(heads) + b"\r\n")
BODIES = st.one_of(
    st.binary(max_size=800),
    TEXTS.map(lambda t: f"<html><body><p>{t}</p></body></html>".encode("utf-8", "surrogatepass")),
    st.integers(0, 2**33).map(lambda n: f"{n:x}\r\n<p>chunk\r\n0\r\n\r\n".encode()),
    st.binary(max_size=400).map(gzip.compress),
)


@FUZZ
@given(
    records=st.lists(
        st.tuples(
            BODIES,
            HTTP_HEADS,
            st.one_of(st.none(), st.integers(-5, 10**6)),
            st.sampled_from([b"response", b"resource", b"request", b"nonsense"]),
        ),
        min_size=1,
        max_size=4,
    ),
    flips=st.lists(st.tuples(st.integers(0, 10**4), st.integers(0, 255)), max_size=4),
    cut=st.integers(0, 10**4),
    packed=st.booleans(),
)
def test_warc_ish_bytes(
    folder: Path,
    records: list[tuple[bytes, bytes, int | None, bytes]],
    flips: list[tuple[int, int]],
    cut: int,
    packed: bool,
) -> None:
    data = bytearray(b"".join(_warc(*record) for record in records))
    for at, value in flips:
        data[at % len(data)] = value
    damaged = bytes(data[: cut or None])
    if packed:  # record by record, as crawlers write them
        damaged = b"".join(gzip.compress(damaged[i : i + 700]) for i in range(0, len(damaged), 700))
    _read(folder, "crawl.warc.gz" if packed else "crawl.warc", damaged)


# --- feed-ish bytes ----------------------------------------------------------------------------

XML_TEXT = st.lists(
    st.one_of(
        TEXTS,
        st.sampled_from(
            ["&#xD800;", "&#55296;", "&#x110000;", "&#0;", "&#x1F600;", "&amp;", "&bogus;", "<b>"]
        ),
        st.sampled_from(["<![CDATA[", "]]>", "<item>", "</item>", "&#x99999999999999999999;"]),
    ),
    max_size=6,
).map("".join)


@FUZZ
@given(
    title=XML_TEXT,
    body=XML_TEXT,
    link=XML_TEXT,
    date=XML_TEXT,
    atom=st.booleans(),
    cut=st.integers(0, 2000),
)
def test_feed_ish_bytes(
    folder: Path, title: str, body: str, link: str, date: str, atom: bool, cut: int
) -> None:
    if atom:
        xml = (
            '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
            f"<entry><title>{title}</title><link href='{link}'/><updated>{date}</updated>"
            f"<content type='html'>{body}</content></entry></feed>"
        )
    else:
        xml = (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            f"<item><title>{title}</title><link>{link}</link><pubDate>{date}</pubDate>"
            f"<description>{body}</description></item></channel></rss>"
        )
    data = xml.encode("utf-8", "surrogatepass")[: cut or None]
    _read(folder, "news.rss", data)
    state = FeedState(url="https://feeds.example/rss")
    answer = httpx.MockTransport(lambda request: httpx.Response(200, content=data))
    with httpx.Client(transport=answer) as client:
        result = poll(
            state.url, state, client, LIMITS.model_copy(update={"feed_fetch_links": False})
        )
    assert result.status in ("new", "failed")
    if result.error:
        assert "\n" not in result.error
    _check(result.items)


# --- Parquet -----------------------------------------------------------------------------------

CLEAN_TEXT = st.text(st.characters(blacklist_categories=["Cs"]), max_size=60)


@FUZZ
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {"text": st.none() | CLEAN_TEXT, "title": st.none() | CLEAN_TEXT},
            optional={"published": st.none() | CLEAN_TEXT, "url": st.none() | CLEAN_TEXT},
        ),
        max_size=8,
    ),
    flips=st.lists(st.tuples(st.integers(0, 10**4), st.integers(0, 255)), max_size=3),
)
def test_parquet_ish_bytes(folder: Path, rows: list[dict], flips: list[tuple[int, int]]) -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    buffer = io.BytesIO()
    table = pa.Table.from_pylist(rows) if rows else pa.table({"text": pa.array([], pa.string())})
    pq.write_table(table, buffer)
    data = bytearray(buffer.getvalue())
    for at, value in flips:
        data[at % len(data)] = value
    _read(folder, "rows.parquet", bytes(data))
