"""Delivery of the outbox: pending notices become e-mails, to SMTP when configured, else to the Maildir.

Render, send and record are separate steps: the notice row holds the rendered text; a run claims a group
of notices (tasks/mail/outbox_claims.py), builds their messages (tasks/mail/notice_build.py), hands them to the
Maildir or to SMTP (tasks/mail/smtp_delivery.py), and records each outcome as it arrives.

What a notice's recipient gets:
- Maildir (no SMTP configured): exactly once; the file name comes from the outbox key, so a run repeated
  after a crash finds the message there and only records it.
- SMTP: a notice is `sent` only after the server's "250", else it stays pending (transient) or is `failed`
  with the server's reason (permanent). Nothing is sent twice except in one window: a run killed between a
  "250" and the commit of that outcome (outcomes are committed every FLUSH_SECONDS) leaves the notice
  `sending`, and the next run sends it again with the same Message-ID, which lets the receiver drop the copy.
  Messages still waiting for the reply to their DATA were not accepted: they are simply sent then.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import date

from prefect import get_run_logger, task
from prefect.context import TaskRunContext
from prefect.tasks import exponential_backoff
from sqlalchemy import select

from core.db import session_scope
from core.errors import InputError
from core.settings import Settings, get_settings
from models import Document, Notice, Unit
from tasks.access.notice_links import with_portal_links
from tasks.channels.delivery import channel_summary, deliver_channel_messages
from tasks.channels.report import stuck_messages
from tasks.mail.build_workers import BuildWorkers, joined
from tasks.mail.maildir import build_and_deliver
from tasks.mail.notice_build import MessageSpec, document_attachments
from tasks.mail.outbox_claims import ClaimRequest, Recorder, claim, new_token, release
from tasks.mail.smtp_config import smtp_config
from tasks.mail.smtp_delivery import Group, send_outbox
from tasks.mail.smtp_sender import SmtpConfig
from tasks.operator.outbox_report import stuck_notices

logger = logging.getLogger(__name__)

BATCH = 500
IN_PROCESS_MAX = 25  # a Maildir group this small is built in this process: forking would cost more than it saves


@dataclass
class DeliveryOutcome:
    """What one run did: counts by outcome, and whether another attempt soon is worth it."""

    counts: dict[str, int]
    retryable: int  # transient failures of notices still below smtp_max_attempts
    stopped_early: bool  # the server took nothing from a full group: the notices after it were not tried

    @property
    def retry_wanted(self) -> bool:
        return self.retryable > 0 or self.stopped_early


def spec_for(notice: Notice, document: Document | None, settings: Settings) -> MessageSpec:
    attachments = () if document is None else document_attachments(document.title, settings.out_dir / document.path)
    return MessageSpec(
        key=notice.key, sender=settings.smtp_from, sender_name=settings.smtp_from_name,
        recipients=tuple(tuple(r) for r in json.loads(notice.recipients)), subject=notice.subject,
        text=notice.body_text, html=notice.body_html or None, attachments=attachments,
        domain=settings.mail_domain)


def specs_for(session, notices: list[Notice], settings: Settings) -> list[MessageSpec]:
    """The notices' messages (documents read in one query), with a unit's portal link (made now, never stored)."""
    document_ids = {n.document_id for n in notices if n.document_id is not None}
    documents = {d.id: d for d in session.execute(
        select(Document).where(Document.id.in_(document_ids))).scalars()} if document_ids else {}
    return with_portal_links(session, notices, [spec_for(n, documents.get(n.document_id), settings) for n in notices])


def claim_group(request: ClaimRequest, settings: Settings) -> Group:
    """Claim the next notices and describe their messages."""
    notices = claim(request)
    with session_scope() as session:
        return Group(notices, specs_for(session, notices, settings), full=len(notices) == request.limit)


def _into_maildir(next_group, recorder: Recorder, settings: Settings) -> bool:
    """Group after group: worker processes build and file one group while this process claims the next
    (building costs ~10 ms of CPU a message); a run of one small group is done here, forking nothing."""
    workers = BuildWorkers()
    try:
        group = next_group(0)
        while group.notices:
            if workers.pool is None and len(group.specs) <= IN_PROCESS_MAX:
                outcomes = build_and_deliver(group.specs, settings.outbox_dir)
                following = next_group(group.notices[-1].id)
            else:
                filing = workers.submit(build_and_deliver, group.specs, settings.outbox_dir)
                following = next_group(group.notices[-1].id)
                outcomes = joined(filing)
            for notice, reason in zip(group.notices, outcomes, strict=True):
                recorder.add(notice.key, "sent" if reason is None else "permanent", reason or "")
            group = following
    finally:
        workers.close()
    return False


def _run(as_of: date, settings: Settings, config: SmtpConfig | None, only_id: int | None = None) -> DeliveryOutcome:
    token = new_token()
    recorder = Recorder(token, max_attempts=settings.smtp_max_attempts)
    limit = BATCH if config is None else min(1000, max(100, 10 * config.concurrency))

    def next_group(after_id: int) -> Group:
        request = ClaimRequest(token, as_of, after_id, limit, settings.smtp_claim_seconds, only_id)
        group = claim_group(request, settings)
        recorder.expect(group.notices)
        return group

    try:
        if config is None:
            stopped = _into_maildir(next_group, recorder, settings)
        else:
            stopped = asyncio.run(send_outbox(next_group, config, recorder))
        recorder.flush()
    finally:
        _settle(recorder, token)
    return DeliveryOutcome(dict(recorder.counts), recorder.retryable, stopped)


def _settle(recorder: Recorder, token: str) -> None:
    """After a failure too: keep what is known (outcomes not committed yet), then free the rest."""
    try:
        recorder.flush()
    except Exception:
        logger.exception("outcomes of %s could not be recorded; those notices will be sent again", token)
    release(token)


def deliver_pending_now(as_of: date, *, only_id: int | None = None) -> DeliveryOutcome:
    """Deliver every notice due on `as_of` (or just `only_id`, failed or not), group by group.

    Raises:
        InputError: the SMTP settings do not fit together (checked before anything is claimed).
    """
    settings = get_settings()
    return _run(as_of, settings, smtp_config(settings), only_id)


def deliver_batch_to_maildir(as_of: date, settings: Settings | None = None) -> dict[str, int]:
    """Every due notice into the Maildir (whatever the SMTP settings say); returns counts by outcome."""
    return _run(as_of, settings or get_settings(), None).counts


def refresh_recipients(session, notice: Notice) -> None:
    """Take each recipient's address from its unit as it is now (an operator may have corrected it)."""
    recipients = json.loads(notice.recipients)
    names = [name for name, _ in recipients]
    current = dict(session.execute(select(Unit.name, Unit.email).where(Unit.name.in_(names))).all())
    refreshed = [[name, current.get(name) or address] for name, address in recipients]
    if refreshed != recipients:
        notice.recipients = json.dumps(refreshed, ensure_ascii=False)
        session.add(notice)


