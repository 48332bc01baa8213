"""`storyline watch`: conditional polling of feeds served for real on 127.0.0.1, politeness,
backoff, and a restart that neither loses nor repeats an entry. Feeds and stories are fictional.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from storyline import Storyline, get_settings
from storyline.errors import IngestError
from storyline.ingest.watch import read_feed_list
from storyline.serve.cli import app

BODY = (
    "The harbour board of Velmora met on {day} to discuss the storm damage along the east quay. "
    "Engineers told the board that the sea wall had moved by several centimetres and that the "
    "ferry berth would stay closed until divers had inspected its foundations. The mayor said "
    "the town would ask the regional government for emergency funds, and fishermen were told "
    "to use the west quay until further notice. Report {n} of the series."
)


class FeedServer:
    """Feeds with ETag and Last-Modified that honour conditional requests; records requests."""

    def __init__(self) -> None:
        self.entries: list[int] = [1, 2]
        self.broken = False
        self.requests: list[tuple[float, str, dict[str, str]]] = []
        self.lock = threading.Lock()

    def etag(self) -> str:
        return f'"v{len(self.entries)}"'

    def rss(self, base: str) -> bytes:
        items = "".join(
            f"<item><title>Velmora harbour report {n}</title>"
            f"<link>{base}/story/{n}</link>"
            f"<pubDate>{formatdate(1_900_000_000 + n * 3600, usegmt=True)}</pubDate>"
            f"<description>{BODY.format(day='Monday', n=n)}</description></item>"
            for n in self.entries
        )
        return (
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Velmora Post</title>'
            f"{items}</channel></rss>"
        ).encode()


@pytest.fixture
def feeds() -> Iterator[tuple[FeedServer, str]]:
    state = FeedServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with state.lock:
                state.requests.append((time.monotonic(), self.path, dict(self.headers)))
                if self.path.startswith("/broken") and state.broken:
                    self._send(500, {}, b"overloaded")
                    return
                if self.path not in ("/post.xml", "/other.xml", "/broken.xml"):
                    self._send(404, {}, b"no such feed")
                    return
                if self.headers.get("If-None-Match") == state.etag():
                    self._send(304, {"ETag": state.etag()}, b"")
                    return
                headers = {
                    "Content-Type": "application/rss+xml",
                    "ETag": state.etag(),
                    "Last-Modified": formatdate(1_900_000_000, usegmt=True),
                }
                self._send(200, headers, state.rss(base))

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, base
    finally:
        httpd.shutdown()
        httpd.server_close()


def _storyline(tmp_path: Path, **settings: Any) -> Storyline:
    values = {"analyze_on_ingest": False, "watch_interval": 300.0, "watch_host_delay": 0.0}
    values.update(settings)
    return Storyline(settings=get_settings(db_url=f"sqlite:///{tmp_path}/watch.db", **values))


def _due_now(sl: Storyline, url: str) -> None:
    state = sl.store.feed_state(url)
    state.next_poll = datetime.now(UTC) - timedelta(seconds=1)
    sl.store.save_feed_state(state)


def test_polls_are_conditional_and_each_entry_is_stored_once_across_a_restart(
    feeds: tuple[FeedServer, str], tmp_path: Path
) -> None:
    server, base = feeds
    url = f"{base}/post.xml"
    with _storyline(tmp_path) as sl:
        watcher = sl.watcher([url])
        (first,) = list(watcher.cycle())
        assert (first.status, first.new) == ("new", 2)
        assert list(watcher.cycle()) == []  # not due again before watch_interval
        _due_now(sl, url)
        (again,) = list(watcher.cycle())
        assert again.status == "not modified"
        assert server.requests[-1][2]["If-None-Match"] == '"v2"'
        assert "If-Modified-Since" in server.requests[-1][2]
        server.entries.append(3)
        _due_now(sl, url)
        (third,) = list(watcher.cycle())
        assert (third.status, third.new, third.duplicates) == ("new", 1, 2)
        assert sl.store.count_articles() == 3
        assert len(sl.store.pending_assignment()) == 0  # new articles were placed in stories
    with _storyline(tmp_path) as restarted:  # a new process: the state comes from the database
        _due_now(restarted, url)
        (after,) = list(restarted.watcher([url]).cycle())
        assert after.status == "not modified"
        assert server.requests[-1][2]["If-None-Match"] == '"v3"'
        assert restarted.store.count_articles() == 3
        assert restarted.store.feed_state(url).articles == 3


def test_a_failing_feed_backs_off_then_recovers(
    feeds: tuple[FeedServer, str], tmp_path: Path
) -> None:
    server, base = feeds
    url = f"{base}/broken.xml"
    server.broken = True
    with _storyline(tmp_path, watch_interval=10.0, watch_max_backoff=25.0) as sl:
        watcher = sl.watcher([url])
        waits = []
        for _ in range(3):
            _due_now(sl, url)
            before = datetime.now(UTC)
            (outcome,) = list(watcher.cycle())
            assert outcome.status == "failed" and "HTTP 500" in (outcome.error or "")
            assert outcome.next_poll is not None
            waits.append(round((outcome.next_poll - before).total_seconds()))
        assert waits == [20, 25, 25]  # doubling, capped at watch_max_backoff
        assert sl.store.feed_state(url).failures == 3
        server.broken = False
        _due_now(sl, url)
        (outcome,) = list(watcher.cycle())
        assert (outcome.status, outcome.new) == ("new", 2)
        state = sl.store.feed_state(url)
        assert (state.failures, state.last_error) == (0, None)


def test_requests_to_one_host_are_spaced(feeds: tuple[FeedServer, str], tmp_path: Path) -> None:
    server, base = feeds
    with _storyline(tmp_path, watch_host_delay=0.4) as sl:
        outcomes = list(sl.watcher([f"{base}/post.xml", f"{base}/other.xml"]).cycle())
    assert [o.status for o in outcomes] == ["new", "new"]
    (first, _, _), (second, _, _) = server.requests
    assert second - first >= 0.4


def test_the_feed_list_says_which_lines_are_wrong(tmp_path: Path) -> None:
    good = tmp_path / "feeds.txt"
    good.write_text(
        "# world\nhttps://a.example/rss\n\nhttps://a.example/rss  # twice\n", encoding="utf-8"
    )
    assert read_feed_list(good) == ["https://a.example/rss"]
    bad = tmp_path / "bad.txt"
    bad.write_text("https://a.example/rss\nftp://b.example/feed\nnot a url\n", encoding="utf-8")
    with pytest.raises(IngestError) as info:
        read_feed_list(bad)
    assert "line 2" in str(info.value) and "line 3" in str(info.value)
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n", encoding="utf-8")
    with pytest.raises(IngestError, match="no feed URLs"):
        read_feed_list(empty)


def test_watch_once_from_the_command_line(
    feeds: tuple[FeedServer, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, base = feeds
    listing = tmp_path / "feeds.txt"
    listing.write_text(f"{base}/post.xml\n{base}/broken.xml\n", encoding="utf-8")
    monkeypatch.setenv("STORYLINE_ANALYZE_ON_INGEST", "false")
    monkeypatch.setenv("STORYLINE_WATCH_HOST_DELAY", "0")
    url = f"sqlite:///{tmp_path}/cli.db"
    runner = CliRunner()
    result = runner.invoke(app, ["watch", str(listing), "--db", url, "--once"])
    assert result.exit_code == 0, result.stderr
    log = " ".join(result.stderr.split())
    assert "post.xml: 2 new, 0 already stored, 0 failed" in log
    assert "broken.xml: 404" not in log and "failed" in log  # the missing feed is reported
    with Storyline(url) as sl:
        assert sl.store.count_articles() == 2
    bad = tmp_path / "bad.txt"
    bad.write_text("not a url\n", encoding="utf-8")
    failed = runner.invoke(app, ["watch", str(bad), "--db", url, "--once"])
    assert failed.exit_code == 1 and "line 1" in failed.stderr


def test_an_unexpected_error_in_one_feed_fails_that_feed_and_the_round_goes_on(
    feeds: tuple[FeedServer, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storyline.ingest import watch

    _, base = feeds
    real = watch.articles_from_feed

    def fragile(data: bytes, source: str, *args: Any) -> Any:
        if source.endswith("/post.xml"):
            raise RuntimeError("feed parser bug\non two lines")
        return real(data, source, *args)

    monkeypatch.setattr(watch, "articles_from_feed", fragile)
    with _storyline(tmp_path) as sl:
        first, second = sl.watcher([f"{base}/post.xml", f"{base}/other.xml"]).cycle()
        assert first.status == "failed" and second.status == "new"
        assert (first.error or "").startswith(
            "unexpected RuntimeError while polling the feed (feed parser bug on two lines)"
        )
        state = sl.store.feed_state(f"{base}/post.xml")
        assert state.failures == 1 and state.last_error == first.error  # backs off as any failure


def test_an_unexpected_error_storing_one_feed_fails_that_feed_alone(
    feeds: tuple[FeedServer, str], tmp_path: Path
) -> None:
    from storyline.ingest.watch import Watcher

    _, base = feeds
    stored: list[str] = []

    def ingest(items: list[Any]) -> tuple[int, int, int]:
        if "/story/" in items[0].source and not stored:
            stored.append("refused")
            raise RuntimeError("assigner bug")
        stored.extend(i.source for i in items)
        return len(items), 0, 0

    with _storyline(tmp_path) as sl:
        watcher = Watcher([f"{base}/post.xml", f"{base}/other.xml"], sl.store, sl.settings, ingest)
        first, second = watcher.cycle()
        assert first.status == "failed" and (first.error or "").startswith(
            "unexpected RuntimeError while storing the feed's articles (assigner bug)"
        )
        assert (second.status, second.new) == ("new", 2)
        assert sl.store.feed_state(f"{base}/post.xml").failures == 1
        assert sl.store.feed_state(f"{base}/post.xml").etag is None  # polled again in full
