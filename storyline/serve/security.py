"""Serve: what keeps the web server safe on a network, in one ASGI middleware (`Guard`).

- Security headers on every answer: a Content-Security-Policy without inline script, no
  framing, no MIME sniffing, no referrer to other sites.
- Cross-site writes refused: a POST, PUT, PATCH or DELETE whose ``Origin`` (or
  ``Sec-Fetch-Site``) says another site sent it is answered 403 before its body is read. HTML
  forms also carry a token that must match the ``storyline_csrf`` cookie (double submit; the
  cookie is SameSite=Strict), checked by `check_form`.
- Writes without a token are taken from this machine only when the request names this machine
  too (``Host: 127.0.0.1``): a page on another site whose name is made to resolve to 127.0.0.1
  (DNS rebinding) cannot use the browser as a local client.
- Uploads bounded while they arrive: a body longer than ``upload_max_bytes`` is refused from its
  Content-Length, or cut off with 413 as soon as it passes the limit; on the API, the token is
  checked before any of the body is read.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from html import escape
from typing import Any
from urllib.parse import urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request

from storyline.config import Settings
from storyline.errors import ForbiddenError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSRF_COOKIE = "storyline_csrf"
CSRF_FIELD = "csrf"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
UPLOAD_PATHS = {"/api/v1/ingest", "/ingest"}  # the requests that may carry large bodies
LOOPBACK_CLIENTS = {"127.0.0.1", "::1"}
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]"}
IN_PROCESS_CLIENT = "testclient"  # Starlette's TestClient: no socket, so no network at all
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}
# FastAPI's API explorer loads its script from a CDN and starts it inline (issue 24 serves it
# offline); it gets the other headers but not the policy, which would leave it blank.
NO_CSP = ("/docs", "/redoc")


def host_name(host_header: str) -> str:
    """The host of a ``Host`` header, without its port (``[::1]`` keeps its brackets)."""
    if host_header.startswith("["):
        return host_header.split("]", 1)[0] + "]"
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


def is_local_request(request: Request) -> bool:
    """True when the request comes from this machine and names this machine."""
    client = request.client.host if request.client else ""
    if client == IN_PROCESS_CLIENT:
        return True
    host = host_name(request.headers.get("host", "")).lower()
    return client in LOOPBACK_CLIENTS and host in LOOPBACK_HOSTS


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer`` header (the scheme in any case)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def check_writer(request: Request, settings: Settings, form_token: str | None = None) -> None:
    """Allow a write: with the configured token, or from this machine when none is set.

    Raises:
        ForbiddenError: the token is missing or wrong, or (without a token) the request is not
            local.
    """
    expected = settings.api_token.get_secret_value() if settings.api_token else None
    if expected is None:
        if not is_local_request(request):
            raise ForbiddenError(
                "writes from other machines need a token: set STORYLINE_API_TOKEN on the "
                "server and send 'Authorization: Bearer TOKEN'"
            )
        return
    given = bearer_token(request) or form_token
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise ForbiddenError(
            "this server requires its API token for writes: send 'Authorization: Bearer TOKEN' "
            "(or fill the form's token field)"
        )


def may_write(request: Request, settings: Settings) -> bool:
    """Whether the request may write without a form token (for what pages show)."""
    try:
        check_writer(request, settings)
    except ForbiddenError:
        return False
    return True


def csrf_token(request: Request) -> str:
    """The form token of this browser (set by `Guard`), for templates' hidden field."""
    return str(request.scope.get("state", {}).get("csrf", ""))


def check_form(request: Request, token: str | None) -> None:
    """Refuse a form whose token does not match the browser's cookie (a cross-site form)."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not token or not hmac.compare_digest(cookie.encode(), token.encode()):
        raise ForbiddenError(
            "the form's security token is missing or out of date: reload the page and send it again"
        )


def http_url(url: str | None) -> str:
    """``url`` when it is an http(s) URL that may be a link, else "" (``javascript:``,
    ``data:`` and the like are shown as text, never linked)."""
    if not url:
        return ""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else ""


def cross_site(headers: Headers, scheme: str) -> str | None:
    """Why a write is refused as sent by another site, or None when it is not."""
    fetch_site = headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return f"a write from a {fetch_site} page is refused"
    origin = headers.get("origin")
    if origin is None:
        return None  # not sent by a browser's cross-origin request
    try:
        parts = urlsplit(origin)
        same = parts.scheme == scheme and parts.netloc.lower() == headers.get("host", "").lower()
    except ValueError:
        same = False
    return None if same else f"a write from the page of {origin[:200]!r} is refused"


class Guard:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        path: str = scope["path"]
        cookie = Request(scope).cookies.get(CSRF_COOKIE)
        token = cookie if cookie and len(cookie) == 32 else secrets.token_hex(16)
        scope.setdefault("state", {})["csrf"] = token
        if scope["method"] not in SAFE_METHODS:
            refusal, status = cross_site(headers, scope.get("scheme", "http")), 403
            if refusal is None and path in UPLOAD_PATHS:
                refusal, status = self._upload_refusal(scope, headers)
            if refusal is not None:
                await _refuse(scope, send, status, refusal)
                return
            if path in UPLOAD_PATHS:
                receive = _bounded(receive, self.settings.upload_max_bytes)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    if name == "content-security-policy" and path.startswith(NO_CSP):
                        continue
                    if name not in out:
                        out[name] = value
                if cookie != token:
                    out.append(
                        "set-cookie",
                        f"{CSRF_COOKIE}={token}; Path=/; SameSite=Strict; HttpOnly",
                    )
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _upload_refusal(self, scope: Scope, headers: Headers) -> tuple[str | None, int]:
        """Why an upload is refused before its body is read (and the status), or None."""
        if scope["path"].startswith("/api/"):
            try:
                check_writer(Request(scope), self.settings)
            except ForbiddenError as exc:
                return str(exc), 403
        length = headers.get("content-length", "")
        limit = self.settings.upload_max_bytes
        if length.isdigit() and int(length) > limit:
            return _too_large(limit), 413
        return None, 0


def _too_large(limit: int) -> str:
    return (
        f"the upload is over {limit:,} bytes; send fewer or smaller files, or raise "
        "STORYLINE_UPLOAD_MAX_BYTES"
    )


def _bounded(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises 413 as soon as the body passes ``limit`` bytes."""
    seen = 0

    async def bounded() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise HTTPException(413, _too_large(limit))
        return message

    return bounded


async def _refuse(scope: Scope, send: Send, status: int, message: str) -> None:
    """Answer ``status`` in the error shape (JSON for the API, a short page otherwise)."""
    code = "too_large" if status == 413 else "forbidden"
    if scope["path"].startswith("/api/"):
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        content_type = b"application/json"
    else:
        body = (
            f"<!doctype html><html lang='en'><title>{status}</title><p>{escape(message)}</p></html>"
        ).encode()
        content_type = b"text/html; charset=utf-8"
    headers = [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode(), v.encode()) for k, v in HEADERS.items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
