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


def _hostile_folder(folder):
    """A batch of the inputs issue 20 found stopping batches, between good articles."""
    folder.mkdir()
    good = {"url": "https://www.casknews.example/a", "text": GOOD.replace("Velmora", "Cask")}
    (folder / "a_deep.jsonl").write_text(
        json.dumps(good)
        + "\n"
        + "[" * 100_000
        + "\n"
        + json.dumps({"text": GOOD.replace("Velmora", "Doran")})
        + "\n"
    )
    (folder / "b_surrogate.jsonl").write_text(
        '{"url": "https://www.casknews.example/s", "title": "Cask \\ud800 pier", "text": '
        + json.dumps(GOOD.replace("Velmora", "Pier"))
        + "}\n"
    )
    (folder / "c_feed.rss").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Cask Post</title><item>'
        "<title>Harbour &#xD800; news</title><link>https://caskpost.example/1</link>"
        f"<description>{GOOD.replace('Velmora', 'Harbour')}</description></item></channel></rss>"
    )
    with (folder / "d_zeros.warc").open("wb") as handle:
        handle.truncate(3_000_000)
    (folder / "e_good.txt").write_text(GOOD)


def test_hostile_inputs_each_fail_alone_from_the_command_line(tmp_path):
    from typer.testing import CliRunner

    from storyline.serve.cli import app

    folder = tmp_path / "batch"
    _hostile_folder(folder)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    args = ["ingest", str(folder), "--db", url, "--no-analyze", "--no-assign", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exception is None and result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert len(report["ingested"]) == 5  # two JSONL records, the surrogate one, feed, text
    failed = {f["source"].rsplit("/", 1)[-1]: f["reason"] for f in report["failed"]}
    assert set(failed) == {"a_deep.jsonl:2", "d_zeros.warc#1"}
    assert "nested deeper than 100 levels" in failed["a_deep.jsonl:2"]
    assert all(len(r) <= 600 for r in failed.values())
    lines = [line for line in result.stderr.splitlines() if line.startswith("failed:")]
    assert len(lines) == 2  # each failure is one line on stderr
    with Storyline(url) as sl:
        titles = {a["title"] for a in sl.articles()}
    assert {"Cask \ufffd pier", "Harbour \ufffd news"} <= titles


def test_an_unexpected_error_in_one_file_is_reported_and_the_batch_goes_on(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from storyline.ingest import files
    from storyline.serve.cli import app

    def broken(path, settings):
        raise RuntimeError("a reader bug")
        yield  # a generator, as the real reader is

    monkeypatch.setattr(files, "read_jsonl", broken)
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a.jsonl").write_text('{"text": "anything"}\n')
    (folder / "b.txt").write_text(GOOD)
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(folder), "--db", url, "--no-analyze"])
    assert result.exit_code == 0, result.stderr
    assert "ingested 1, duplicates skipped 0, failed 1" in result.stdout
    log = " ".join(result.stderr.split())
    assert "a.jsonl: unexpected RuntimeError while reading (a reader bug)" in log
    alone = runner.invoke(app, ["ingest", str(folder / "a.jsonl"), "--db", url])
    assert alone.exit_code == 1  # every item failed: the exit code still says so


def test_an_unexpected_error_storing_one_article_fails_it_alone(tmp_path, sqlite_url, monkeypatch):
    from storyline.store import Store

    real = Store.add_article

    def refusing(self, article):
        if "Cask" in (article.title or ""):
            raise UnicodeEncodeError("utf-8", "x", 0, 1, "surrogates not allowed")
        return real(self, article)

    monkeypatch.setattr(Store, "add_article", refusing)
    (tmp_path / "a.txt").write_text(GOOD.replace("Velmora ferry", "Cask ferry"))
    (tmp_path / "b.txt").write_text(GOOD)
    with Storyline(sqlite_url) as sl:
        report = sl.ingest([str(tmp_path / "a.txt"), str(tmp_path / "b.txt")], analyze=False)
    assert len(report.ingested) == 1
    (failure,) = report.failures
    assert failure.source.endswith("a.txt")
    assert failure.reason.startswith("unexpected UnicodeEncodeError while storing")
