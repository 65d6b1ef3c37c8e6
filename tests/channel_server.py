"""A robot webhook and SMS gateway for the channel tests: a real HTTP server on 127.0.0.1 (the standard
library's, in a thread), scripted to fail, time out or answer twice, that records every request it receives
and, when `dedup` is on, delivers each idempotency key once (as a gateway that deduplicates would)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Receipt:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: dict


@dataclass
class ChannelServer:
    """Each request takes the next scripted reply ("ok", "500", "sleep", "lost", "errcode:N"); then "ok"."""

    secret: str | None = None  # DingTalk 加签: requests must carry a valid timestamp and sign
    token: str | None = None  # SMS gateway: requests must carry Authorization: Bearer <token>
    dedup: bool = False
    sleep_seconds: float = 0.0
    script: list[str] = field(default_factory=list)
    raw: list[Receipt] = field(default_factory=list)  # every request that arrived
    delivered: list[Receipt] = field(default_factory=list)  # what the group or the phone got
    bad_signatures: int = 0
    port: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/robot/send?access_token=t0k3n") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def deliveries_by_key(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for receipt in self.delivered:
            key = receipt.headers.get("Idempotency-Key", "")
            counts[key] = counts.get(key, 0) + 1
        return counts

    def _next(self) -> str:
        with self._lock:
            return self.script.pop(0) if self.script else "ok"

    def _signed(self, receipt: Receipt) -> bool:
        timestamp, sign = receipt.query.get("timestamp", [""])[0], receipt.query.get("sign", [""])[0]
        expected = base64.b64encode(hmac.new(self.secret.encode(), f"{timestamp}\n{self.secret}".encode(),
                                             hashlib.sha256).digest()).decode()
        fresh = timestamp.isdigit() and abs(time.time() * 1000 - int(timestamp)) < 3_600_000
        return fresh and hmac.compare_digest(sign, expected)

    def handle(self, receipt: Receipt) -> tuple[int, dict]:
        """(HTTP status, JSON answer) for one request; records what it delivers."""
        with self._lock:
            self.raw.append(receipt)
        if self.secret is not None and not self._signed(receipt):
            self.bad_signatures += 1
            return 200, {"errcode": 310000, "errmsg": "sign not match"}
        if self.token is not None and receipt.headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {"error": "bad token"}
        step = self._next()
        if step == "500":
            return 500, {"errcode": -1, "errmsg": "server error"}
        if step.startswith("errcode:"):
            code = int(step.partition(":")[2])
            return 200, {"errcode": code, "errmsg": f"refused {code}"}
        self._deliver(receipt)  # "ok", and "sleep"/"lost": the message arrives, the answer does not
        if step == "sleep":
            time.sleep(self.sleep_seconds)
        if step == "lost":
            return 503, {"errcode": -1, "errmsg": "gateway answered late"}
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _deliver(self, receipt: Receipt) -> None:
        key = receipt.headers.get("Idempotency-Key")
        with self._lock:
            if self.dedup and any(r.headers.get("Idempotency-Key") == key for r in self.delivered):
                return
            self.delivered.append(receipt)


def start(server: ChannelServer) -> tuple[ThreadingHTTPServer, threading.Thread]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the standard library's name)
            length = int(self.headers.get("Content-Length", 0))
            parts = urlsplit(self.path)
            receipt = Receipt(parts.path, parse_qs(parts.query), dict(self.headers.items()),
                              json.loads(self.rfile.read(length) or b"{}"))
            status, answer = server.handle(receipt)
            body = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout)
                pass

        def log_message(self, *args):
            pass

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    http.daemon_threads = True
    server.port = http.server_address[1]
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    return http, thread
