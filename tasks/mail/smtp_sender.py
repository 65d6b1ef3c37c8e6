"""Send a batch of built e-mails over SMTP and classify each outcome: sent, transient or permanent.

Plain asyncio + aiosmtplib: no Prefect, no database. The caller (the outbox delivery task) records every
result through ``on_result`` as soon as it is known and retries the transient ones later; this module
never retries a message itself, so nothing is sent twice by it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from typing import Literal

import aiosmtplib
from pydantic import SecretStr

from core.errors import InputError

logger = logging.getLogger(__name__)

Status = Literal["sent", "transient", "permanent"]


@dataclass(frozen=True)
class SmtpConfig:
    """Where and how to connect; ``password`` is unwrapped only at login."""

    host: str
    port: int
    username: str | None = None
    password: SecretStr | None = None
    tls: Literal["none", "starttls", "ssl"] = "none"
    timeout: float = 30.0
    concurrency: int = 8

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise InputError(f"SMTP 端口 {self.port} 超出范围")
        if self.tls not in ("none", "starttls", "ssl"):
            raise InputError(f"SMTP tls 须为 none、starttls 或 ssl，不能是 {self.tls!r}")
        if self.concurrency < 1 or self.timeout <= 0:
            raise InputError("SMTP 并发数至少为 1，超时须为正数")
        if (self.username is None) != (self.password is None):
            raise InputError("SMTP 用户名和密码须同时设置")


@dataclass(frozen=True)
class SendResult:
    """What happened to one message; ``reason`` carries the server's code and text when not sent."""

    key: str
    status: Status
    reason: str = ""


async def send_batch(
    messages: Sequence[tuple[str, EmailMessage]],
    config: SmtpConfig,
    on_result: Callable[[SendResult], None] | None = None,
) -> list[SendResult]:
    """Send ``(key, message)`` pairs over at most ``config.concurrency`` reused connections.

    Args:
        messages: outbox key and built message (see ``tasks.mail.messages.build_message``). A message
            without a Date header gets one stamped at send time.
        config: the SMTP server, credentials, TLS mode, timeout and number of connections.
        on_result: called with each result as soon as it is known, so the caller can record it at once.
            If it raises, no further message is started and the exception is re-raised.

    Returns:
        One ``SendResult`` per message, in input order. Per-message failures never raise: a 4xx reply,
        a refused, reset or timed-out connection is "transient"; a 5xx reply or a 5xx-refused recipient
        is "permanent". When no connection can be opened, every message left is "transient".
    """
    batch = _Batch(messages, on_result)
    workers = min(config.concurrency, len(messages))
    batch.live_workers = workers
    await asyncio.gather(*(_worker(batch, config) for _ in range(workers)))
    if batch.callback_error is not None:
        raise batch.callback_error
    assert None not in batch.results, "every message gets a result unless on_result failed"
    return batch.results  # type: ignore[return-value]


@dataclass(eq=False)
class _Batch:
    """State shared by the workers: the queue of message indices and the results so far."""

    messages: Sequence[tuple[str, EmailMessage]]
    on_result: Callable[[SendResult], None] | None
    pending: deque[int] = field(init=False)
    results: list[SendResult | None] = field(init=False)
    live_workers: int = 0
    callback_error: Exception | None = None

    def __post_init__(self) -> None:
        self.pending = deque(range(len(self.messages)))
        self.results = [None] * len(self.messages)

    def next_index(self) -> int | None:
        if self.callback_error is not None or not self.pending:
            return None
        return self.pending.popleft()

    def record(self, index: int, result: SendResult) -> None:
        self.results[index] = result
        if self.on_result is None:
            return
        try:
            self.on_result(result)
        except Exception as exc:  # the caller's bookkeeping failed: stop starting new messages
            self.callback_error = self.callback_error or exc

    def retire(self, connect_failure: str | None) -> None:
        """A worker leaves; if the last one could not connect, whatever is left is transient."""
        self.live_workers -= 1
        if self.live_workers > 0 or connect_failure is None:
            return  # others still sending, or the queue is done (or the batch was stopped or cancelled)
        while (index := self.next_index()) is not None:
            self.record(index, SendResult(self.messages[index][0], "transient", connect_failure))


