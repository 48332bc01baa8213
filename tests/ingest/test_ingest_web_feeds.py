"""ingest/web.py, feeds.py and sources.py against a real HTTP server on 127.0.0.1."""

import socket
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from storyline.config import Settings
from storyline.ingest.sources import is_url, read_sources
from storyline.model import Article, IngestFailure, SourceKind

ARTICLE_HTML = """<!DOCTYPE html>
<html><head><title>Velmora harbour wall to be rebuilt</title></head><body>
<h1>Velmora harbour wall to be rebuilt</h1>
<p>The town council of Velmora voted on Thursday to rebuild the harbour wall.</p>
</body></html>"""

PAGE_HTML = """<!DOCTYPE html>
<html><head><title>{title}</title></head><body>
<p>{body}</p>
</body></html>"""

LONG_CONTENT = " ".join(
    [
        "The lighthouse keepers of Kelmar island handed over the lamp to an automatic system",
        "on Sunday, ending two centuries of people living at the top of the cliff.",
        "The last keeper, Oskar Venn, said he would miss the storms but not the stairs.",
        "The island council plans to turn the keepers' cottage into a small museum about",
        "the shipwrecks of the strait, with models built by pupils of the island school,",
        "and will open it to visitors from the first week of the summer season next year.",
    ]
)


def _rss(base):
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>Harbor Times</title><link>{base}/</link><description>News from Velmora</description>
<item><title>Velmora market reopens</title><link>{base}/pages/market.html</link>
<description>The covered market reopened.</description>
<pubDate>Fri, 02 May 2031 08:00:00 GMT</pubDate></item>
<item><title>Kelmar ferry timetable changes</title><link>{base}/pages/ferry.html</link>
<description>New sailing times from June.</description>
<pubDate>Sat, 03 May 2031 14:30:00 +0200</pubDate></item>
<item><title>Dock strike talks stall</title><link>{base}/pages/gone.html</link>
<description>Talks between dockers and the port authority stalled again on Sunday.</description>
<pubDate>Sun, 04 May 2031 09:00:00 GMT</pubDate></item>
</channel></rss>"""


def _atom(base):
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Kelmar Post</title><id>urn:kelmar-post</id><updated>2031-05-05T10:00:00Z</updated>
<entry><title>Kelmar lighthouse goes automatic</title>
<link href="{base}/pages/lighthouse.html"/><id>urn:kelmar-post:1</id>
<updated>2031-05-05T10:00:00Z</updated><published>2031-05-05T09:00:00Z</published>
<content type="html">&lt;p&gt;{LONG_CONTENT}&lt;/p&gt;</content></entry>
</feed>"""


def _dead_link_feed(base):
    return f"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<link>{base}/</link><description>d</description>
<item><title>No summary here</title><link>{base}/pages/also-gone.html</link></item>
</channel></rss>"""


RELATIVE_FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Harbor Times</title>
<link>/</link><description>News from Velmora</description>
<item><title>Velmora market reopens</title><link>/pages/market.html</link>
<description>The covered market reopened.</description></item>
</channel></rss>"""

EMPTY_FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet Gazette</title>
<link>https://quiet.example/</link><description>Nothing yet</description></channel></rss>"""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.hits.append(self.path)
        if self.path == "/slow":
            time.sleep(0.6)
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_response(404)
            self.send_header("Content-Type", "text/html")
            body = b"<html><body><p>Not found</p></body></html>"
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        status, headers, body = route
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    html = {"Content-Type": "text/html; charset=utf-8"}
    httpd.hits = []
    httpd.routes = {
        "/article.html": (200, html, ARTICLE_HTML.encode()),
        "/plain.txt": (
            200,
            {"Content-Type": "text/plain; charset=utf-8"},
            b"Velmora harbour wall to be rebuilt\n\nThe council voted on Thursday.\n",
        ),
        "/old-article": (301, {"Location": "/article.html"}, b""),
        "/rss.xml": (200, {"Content-Type": "application/rss+xml"}, _rss(base).encode()),
        "/feed-as-xml": (200, {"Content-Type": "text/xml"}, _rss(base).encode()),
        "/atom.xml": (200, {"Content-Type": "application/atom+xml"}, _atom(base).encode()),
        "/garbage-feed": (
            200,
            {"Content-Type": "application/rss+xml"},
            b"this is not xml, just a sentence about the Velmora regatta",
        ),
        "/relative-feed": (200, {"Content-Type": "application/rss+xml"}, RELATIVE_FEED.encode()),
        "/slow": (200, html, ARTICLE_HTML.encode()),
        "/empty-feed": (200, {"Content-Type": "application/rss+xml"}, EMPTY_FEED.encode()),
        "/dead-link-feed": (
            200,
            {"Content-Type": "application/rss+xml"},
            _dead_link_feed(base).encode(),
        ),
        "/pages/market.html": (
            200,
            html,
            PAGE_HTML.format(
                title="Market", body="The covered market in Velmora reopened on Friday."
            ).encode(),
        ),
        "/pages/ferry.html": (
            200,
            html,
            PAGE_HTML.format(
                title="Ferry", body="The Kelmar ferry will sail four times a day from June."
            ).encode(),
        ),
        "/pages/lighthouse.html": (200, html, PAGE_HTML.format(title="L", body="x").encode()),
        "/empty.html": (200, html, b""),
        "/broken": (500, html, b"<html><body>Internal error</body></html>"),
    }
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    httpd.base = base
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