def retry_notice(notice_id: int, as_of: date) -> Notice:
    """Send one notice again by hand (failed, or pending after transient failures); returns it afterwards.

    Raises:
        InputError: no such notice, already sent, held (covert inspection) or being sent by another run.
    """
    with session_scope() as session:
        notice = session.get(Notice, notice_id)
        if notice is None:
            raise InputError(f"通知 {notice_id} 不存在")
        if notice.status == "sent":
            raise InputError(f"通知 {notice_id} 已于 {notice.sent_at:%Y-%m-%d %H:%M} 发出，不会重复发送")
        if notice.hold_until is not None and notice.hold_until > as_of:
            raise InputError(f"通知 {notice_id} 暂缓至 {notice.hold_until}（暗访）")
        refresh_recipients(session, notice)
    outcome = deliver_pending_now(as_of, only_id=notice_id)
    if sum(outcome.counts.values()) == 0:
        raise InputError(f"通知 {notice_id} 正由另一个运行发送")
    with session_scope() as session:
        return session.get(Notice, notice_id)


class TransientDelivery(Exception):
    """Raised by the task after recording, so that Prefect's retry sends the transient failures again."""


def _transient_only(task, task_run, state) -> bool:
    """Retry what the server refused for now; a settings error or a bug fails the run at once."""
    try:
        state.result()
    except TransientDelivery:
        return True
    except BaseException:
        return False
    return False


def _last_try() -> bool:
    context = TaskRunContext.get()
    return context is None or context.task_run.run_count > context.task.retries


_TRIES_SO_FAR: dict[str, dict[str, int]] = {}  # task run id -> outcome counts of its earlier tries


def _with_earlier_tries(counts: dict[str, int]) -> dict[str, int]:
    context = TaskRunContext.get()
    earlier = _TRIES_SO_FAR.pop(str(context.task_run.id), {}) if context else {}
    return {name: count + earlier.get(name, 0) for name, count in counts.items()}


@task(name="deliver-notices", task_run_name="deliver notices · {as_of}", retries=4,
      retry_delay_seconds=exponential_backoff(backoff_factor=2), retry_jitter_factor=0.5,
      retry_condition_fn=_transient_only)
def deliver_notices(as_of: date) -> dict[str, int]:
    """Deliver the outbox; retried (2, 4, 8, 16 s, with jitter) while notices fail transiently.

    Args:
        as_of: held notices (covert inspections) go out only from their date on.

    Returns:
        counts by outcome over all tries (sent, transient, permanent) and `stuck`: notices still pending
        after `smtp_max_attempts` attempts, which the sweep's artifact lists; the channel messages' alike
        (channel_sent, channel_transient, channel_permanent, channel_stuck) where not zero.
    """
    outcome = deliver_pending_now(as_of)
    channels = deliver_channel_messages(as_of)  # webhook and SMS messages (tasks/channels/), after the e-mails
    counts = _with_earlier_tries({**outcome.counts, **{f"channel_{k}": n for k, n in channels.counts.items()}})
    logger = get_run_logger()
    logger.info("delivery: %s; channels: %s", outcome.counts, channels.counts)
    if (outcome.retry_wanted or channels.retry_wanted) and not _last_try():
        _TRIES_SO_FAR[str(TaskRunContext.get().task_run.id)] = counts
        raise TransientDelivery(f"{outcome.counts['transient']} notice(s), {channels.counts['transient']} channel "
                                "message(s) failed transiently"
                                + (", the server took none of a group" if outcome.stopped_early else ""))
    max_attempts = get_settings().smtp_max_attempts
    with session_scope() as session:
        stuck, _ = stuck_notices(session, max_attempts, limit=0)
        channel_stuck, _ = stuck_messages(session, max_attempts, limit=0)
    if stuck:
        logger.warning("%d notice(s) still pending after %d attempts: dudao notices --stuck", stuck, max_attempts)
    mail_counts = {k: n for k, n in counts.items() if not k.startswith("channel_")}
    return {**mail_counts, "stuck": stuck, **channel_summary(counts, channel_stuck, max_attempts, logger)}
