"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, port 0, recording what it receives.

Fault injection: reply a chosen code to the next DATA commands or to given recipients, delay the answer
to DATA, refuse a login, stop and start again on the same port. Use the ``smtp_server`` fixture.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter, deque
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class _PortZeroController(Controller):
    """Controller that binds port 0 and counts the connections it accepts."""

    def __init__(self, recorder: RecordingSmtpServer, **kwargs: Any) -> None:
        super().__init__(recorder, hostname=recorder.hostname, port=recorder.port, **kwargs)
        self.recorder = recorder

    def factory(self) -> SMTP:
        self.recorder._connection_opened()
        return super().factory()

    def _trigger_server(self) -> None:
        # The base class connects to self.port to check the server is up; learn the port bound first.
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class RecordingSmtpServer:
    """aiosmtpd handler plus its controller; the handler hooks run in the controller's thread."""

    hostname = "127.0.0.1"

    def __init__(self, credentials: dict[str, str] | None = None) -> None:
        self.port = 0  # chosen by the OS at the first start, kept for restarts
        self.credentials = credentials
        self.connections = 0
        self.logins: list[tuple[str, bool]] = []  # (login, over TLS) of each accepted AUTH
        self.data_over_tls: list[bool] = []  # for each accepted message: was its connection encrypted?
        self.data_delay = 0.0
        self._received: list[EmailMessage] = []
        self._data_replies: deque[str] = deque()
        self._rcpt_replies: dict[str, str] = {}
        self._lock = threading.Lock()
        self._controller: _PortZeroController | None = None

    # --- lifecycle -----------------------------------------------------------------------------
    def start(self) -> None:
        """Listen (again) on the port of the first start; the connection counter starts at zero."""
        auth: dict[str, Any] = {}
        if self.credentials is not None:
            auth = {"authenticator": self._authenticate, "auth_require_tls": False}
        self._controller = _PortZeroController(self, **auth)
        self._controller.start()
        self.port = self._controller.port
        with self._lock:
            self.connections = 0  # forget the controller's own readiness probe

    def stop(self) -> None:
        """Stop listening: clients now get 'connection refused'."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    # --- fault injection -----------------------------------------------------------------------
    def reply_to_data(self, *replies: str) -> None:
        """Answer the next DATA commands with these replies in turn, e.g. "421 try later", "451"."""
        with self._lock:
            self._data_replies.extend(replies)

    def reply_to_recipient(self, address: str, reply: str = "550 no such user") -> None:
        """Answer every RCPT TO for ``address`` with ``reply``."""
        with self._lock:
            self._rcpt_replies[address.lower()] = reply

    # --- what was received ---------------------------------------------------------------------
    @property
    def received(self) -> list[EmailMessage]:
        with self._lock:
            return list(self._received)

    @property
    def message_ids(self) -> Counter[str]:
        """How many times each Message-ID was accepted."""
        return Counter(str(message["Message-ID"]) for message in self.received)

    def count(self, message_id: str) -> int:
        return self.message_ids[message_id]

    # --- aiosmtpd handler hooks ----------------------------------------------------------------
    async def handle_RCPT(
        self, server: SMTP, session: Any, envelope: Any, address: str, options: list
    ) -> str:
        with self._lock:
            reply = self._rcpt_replies.get(address.lower())
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        if self.data_delay:
            await asyncio.sleep(self.data_delay)
        with self._lock:
            if self._data_replies:
                return self._data_replies.popleft()
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        with self._lock:
            self._received.append(message)  # type: ignore[arg-type]
            self.data_over_tls.append(_encrypted(server))
        return "250 OK"

    def _authenticate(
        self, server: SMTP, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and self.credentials is not None
            and (self.credentials.get(data.login.decode()) == data.password.decode())
        )
        if ok:
            with self._lock:
                self.logins.append((data.login.decode(), _encrypted(server)))
        return AuthResult(success=ok, handled=False)  # aiosmtpd then answers 535 itself

    def _connection_opened(self) -> None:
        with self._lock:
            self.connections += 1


def _encrypted(server: SMTP) -> bool:
    """Whether this session runs over TLS (implicit, or after STARTTLS)."""
    return server.transport is not None and server.transport.get_extra_info("ssl_object") is not None


@pytest.fixture
def smtp_server() -> Iterator[RecordingSmtpServer]:
    """A started recording server; stopped after the test."""
    server = RecordingSmtpServer()
    server.start()
    yield server
    server.stop()
