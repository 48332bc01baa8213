"""The outbound fetch policy: no fetch of loopback, private or reserved addresses however they are
written, at any redirect hop or feed entry link; http(s) only; redirects and time bounded."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from storyline.config import Settings
from storyline.errors import FetchError
from storyline.ingest.outbound import AddressPolicy, BlockedAddressError
from storyline.ingest.sources import read_sources
from storyline.ingest.web import fetch, make_client
from storyline.model import Article, IngestFailure

PAGE = (
    b"<html><head><title>Ferry back at Lind Quay</title></head><body><article><p>The ferry to "
    b"Lind Quay sailed again on Tuesday after a week of repairs, its operator said.</p>"
    b"</article></body></html>"
)


class Site(ThreadingHTTPServer):
    """A fixture web site that counts the requests it gets."""

    daemon_threads = True

    def __init__(self, host: str, routes: dict[str, tuple[int, dict[str, str], bytes]]) -> None:
        self.routes = routes
        self.hits: list[str] = []
        super().__init__((host, 0), Handler)

    @property
    def base(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class Handler(BaseHTTPRequestHandler):
    server: Site

    def do_GET(self) -> None:
        self.server.hits.append(self.path)
        if self.path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            for _ in range(40):
                self.wfile.write(b"x" * 10)
                self.wfile.flush()
                time.sleep(0.1)
            return
        status, headers, body = self.server.routes.get(self.path, (404, {}, b"gone"))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value.replace("{base}", self.server.base))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _serve(host: str, routes: dict[str, tuple[int, dict[str, str], bytes]]) -> Iterator[Site]:
    site = Site(host, routes)
    thread = threading.Thread(target=site.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.shutdown()
        site.server_close()


@pytest.fixture
def internal() -> Iterator[Site]:
    """A site on 127.0.0.1: what an attacker wants the server to read."""
    yield from _serve("127.0.0.1", {"/secret": (200, {"Content-Type": "text/html"}, PAGE)})


@pytest.fixture
def public(internal: Site) -> Iterator[Site]:
    """A site on 127.0.0.2, allowed in these tests as if it were public, that points at the
    internal one in every way it can."""
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Quay News</title>'
        f"<item><title>Ferry</title><link>{internal.base}/secret</link>"
        "<description>Short.</description></item></channel></rss>"
    ).encode()
    routes = {
        "/to-internal": (302, {"Location": f"{internal.base}/secret"}, b""),
        "/to-file": (302, {"Location": "file:///etc/passwd"}, b""),
        "/loop": (302, {"Location": "{base}/loop"}, b""),
        "/feed.xml": (200, {"Content-Type": "application/rss+xml"}, feed),
        "/page": (200, {"Content-Type": "text/html"}, PAGE),
    }
    yield from _serve("127.0.0.2", routes)


def strict(**overrides: object) -> Settings:
    """Settings with the default policy (the test suite allows 127.0.0.0/8 elsewhere)."""
    values: dict[str, object] = {"fetch_allow_networks": [], "http_timeout": 5, **overrides}
    return Settings(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("172.16.5.4", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "non-public"),
        ("fc00::1", "private"),
        ("240.0.0.1", "reserved"),
    ],
)
def test_internal_addresses_are_refused(address: str, kind: str) -> None:
    reason = AddressPolicy().refusal(address)
    assert reason is not None and kind in reason


def test_public_and_allowed_addresses_pass() -> None:
    assert AddressPolicy().refusal("93.184.216.34") is None
    assert AddressPolicy().refusal("2606:4700::1111") is None
    assert AddressPolicy(["10.20.0.0/16"]).refusal("10.20.3.4") is None
    assert AddressPolicy(["10.20.0.0/16"]).refusal("10.21.3.4") is not None


def test_the_default_allows_no_internal_network() -> None:
    assert Settings.model_fields["fetch_allow_networks"].default_factory() == []  # type: ignore[misc]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "0x7f000001", "2130706433", "[::1]"])
def test_loopback_in_any_spelling_is_never_fetched(internal: Site, host: str) -> None:
    port = internal.server_address[1]
    settings = strict()
    with make_client(settings) as client, pytest.raises(BlockedAddressError, match="refused"):
        fetch(f"http://{host}:{port}/secret", client, settings)
    assert internal.hits == []


def test_a_redirect_to_an_internal_address_is_refused(public: Site, internal: Site) -> None:
    settings = strict(fetch_allow_networks=["127.0.0.2/32"])
    (failure,) = list(read_sources([f"{public.base}/to-internal"], settings))
    assert isinstance(failure, IngestFailure) and "loopback" in failure.reason
    assert public.hits == ["/to-internal"] and internal.hits == []


def test_feed_entry_links_to_internal_hosts_are_not_fetched(public: Site, internal: Site) -> None:
    settings = strict(fetch_allow_networks=["127.0.0.2/32"])
    items = list(read_sources([f"{public.base}/feed.xml"], settings))
    assert internal.hits == []
    assert not any(isinstance(i, Article) and "Lind Quay sailed" in i.raw for i in items)


def test_only_http_redirects_are_followed(public: Site) -> None:
    settings = strict(fetch_allow_networks=["127.0.0.2/32"])
    with make_client(settings) as client, pytest.raises(FetchError, match="only http"):
        fetch(f"{public.base}/to-file", client, settings)


def test_redirects_are_limited(public: Site) -> None:
    settings = strict(fetch_allow_networks=["127.0.0.2/32"], http_max_redirects=3)
    with make_client(settings) as client, pytest.raises(FetchError, match="more than 3"):
        fetch(f"{public.base}/loop", client, settings)
    assert len(public.hits) == 4


def test_a_slow_drip_is_cut_at_the_total_timeout(public: Site) -> None:
    settings = strict(fetch_allow_networks=["127.0.0.2/32"], http_total_timeout=1)
    started = time.monotonic()
    with make_client(settings) as client, pytest.raises(FetchError, match="still arriving"):
        fetch(f"{public.base}/drip", client, settings)
    assert time.monotonic() - started < 3.5  # the drip lasts 4 s


def test_an_allowed_network_is_fetched(internal: Site) -> None:
    settings = strict(fetch_allow_networks=["127.0.0.1/32"])
    (article,) = list(read_sources([f"{internal.base}/secret"], settings))
    assert isinstance(article, Article) and "Lind Quay" in article.raw
