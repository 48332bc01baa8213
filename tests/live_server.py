"""The web app served for real: uvicorn on a free 127.0.0.1 port, in a thread, for HTTP tests."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn

from storyline import get_settings
from storyline.serve.api import create_app


def form_token(client: httpx.Client, page: str) -> str:
    """The CSRF token of ``page``'s forms (the client keeps the cookie it goes with)."""
    match = re.search(r'name="csrf" value="([0-9a-f]+)"', client.get(page).text)
    assert match, f"{page} has no form token"
    return match.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def live_server(db_url: str) -> Iterator[httpx.Client]:
    """A client of the app serving ``db_url``, started and stopped around the block."""
    port = free_port()
    config = uvicorn.Config(
        create_app(get_settings(db_url=db_url)), host="127.0.0.1", port=port, log_level="warning"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert srv.started, "uvicorn did not start"
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            yield client
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
