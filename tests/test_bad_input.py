"""Bad input: each bad item is reported clearly, the batch goes on, stored data stays."""

from __future__ import annotations

import json
import socket

from storyline import Storyline

GOOD = (
    "Velmora ferry service resumes after storm\n\n"
    "The ferry between Velmora and the island of Cask resumed on Tuesday after a pause.\n\n"
    "Operators said the storm had damaged a landing ramp, which crews repaired overnight."
)
HTML_WITHOUT_ARTICLE = (
    "<html><head><title>Sign in</title></head><body><nav><a href='/'>Home</a></nav>"
    "<form><input name='user'><button>Log in</button></form></body></html>"
)


def _refused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/article"


def test_a_batch_of_bad_items_reports_each_and_keeps_going(tmp_path, sqlite_url):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a_good.txt").write_text(GOOD, encoding="utf-8")
    (folder / "b_empty.txt").write_bytes(b"")
    (folder / "c_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    with (folder / "d_huge.txt").open("wb") as handle:
        handle.truncate(50_000_000)
    latin = GOOD.replace("Velmora", "Véla Morá").replace("ferry", "ferry café")
    (folder / "e_latin1.txt").write_bytes(latin.encode("cp1252"))
    (folder / "f_login.html").write_text(HTML_WITHOUT_ARTICLE)
    (folder / "g_feed.rss").write_text("this is not xml at all {")
    lines = [
        json.dumps(
            {
                "url": "https://www.casknews.example/a",
                "title": "Cask harbour reopens",
                "text": GOOD.replace("Velmora", "Cask"),
                "published": "2031-05-01T10:00:00Z",
            }
        ),
        "{not json",
    ]
    (folder / "h_items.jsonl").write_text("\n".join(lines) + "\n")
    truncated = b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 9999\r\n\r\n<html><p>cut"
    (folder / "i_cut.warc").write_bytes(truncated)

    with Storyline(sqlite_url) as sl:
        report = sl.ingest([str(folder), _refused_url()])
        stored = {a["title"] for a in sl.articles()}
    reasons = {f.source.rsplit("/", 1)[-1]: f.reason for f in report.failures}
    assert len(report.ingested) == 3
    assert stored == {
        "Velmora ferry service resumes after storm",
        "Véla Morá ferry café service resumes after storm",
        "Cask harbour reopens",
    }
    assert "empty" in reasons["b_empty.txt"]
    assert "binary" in reasons["c_binary.txt"]
    assert (
        "50.0 MB" in reasons["d_huge.txt"]
        and "STORYLINE_MAX_ARTICLE_BYTES" in reasons["d_huge.txt"]
    )
    assert "no article text" in reasons["f_login.html"]
    assert "not a valid RSS/Atom feed" in reasons["g_feed.rss"]
    assert "not valid JSON" in reasons["h_items.jsonl:2"]
    assert any(
        k.startswith("i_cut.warc") and "malformed or truncated" in v for k, v in reasons.items()
    )
    assert "could not connect" in reasons["article"]
    assert len(report.failures) == 8


def test_mis_encoded_text_is_decoded_and_the_repair_noted(tmp_path, sqlite_url):
    path = tmp_path / "latin.txt"
    path.write_bytes(GOOD.replace("ferry", "ferry café").encode("cp1252"))
    with Storyline(sqlite_url) as sl:
        report = sl.ingest([str(path)])
        article = sl.article(report.ingested[0])
    assert "café" in article.text
    assert article.encoding_note and "not valid UTF-8" in article.encoding_note


def test_failures_leave_earlier_articles_intact(tmp_path, sqlite_url):
    good = tmp_path / "good.txt"
    good.write_text(GOOD)
    with Storyline(sqlite_url) as sl:
        first = sl.ingest([str(good)])
        before = sl.article(first.ingested[0])
        bad = tmp_path / "bad.jsonl"
        bad.write_text("{broken\n[1, 2]\n")
        report = sl.ingest([str(bad), str(tmp_path / "missing.txt")])
        after = sl.article(first.ingested[0])
        assert sl.store.count_articles() == 1
    assert not report.ok
    assert len(report.failures) == 3
    assert after.text == before.text and after.story_id == before.story_id


def test_untitled_tiny_and_boilerplate_only_pages_are_refused(tmp_path, sqlite_url):
    path = tmp_path / "spam.txt"
    path.write_text("Read: Ten tricks\n\nYou may also like\n\nFollow us\n\nmain img\n")
    with Storyline(sqlite_url) as sl:
        report = sl.ingest([str(path)])
    assert report.ingested == []
    assert "no article text" in report.failures[0].reason


def test_module_level_api_ingests_and_lists(tmp_path, sqlite_url):
    import storyline

    path = tmp_path / "ferry.txt"
    path.write_text(GOOD)
    report = storyline.ingest([str(path)], db_url=sqlite_url)
    assert len(report.ingested) == 1
    found = storyline.stories(db_url=sqlite_url)
    assert [s.title for s in found] == ["Velmora ferry service resumes after storm"]