@pytest.fixture
def settings():
    return Settings(http_timeout=5)


def _read(specs, settings):
    items = list(read_sources(specs, settings))
    assert all(isinstance(i, Article | IngestFailure) for i in items)
    return items


def test_is_url():
    assert is_url("https://harbortimes.example/a")
    assert is_url("HTTP://harbortimes.example/a")
    assert not is_url("ftp://harbortimes.example/a")
    assert not is_url("/srv/articles/velmora.txt")


def test_article_page(server, settings):
    before = datetime.now(UTC)
    (article,) = _read([server.base + "/article.html"], settings)
    assert isinstance(article, Article)
    assert article.source == server.base + "/article.html"
    assert article.source_kind == SourceKind.URL
    assert article.url == server.base + "/article.html"
    assert article.raw == ARTICLE_HTML
    assert article.raw_format == "html"
    assert article.encoding == "utf-8"
    assert before <= article.fetched_at <= datetime.now(UTC)


def test_user_agent_is_sent(server):
    seen = []

    class _UA(_Handler):
        def do_GET(self):
            seen.append(self.headers.get("User-Agent"))
            super().do_GET()

    server.RequestHandlerClass = _UA
    _read([server.base + "/article.html"], Settings(http_user_agent="velmora-tester/1.0"))
    assert seen == ["velmora-tester/1.0"]


def test_plain_text_page(server, settings):
    (article,) = _read([server.base + "/plain.txt"], settings)
    assert article.raw_format == "text"
    assert article.raw.startswith("Velmora harbour wall")


def test_redirect_records_the_final_url(server, settings):
    (article,) = _read([server.base + "/old-article"], settings)
    assert isinstance(article, Article)
    assert article.source == server.base + "/old-article"
    assert article.url == server.base + "/article.html"


def test_rss_feed_fetches_entry_pages(server, settings):
    items = _read([server.base + "/rss.xml"], settings)
    articles = {a.url: a for a in items if isinstance(a, Article)}
    market = articles[server.base + "/pages/market.html"]
    assert market.source_kind == SourceKind.FEED
    assert market.title == "Velmora market reopens"
    assert market.published == datetime(2031, 5, 2, 8, 0, tzinfo=UTC)
    assert market.published_source == "feed"
    assert market.raw_format == "html"
    assert "covered market in Velmora reopened on Friday" in market.raw  # the page, not the summary
    ferry = articles[server.base + "/pages/ferry.html"]
    assert ferry.title == "Kelmar ferry timetable changes"
    assert ferry.published == datetime(2031, 5, 3, 12, 30, tzinfo=UTC)
    assert "four times a day" in ferry.raw
    assert "/pages/market.html" in server.hits
    assert "/pages/ferry.html" in server.hits


def test_dead_entry_link_falls_back_to_the_summary(server, settings):
    items = _read([server.base + "/rss.xml"], settings)
    assert "/pages/gone.html" in server.hits  # it was tried
    gone = [i for i in items if getattr(i, "url", None) == server.base + "/pages/gone.html"]
    assert len(gone) == 1
    article = gone[0]
    assert isinstance(article, Article)
    assert article.raw == "Talks between dockers and the port authority stalled again on Sunday."
    assert article.raw_format == "text"
    assert article.title == "Dock strike talks stall"
    assert article.published == datetime(2031, 5, 4, 9, 0, tzinfo=UTC)
    assert not any(isinstance(i, IngestFailure) for i in items)


def test_dead_entry_link_without_summary_is_a_failure(server, settings):
    (failure,) = _read([server.base + "/dead-link-feed"], settings)
    assert isinstance(failure, IngestFailure)
    assert failure.source == server.base + "/pages/also-gone.html"
    assert "HTTP 404" in failure.reason


def test_feed_detected_by_content_when_served_as_xml(server, settings):
    items = _read([server.base + "/feed-as-xml"], settings)
    assert sum(isinstance(i, Article) for i in items) == 3
    assert all(i.source_kind == SourceKind.FEED for i in items)


def test_feed_links_not_fetched_when_disabled(server):
    items = _read([server.base + "/rss.xml"], Settings(http_timeout=5, feed_fetch_links=False))
    assert server.hits == ["/rss.xml"]
    raws = sorted(a.raw for a in items)
    assert raws == sorted(
        [
            "The covered market reopened.",
            "New sailing times from June.",
            "Talks between dockers and the port authority stalled again on Sunday.",
        ]
    )