async def _worker(batch: _Batch, config: SmtpConfig) -> None:
    link = _Link(config)
    try:
        while (index := batch.next_index()) is not None:
            key, message = batch.messages[index]
            result = await link.deliver(key, message)
            if result is None:
                # Never attempted: hand it to a worker that still has a connection (or to retire()).
                batch.pending.appendleft(index)
                return
            batch.record(index, result)
    finally:
        # retire() runs before the await below, so no other worker can slip in between the hand-back
        # above and the count of live workers.
        batch.retire(link.failure)
        await link.close()


class _Link:
    """One worker's SMTP connection: opened lazily, reopened after it dies."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self.client: aiosmtplib.SMTP | None = None
        self.failure: str | None = None

    async def deliver(self, key: str, message: EmailMessage) -> SendResult | None:
        """Send one message; None when no connection could be opened."""
        if (self.client is None or not self.client.is_connected) and not await self._open():
            return None
        if message["Date"] is None:
            message["Date"] = formatdate(localtime=True)
        try:
            refused, _ = await self.client.send_message(message)
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return _all_refused(key, exc.recipients)
        except aiosmtplib.SMTPResponseException as exc:
            if exc.code == 421:  # "closing transmission channel" (RFC 5321): reconnect for the next one
                await self.close()
            return _by_code(key, exc.code, f"{exc.code} {exc.message}")
        except OSError as exc:  # disconnected, reset, timed out: covers the aiosmtplib connection errors
            await self.close()
            return SendResult(key, "transient", _describe(exc))
        except Exception as exc:  # the library refused the message itself (bad address, no SMTPUTF8...)
            await self.close()
            return SendResult(key, "permanent", _describe(exc))
        return _partly_refused(key, refused) if refused else SendResult(key, "sent")

    async def _open(self) -> bool:
        await self.close()
        config = self.config
        client = aiosmtplib.SMTP(
            hostname=config.host,
            port=config.port,
            use_tls=config.tls == "ssl",
            start_tls=config.tls == "starttls",
            timeout=config.timeout,
        )
        try:
            await client.connect()
            if config.username is not None and config.password is not None:
                await client.login(config.username, config.password.get_secret_value())
        except Exception as exc:  # refused, unreachable, TLS or login failure: the server, not the message
            # The reason holds the server's reply or the exception only, never the config or its password.
            client.close()
            self.failure = f"cannot connect to {config.host}:{config.port}: {_describe(exc)}"
            logger.warning("SMTP %s", self.failure)
            return False
        self.client, self.failure = client, None
        return True

    async def close(self) -> None:
        client, self.client = self.client, None
        if client is None or not client.is_connected:
            return
        try:
            await client.quit()
        except (aiosmtplib.SMTPException, OSError):
            client.close()


def _by_code(key: str, code: int, reason: str) -> SendResult:
    return SendResult(key, "permanent" if 500 <= code < 600 else "transient", reason)


def _all_refused(key: str, recipients: list[aiosmtplib.SMTPRecipientRefused]) -> SendResult:
    reason = "; ".join(f"{r.code} {r.message} <{r.recipient}>" for r in recipients)
    transient = all(400 <= r.code < 500 for r in recipients)
    return SendResult(key, "transient" if transient else "permanent", reason)


def _partly_refused(key: str, refused: dict[str, aiosmtplib.SMTPResponse]) -> SendResult:
    # Never transient: a retry would deliver a second copy to the recipients that accepted it.
    details = "; ".join(f"{r.code} {r.message} <{address}>" for address, r in refused.items())
    return SendResult(key, "permanent", f"partly delivered, refused: {details}")


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
