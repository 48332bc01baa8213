"""ingest/files.py: read_path over folders of text, HTML, JSONL, feeds and bad files."""

import gzip
import json
import time

from storyline.config import Settings
from storyline.ingest.files import iter_paths, read_file, read_path
from storyline.model import Article, IngestFailure, SourceKind

TEXT_ARTICLE = (
    "Velmora opens new harbour bridge\n\n"
    "The town of Velmora opened its new harbour bridge on Saturday after two years of work.\n"
)
HTML_ARTICLE = (
    "<!DOCTYPE html><html><head><title>Kelmar ferry returns</title></head><body>"
    "<p>The ferry to Kelmar island sailed again on Monday after a three-week repair.</p>"
    "</body></html>"
)
RSS_FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Harbor Times</title><link>https://harbortimes.example/</link>
<description>News from Velmora</description>
<item><title>Velmora market reopens</title><link>https://harbortimes.example/market</link>
<description>The covered market in Velmora reopened on Friday.</description>
<pubDate>Fri, 02 May 2031 08:00:00 GMT</pubDate></item>
</channel></rss>
"""


def _split(items):
    articles = [i for i in items if isinstance(i, Article)]
    failures = [i for i in items if isinstance(i, IngestFailure)]
    assert len(articles) + len(failures) == len(items)
    return articles, failures


def _by_name(items):
    return {item.source.rsplit("/", 1)[-1]: item for item in items}


def test_folder_with_mixed_files(tmp_path):
    (tmp_path / "bridge.txt").write_text(TEXT_ARTICLE, encoding="utf-8")
    (tmp_path / "ferry.html").write_text(HTML_ARTICLE, encoding="utf-8")
    records = [
        {
            "url": "https://harbortimes.example/a",
            "title": "Dock strike ends",
            "text": "Dockers in Velmora returned to work on Tuesday.",
        },
        {"url": "https://harbortimes.example/b", "html": "<p>Kelmar school reopens.</p>"},
    ]
    (tmp_path / "batch.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in records), encoding="utf-8"
    )
    (tmp_path / ".hidden.txt").write_text("A hidden note that must not be read.", encoding="utf-8")
    hidden_dir = tmp_path / ".cache"
    hidden_dir.mkdir()
    (hidden_dir / "old.txt").write_text("Cached copy that must not be read.", encoding="utf-8")
    (tmp_path / "notes.docx").write_bytes(b"Unknown suffix, not an article format")
    sub = tmp_path / "more"
    sub.mkdir()
    (sub / "late.txt").write_text("A later report from Velmora harbour.\n", encoding="utf-8")

    articles, failures = _split(list(read_path(tmp_path, Settings())))

    assert failures == []
    sources = sorted(a.source for a in articles)
    assert sources == sorted(
        [
            str(tmp_path / "batch.jsonl") + ":1",
            str(tmp_path / "batch.jsonl") + ":2",
            str(tmp_path / "bridge.txt"),
            str(tmp_path / "ferry.html"),
            str(sub / "late.txt"),
        ]
    )
    by_source = {a.source: a for a in articles}
    text = by_source[str(tmp_path / "bridge.txt")]
    assert text.source_kind == SourceKind.TEXT
    assert text.raw_format == "text"
    assert text.raw == TEXT_ARTICLE
    assert text.encoding == "utf-8"
    html = by_source[str(tmp_path / "ferry.html")]
    assert html.source_kind == SourceKind.HTML
    assert html.raw_format == "html"
    assert "three-week repair" in html.raw
    first = by_source[str(tmp_path / "batch.jsonl") + ":1"]
    assert first.source_kind == SourceKind.JSONL
    assert first.title == "Dock strike ends"
    assert all("hidden" not in a.raw and "Cached" not in a.raw for a in articles)
    assert all("Unknown suffix" not in a.raw for a in articles)


def test_iter_paths_is_sorted_and_skips_hidden_and_unknown(tmp_path):
    for name in ["b.txt", "a.html", "c", ".d.txt", "e.pdf", "f.txt.gz", "g.JSONL"]:
        (tmp_path / name).write_bytes(b"x")
    names = [p.name for p in iter_paths(tmp_path)]
    assert names == ["a.html", "b.txt", "c", "f.txt.gz", "g.JSONL"]


def test_file_without_suffix_is_sniffed(tmp_path):
    (tmp_path / "page").write_text(HTML_ARTICLE, encoding="utf-8")
    (tmp_path / "note").write_text(TEXT_ARTICLE, encoding="utf-8")
    (tmp_path / "feed").write_text(RSS_FEED, encoding="utf-8")
    items = _by_name(read_path(tmp_path, Settings()))
    assert items["page"].raw_format == "html"
    assert items["page"].source_kind == SourceKind.HTML
    assert items["note"].raw_format == "text"
    assert "market" in items  # the feed's entry, named by its link
    assert items["market"].source_kind == SourceKind.FEED


def test_single_file_with_unknown_suffix_is_read_when_named(tmp_path):
    path = tmp_path / "story.md"
    path.write_text(TEXT_ARTICLE, encoding="utf-8")
    articles, failures = _split(list(read_path(path, Settings())))
    assert failures == []
    assert [a.raw for a in articles] == [TEXT_ARTICLE]


def test_gzipped_text_file(tmp_path):
    (tmp_path / "bridge.txt.gz").write_bytes(gzip.compress(TEXT_ARTICLE.encode()))
    articles, failures = _split(list(read_path(tmp_path, Settings())))
    assert failures == []
    assert len(articles) == 1
    assert articles[0].raw == TEXT_ARTICLE
    assert articles[0].raw_format == "text"


def test_huge_file_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "huge.txt"
    with big.open("wb") as handle:
        handle.truncate(50_000_000)  # sparse: no data written
    (tmp_path / "small.txt").write_text(TEXT_ARTICLE, encoding="utf-8")
    start = time.perf_counter()
    articles, failures = _split(list(read_path(tmp_path, Settings())))
    assert time.perf_counter() - start < 2
    assert [a.source for a in articles] == [str(tmp_path / "small.txt")]
    assert len(failures) == 1
    assert failures[0].source == str(big)
    reason = failures[0].reason
    # had the file been read, its NUL bytes would have made it "binary"
    assert "binary" not in reason
    assert "50.0 MB" in reason and "limit" in reason
    assert "STORYLINE_MAX_ARTICLE_BYTES" in reason


def test_size_limit_follows_settings(tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("Velmora " * 200, encoding="utf-8")
    _, failures = _split(list(read_path(path, Settings(max_article_bytes=1000))))
    assert len(failures) == 1
    assert "limit" in failures[0].reason
    articles, _ = _split(list(read_path(path, Settings(max_article_bytes=5000))))
    assert len(articles) == 1


def test_gzip_bomb_file_is_refused(tmp_path):
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(b"a" * 200_000))
    _, failures = _split(list(read_path(path, Settings(max_article_bytes=10_000))))
    assert len(failures) == 1
    assert "decompresses to more than" in failures[0].reason


def test_missing_path_is_a_failure(tmp_path):
    missing = tmp_path / "no-such-folder"
    items = list(read_path(missing, Settings()))
    assert len(items) == 1
    assert isinstance(items[0], IngestFailure)
    assert items[0].source == str(missing)
    assert "no such file" in items[0].reason


def test_empty_and_binary_files_fail_while_others_are_read(tmp_path):
    (tmp_path / "a-empty.txt").write_bytes(b"")
    (tmp_path / "b-blank.txt").write_text("  \n\n  ", encoding="utf-8")
    (tmp_path / "c-image.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (tmp_path / "d-nul.txt").write_bytes(b"Velmora\x00\x00\x00report")
    (tmp_path / "e-good.txt").write_text(TEXT_ARTICLE, encoding="utf-8")
    items = _by_name(read_path(tmp_path, Settings()))
    assert set(items) == {"a-empty.txt", "b-blank.txt", "c-image.html", "d-nul.txt", "e-good.txt"}
    assert isinstance(items["e-good.txt"], Article)
    for name in ("a-empty.txt", "b-blank.txt"):
        assert isinstance(items[name], IngestFailure)
        assert "empty" in items[name].reason
    for name in ("c-image.html", "d-nul.txt"):
        assert isinstance(items[name], IngestFailure)
        assert "binary" in items[name].reason


def test_cp1252_file_carries_its_encoding_note(tmp_path):
    path = tmp_path / "cafe.txt"
    path.write_bytes(
        "The café on Quay Street reopened. “We are back,” said the owner.\n".encode("cp1252")
    )
    (article,) = read_path(path, Settings())
    assert isinstance(article, Article)
    assert "café" in article.raw and "“We are back,”" in article.raw
    assert article.encoding_note and "not valid UTF-8" in article.encoding_note


def test_feed_file_yields_entries_without_fetching(tmp_path):
    path = tmp_path / "harbor.rss"
    path.write_text(RSS_FEED, encoding="utf-8")
    (article,) = read_file(path, Settings())
    assert article.source_kind == SourceKind.FEED
    assert article.url == "https://harbortimes.example/market"
    assert article.title == "Velmora market reopens"
    assert article.raw == "The covered market in Velmora reopened on Friday."
    assert article.published.isoformat() == "2031-05-02T08:00:00+00:00"


def test_broken_feed_file_is_a_failure(tmp_path):
    path = tmp_path / "broken.xml"
    path.write_text("this is not XML at all, just a sentence about Velmora", encoding="utf-8")
    (failure,) = read_path(path, Settings())
    assert isinstance(failure, IngestFailure)
    assert "not a valid RSS/Atom feed" in failure.reason
