"""Delivery of the channel messages due: claimed in groups, sent one by one over HTTP, each outcome recorded.

The deliver-notices task runs this after the e-mails (tasks/mail/delivery.py), so the daily sweep and the
deliver-outbox flow deliver both, and Prefect's retries (2, 4, 8, 16 s) take the transient failures of either.
A channel whose first STOP_AFTER messages in a run all failed transiently (its receiver is down) is not tried
further in that run: its other messages go back to pending, their attempts uncounted, for the next try.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import httpx

from core.db import session_scope
from core.errors import InputError
from core.settings import get_settings
from models import ChannelMessage, Unit
from models.queries import rows_by_id
from tasks.channels.claims import ChannelRecorder, claim, release
from tasks.channels.senders import send
from tasks.mail.outbox_claims import new_token

BATCH = 100
STOP_AFTER = 3


@dataclass
class ChannelOutcome:
    counts: dict[str, int]  # sent, transient, permanent
    retryable: int  # transient failures of messages still below smtp_max_attempts
    stopped_early: bool  # a channel's receiver was down: some of its messages were not tried

    @property
    def retry_wanted(self) -> bool:
        return self.retryable > 0 or self.stopped_early


def deliver_channel_messages(as_of: date, only_id: int | None = None) -> ChannelOutcome:
    """Send every channel message due on `as_of` (held ones from their date on), or just `only_id`."""
    settings = get_settings()
    token = new_token()
    recorder = ChannelRecorder(token, settings.smtp_max_attempts)
    sent: dict[str, int] = {}
    failing: dict[str, int] = {}
    stopped = False
    client: httpx.Client | None = None  # made for the first claimed batch: most runs have nothing to send
    try:
        after = 0
        while batch := claim(token, as_of, BATCH, settings.smtp_claim_seconds, after, only_id):
            client = client or httpx.Client(timeout=settings.channel_timeout, follow_redirects=False)
            with session_scope() as session:
                units = rows_by_id(session, Unit, {m.unit_id for m in batch})
                session.expunge_all()
            for message in batch:
                if failing.get(message.channel, 0) >= STOP_AFTER and not sent.get(message.channel):
                    stopped = True
                    continue  # released below, untried
                status, reason = send(client, message, units.get(message.unit_id), settings)
                recorder.add(message, status, reason)
                counter = sent if status == "sent" else failing if status == "transient" else {}
                counter[message.channel] = counter.get(message.channel, 0) + 1
            after = batch[-1].id
    finally:
        if client is not None:
            client.close()
        release(token)
    return ChannelOutcome(dict(recorder.counts), recorder.retryable, stopped)


def retry_message(message_id: int, as_of: date) -> ChannelMessage:
    """Send one channel message again by hand (failed, or pending after transient failures); returns it afterwards
    (the unit's robot, secret and mobile as the ledger has them now: correct the district file and re-seed first).

    Raises:
        InputError: no such message, already sent, held (covert inspection) or being sent by another run.
    """
    with session_scope() as session:
        message = session.get(ChannelMessage, message_id)
        if message is None:
            raise InputError(f"渠道消息 {message_id} 不存在")
        if message.status == "sent":
            raise InputError(f"渠道消息 {message_id} 已于 {message.sent_at:%Y-%m-%d %H:%M} 发出，不重复发送")
        if message.hold_until is not None and message.hold_until > as_of:
            raise InputError(f"渠道消息 {message_id} 暂缓至 {message.hold_until}（暗访）")
    outcome = deliver_channel_messages(as_of, only_id=message_id)
    if sum(outcome.counts.values()) == 0:
        raise InputError(f"渠道消息 {message_id} 正由另一次投递发送")
    with session_scope() as session:
        message = session.get(ChannelMessage, message_id)
        session.expunge(message)
        return message


def channel_summary(counts: dict[str, int], stuck: int, max_attempts: int, logger) -> dict[str, int]:
    """The channels' part of a delivery's counts, only where there were any (a district without robots or SMS
    sees e-mail's alone), warning of messages still pending after `max_attempts` attempts."""
    if stuck:
        logger.warning("%d channel message(s) still pending after %d attempts: dudao channels --stuck",
                       stuck, max_attempts)
    summary = {k: n for k, n in counts.items() if k.startswith("channel_") and n}
    if stuck:
        summary["channel_stuck"] = stuck
    return summary
