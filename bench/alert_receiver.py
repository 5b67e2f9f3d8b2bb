"""A real HTTP receiver of alert notifications on loopback, for tests and ``bench alerts``.

It records every request, verifies signatures (the webhook's HMAC header, DingTalk's
timestamp + sign), and misbehaves on purpose: a script of answers taken one per request
(``"500"``, ``"429:<seconds>"`` with Retry-After, ``"hang:<seconds>"`` answering only after the
client gave up), then a random share of 500s, then 200.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import random
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

#: Paths of the receiver per channel kind: /hook (webhook), /slack, /dingtalk.
PATHS = {"webhook": "/hook", "slack": "/slack", "dingtalk": "/dingtalk"}


@dataclass(frozen=True, kw_only=True)
class Received:
    """One request as the receiver saw it."""

    path: str
    key: str | None  #: the Idempotency-Key header
    body: bytes
    signature_ok: bool | None  #: None where the channel signs nothing
    status: int  #: what it answered (0: it hung until the client left)
    at: float  #: time.monotonic() when it arrived
    wall: float  #: time.time() when it arrived


class Receiver:
    """The receiver; use as a context manager (it serves on a thread while open)."""

    def __init__(
        self,
        *,
        secret: str | None = None,
        script: list[str] | None = None,
        fail_rate: float = 0.0,
        seed: int = 1,
    ) -> None:
        self.secret = secret
        self.script = list(script or [])
        self.fail_rate = fail_rate
        self.random = random.Random(seed)
        self.requests: list[Received] = []
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The base URL (``http://127.0.0.1:<port>``)."""
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def delivered(self) -> list[Received]:
        """Requests answered with 2xx."""
        with self.lock:
            return [r for r in self.requests if 200 <= r.status < 300]

    def duplicates(self) -> int:
        """Deliveries (2xx) beyond the first of each idempotency key: raw duplicates."""
        counts = Counter(r.key for r in self.delivered())
        return sum(n - 1 for n in counts.values())

    def wait_for(self, count: int, timeout_s: float) -> bool:
        """Wait until ``count`` requests (of any outcome) have arrived."""
        deadline = time.monotonic() + timeout_s
        with self.arrived:
            while len(self.requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.arrived.wait(left)
        return True

    def _next_answer(self) -> str:
        with self.lock:
            if self.script:
                return self.script.pop(0)
        return "500" if self.random.random() < self.fail_rate else "200"

    def _verify(
        self, path: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes
    ) -> bool | None:
        if self.secret is None:
            return None
        if path == PATHS["webhook"]:
            want = "sha256=" + hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
            return hmac.compare_digest(headers.get("x-argus-signature", ""), want)
        if path == PATHS["dingtalk"]:
            ts = (query.get("timestamp") or [""])[0]
            sign = (query.get("sign") or [""])[0]
            digest = hmac.new(
                self.secret.encode(), f"{ts}\n{self.secret}".encode(), hashlib.sha256
            ).digest()
            return bool(ts) and hmac.compare_digest(sign, base64.b64encode(digest).decode())
        return None

    def _record(self, received: Received) -> None:
        with self.arrived:
            self.requests.append(received)
            self.arrived.notify_all()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:
                pass

            def do_POST(self) -> None:
                arrived = time.monotonic()
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                split = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(split.query)
                headers = {k.lower(): v for k, v in self.headers.items()}
                ok = receiver._verify(split.path, query, headers, body)
                answer = receiver._next_answer()
                kind, _, arg = answer.partition(":")
                status = 0 if kind == "hang" else int(kind)
                if ok is False:
                    status = 401
                receiver._record(
                    Received(
                        path=split.path,
                        key=headers.get("idempotency-key"),
                        body=body,
                        signature_ok=ok,
                        status=status,
                        at=arrived,
                        wall=time.time(),
                    )
                )
                if kind == "hang":
                    time.sleep(float(arg or 5))
                    status = 200  # too late: the client has given up
                self.send_response(status)
                if status == 429:
                    self.send_header("Retry-After", arg or "1")
                reply = json.dumps({"errcode": 0} if status == 200 else {"error": status})
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                with contextlib.suppress(OSError):  # a client that gave up has closed it
                    self.wfile.write(reply.encode())

        return Handler
