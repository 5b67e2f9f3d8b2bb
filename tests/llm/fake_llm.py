"""A fake OpenAI-compatible chat server over real HTTP on loopback, for fault-injection tests.

Each request to ``POST /v1/chat/completions`` is recorded (arrival time and JSON body) and
answered by a responder: any status, headers and raw body, optionally after a hang.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from argus.runtime.kafka import free_port


@dataclass(kw_only=True)
class Reply:
    """What the server answers to one request."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    hang_s: float = 0.0  #: wait this long before answering (released when the server closes)


@dataclass(frozen=True, kw_only=True)
class Request:
    """One request as the server saw it."""

    at: float  #: time.monotonic() on arrival
    body: dict[str, Any]  #: the chat completion request

    @property
    def system(self) -> str:
        """The text of the system message."""
        return "".join(
            str(m.get("content")) for m in self.body["messages"] if m["role"] == "system"
        )

    @property
    def user(self) -> str:
        """The text of the last user message."""
        users = [m for m in self.body["messages"] if m["role"] == "user"]
        return str(users[-1]["content"]) if users else ""


Responder = Callable[[Request], Reply]


def completion(content: str) -> Reply:
    """A well-formed chat completion whose message is ``content``."""
    body = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": "fake",
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {"role": "assistant", "content": content},
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }
    return Reply(body=json.dumps(body).encode())


class FakeLLM:
    """The server, started on a free loopback port; use as a context manager."""

    def __init__(self, responder: Responder) -> None:
        self.responder = responder
        self.requests: list[Request] = []
        self.port = free_port()
        self._prefix = uuid.uuid4().hex[:12]
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        self._server.block_on_close = False  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The base URL a client is configured with: unique, so that no breaker state of an
        earlier server on the same port carries over (breakers are shared per endpoint)."""
        return f"http://127.0.0.1:{self.port}/{self._prefix}/v1"

    def __enter__(self) -> FakeLLM:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length", 0))
                request = Request(at=time.monotonic(), body=json.loads(self.rfile.read(size)))
                fake.requests.append(request)
                reply = fake.responder(request)
                if reply.hang_s and fake._release.wait(reply.hang_s):
                    return  # the server is closing
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(reply.body)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout) before the answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