def test_atom_feed_with_full_content_is_not_fetched(server, settings):
    (article,) = _read([server.base + "/atom.xml"], settings)
    assert server.hits == ["/atom.xml"]
    assert article.source_kind == SourceKind.FEED
    assert article.url == server.base + "/pages/lighthouse.html"
    assert article.title == "Kelmar lighthouse goes automatic"
    assert article.published == datetime(2031, 5, 5, 9, 0, tzinfo=UTC)
    assert article.raw_format == "html"
    assert "Oskar Venn" in article.raw


def test_atom_content_shorter_than_the_setting_is_fetched(server):
    settings = Settings(http_timeout=5, feed_min_content_chars=len(LONG_CONTENT) + 100)
    (article,) = _read([server.base + "/atom.xml"], settings)
    assert "/pages/lighthouse.html" in server.hits
    assert article.title == "Kelmar lighthouse goes automatic"  # from the feed: page has none
    assert article.url == server.base + "/pages/lighthouse.html"


def test_garbage_served_as_rss_is_a_feed_error(server, settings):
    (failure,) = _read([server.base + "/garbage-feed"], settings)
    assert isinstance(failure, IngestFailure)
    assert failure.source == server.base + "/garbage-feed"
    assert "not a valid RSS/Atom feed" in failure.reason


def test_feed_without_entries_is_a_failure(server, settings):
    (failure,) = _read([server.base + "/empty-feed"], settings)
    assert isinstance(failure, IngestFailure)
    assert "no entries" in failure.reason


def test_http_404_is_a_failure(server, settings):
    (failure,) = _read([server.base + "/no/such/page"], settings)
    assert isinstance(failure, IngestFailure)
    assert failure.source == server.base + "/no/such/page"
    assert "HTTP 404" in failure.reason


def test_http_500_is_a_failure(server, settings):
    (failure,) = _read([server.base + "/broken"], settings)
    assert "HTTP 500" in failure.reason


def test_empty_body_is_a_failure(server, settings):
    (failure,) = _read([server.base + "/empty.html"], settings)
    assert isinstance(failure, IngestFailure)
    assert "empty" in failure.reason


def test_response_over_the_limit_is_a_failure(server):
    (failure,) = _read([server.base + "/atom.xml"], Settings(max_article_bytes=200))
    assert isinstance(failure, IngestFailure)
    assert "200-byte limit" in failure.reason


def test_timeout_is_a_failure(server):
    (failure,) = _read([server.base + "/slow"], Settings(http_timeout=0.2))
    assert isinstance(failure, IngestFailure)
    assert "timed out after 0.2 s" in failure.reason
    assert "STORYLINE_HTTP_TIMEOUT" in failure.reason


def test_relative_entry_links_are_resolved_against_the_feed_url(server, settings):
    (article,) = _read([server.base + "/relative-feed"], settings)
    assert article.url == server.base + "/pages/market.html"
    assert "/pages/market.html" in server.hits
    assert "covered market in Velmora reopened on Friday" in article.raw


def test_refused_connection_is_a_failure(settings):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    url = f"http://127.0.0.1:{port}/article.html"
    (failure,) = _read([url], settings)
    assert isinstance(failure, IngestFailure)
    assert failure.source == url
    assert "could not connect" in failure.reason


def test_mixed_sources_keep_going_after_failures(server, settings, tmp_path):
    local = tmp_path / "note.txt"
    local.write_text("A local note about the Velmora regatta.\n", encoding="utf-8")
    items = _read(
        [
            server.base + "/no/such/page",
            str(local),
            server.base + "/article.html",
            str(tmp_path / "missing.txt"),
        ],
        settings,
    )
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["IngestFailure", "Article", "Article", "IngestFailure"]
    assert items[1].source == str(local)
    assert items[2].source_kind == SourceKind.URL


def test_cli_ingests_a_feed_url_into_the_database(server, tmp_path):
    import json
    import subprocess
    import sys

    db = f"sqlite:///{tmp_path / 'feed.db'}"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "storyline",
            "ingest",
            server.base + "/rss.xml",
            "--db",
            db,
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert len(report["ingested"]) == 3  # two fetched pages, one dead link's summary
    listed = subprocess.run(
        [sys.executable, "-m", "storyline", "articles", "--db", db, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    rows = {r["title"]: r for r in json.loads(listed.stdout)}
    assert set(rows) == {
        "Velmora market reopens",
        "Kelmar ferry timetable changes",
        "Dock strike talks stall",
    }
    assert rows["Velmora market reopens"]["published"] == "2031-05-02T08:00:00+00:00"
    assert all(r["story_id"] for r in rows.values())
    assert all(r["outlet"] == "127.0.0.1" for r in rows.values())
