"""A small OpenAI-compatible chat endpoint on 127.0.0.1, for the abstractive briefing's tests.

No language model can run here, so the server answers with a reply the test builds from the
request (the numbered sentences it was sent). Everything else is real: the HTTP request, its
JSON body and headers, the response parsing and the errors.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[dict[str, Any]], tuple[int, str]]  # request body -> (status, response body)


@dataclass
class ChatServer:
    url: str  # the API base, ending in /v1
    requests: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)


def completion(content: str) -> tuple[int, str]:
    """A 200 answer in the chat-completions shape."""
    body = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}}],
    }
    return 200, json.dumps(body)


def numbered_sentences(request: dict[str, Any]) -> list[str]:
    """The source sentences a request carries, in their numbered order."""
    user = request["messages"][-1]["content"]
    found = []
    for line in user.splitlines():
        if line.startswith("[") and "] " in line:
            found.append(line.split("] ", 1)[1])
    return found


@contextmanager
def chat_server(reply: Reply) -> Iterator[ChatServer]:
    server = ChatServer("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            server.requests.append((dict(self.headers), body))
            if self.path != "/v1/chat/completions":
                status, text = 404, json.dumps({"error": f"no route {self.path}"})
            else:
                status, text = reply(body)
            data = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
