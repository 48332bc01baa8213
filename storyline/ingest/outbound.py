"""Ingest stage: the outbound fetch policy, one place for every HTTP request storyline makes on
an input's say (URL ingest, feeds, the pages feed entries link to).

A URL from a request or a feed must not make the server fetch what only the server can reach:
its own API on 127.0.0.1, a router's admin page, a cloud metadata service at 169.254.169.254.
Checking the URL's text is not enough (``0x7f000001``, ``2130706433`` and a hostname that
resolves to 10.0.0.5 all name private machines, and DNS may answer differently a second later),
so the check is made where the connection is opened: every address a host resolves to is
checked, and the socket is connected to the checked address itself. That holds for every
redirect hop too, since each hop opens its connection through the same check. Only http and
https are fetched, redirects are limited, and bodies are bounded in size and in total time by the
fetch that reads them.

Private networks a user does mean to crawl (an intranet) are named in the
``fetch_allow_networks`` setting.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from storyline.config import Settings
from storyline.errors import FetchError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class BlockedAddressError(FetchError):
    """A fetch was refused because its host is on a loopback, private or reserved network."""

    code = "blocked_address"


def _kind(address: IPAddress) -> str:
    """The name of the range that makes ``address`` internal, for the refusal message."""
    checks = (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
    )
    return next((name for name, hit in checks if hit), "non-public")


def parse_networks(specs: Iterable[str]) -> tuple[Network, ...]:
    """The networks named in the ``fetch_allow_networks`` setting (CIDR or single addresses)."""
    return tuple(ipaddress.ip_network(spec.strip(), strict=False) for spec in specs)


class AddressPolicy:
    """Which addresses a fetch may connect to: public ones, and those in allowed networks."""

    def __init__(self, allowed: Iterable[str] = ()) -> None:
        self.allowed = parse_networks(allowed)

    def refusal(self, address: str) -> str | None:
        """Why ``address`` may not be connected to, or None when it may."""
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
        if any(ip in network for network in self.allowed):
            return None
        if ip.is_global and not ip.is_multicast:
            return None
        return f"{ip} is an internal ({_kind(ip)}) address"

    def resolve(self, host: str, port: int) -> list[str]:
        """Every address ``host`` resolves to, each checked; raise BlockedAddressError when any
        is refused (a name that resolves to a public and a private address is not trusted)."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise FetchError(f"{host}: the name does not resolve ({exc}); check it") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        for address in addresses:
            reason = self.refusal(address)
            if reason is not None:
                raise BlockedAddressError(
                    f"{host}: refused: {reason}; storyline fetches public addresses only (name "
                    "the network in STORYLINE_FETCH_ALLOW_NETWORKS to crawl it)"
                )
        if not addresses:
            raise FetchError(f"{host}: the name resolves to no address; check the address")
        return addresses


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting only to addresses the policy allows: the host is
    resolved here, checked, and the socket opened to the checked address (TLS still names the
    host, since httpcore passes the request's host to ``start_tls``)."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        error: Exception | None = None
        for address in self.policy.resolve(host, port):
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:  # try the next address, as create_connection does
                error = exc
        assert error is not None
        raise error


def _check_scheme(request: httpx.Request) -> None:
    """Refuse a request (the first or a redirect hop) that is not http(s)."""
    if request.url.scheme not in ("http", "https"):
        raise FetchError(f"{request.url}: only http and https URLs are fetched")


def make_client(settings: Settings) -> httpx.Client:
    """An HTTP client under the fetch policy: storyline's timeout and user agent, redirects
    limited to ``http_max_redirects``, and every connection checked against internal networks
    (unless named in ``fetch_allow_networks``). Proxies from the environment are not used: a
    proxy would connect on storyline's behalf to addresses the check cannot see."""
    transport = httpx.HTTPTransport(trust_env=False)
    pool = getattr(transport, "_pool", None)
    if not isinstance(pool, httpcore.ConnectionPool):  # httpx changed: fail closed, loudly
        raise RuntimeError("httpx's transport has no connection pool to guard; pin httpx")
    pool._network_backend = GuardedBackend(AddressPolicy(settings.fetch_allow_networks))
    return httpx.Client(
        transport=transport,
        timeout=settings.http_timeout,
        follow_redirects=True,
        max_redirects=settings.http_max_redirects,
        headers={"User-Agent": settings.http_user_agent},
        trust_env=False,
        event_hooks={"request": [_check_scheme]},
    )
