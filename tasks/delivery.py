"""Delivery of the outbox: pending notices become e-mails, to SMTP when configured, else to the Maildir.

Render, send and record are separate: the notice row holds the rendered text; this module builds the
message, hands it over, and records the outcome per notice.
"""

import asyncio
import json
from datetime import date

from prefect import task
from sqlmodel import Session, or_, select

from dudao import clock
from dudao.db import session_scope
from dudao.settings import Settings, get_settings
from models import Document, Notice
from tasks.maildir_outbox import deliver_to_maildir
from tasks.messages import Attachment, build_message

BATCH = 500


def pending_notices(session: Session, as_of: date, limit: int) -> list[Notice]:
    """Pending notices that may go out on `as_of` (covert ones wait until their visit)."""
    return list(session.exec(select(Notice).where(
        Notice.status == "pending", or_(Notice.hold_until.is_(None), Notice.hold_until <= as_of),
    ).order_by(Notice.id).limit(limit)).all())


def to_message(session: Session, notice: Notice, settings: Settings):
    attachments = []
    if notice.document_id is not None:
        document = session.get(Document, notice.document_id)
        path = settings.out_dir / document.path
        if path.exists():
            attachments.append(Attachment(f"{document.title}.html", path.read_bytes(), "text/html"))
    return build_message(
        key=notice.key, sender=settings.smtp_from, sender_name=settings.smtp_from_name,
        recipients=[tuple(r) for r in json.loads(notice.recipients)], subject=notice.subject,
        text=notice.body_text, html=notice.body_html, attachments=attachments, domain=settings.mail_domain)


def _mark(notice: Notice, status: str, reason: str = "") -> None:
    notice.attempts += 1
    notice.status, notice.last_error = status, reason
    if status == "sent":
        notice.sent_at = clock.now()


def deliver_batch_to_maildir(as_of: date, settings: Settings) -> dict[str, int]:
    """One batch of pending notices into the Maildir; returns counts by outcome."""
    with session_scope() as session:
        notices = pending_notices(session, as_of, BATCH)
        for notice in notices:
            deliver_to_maildir(settings.outbox_dir, notice.key, to_message(session, notice, settings))
            _mark(notice, "sent")
            session.add(notice)
    return {"sent": len(notices)}


def deliver_batch_to_smtp(as_of: date, settings: Settings) -> dict[str, int]:
    """One batch of pending notices over SMTP; transient failures stay pending for the retry."""
    from tasks.smtp_sender import SmtpConfig, send_batch

    config = SmtpConfig(host=settings.smtp_host, port=settings.smtp_port, username=settings.smtp_username,
                        password=settings.smtp_password, tls=settings.smtp_tls,
                        concurrency=settings.smtp_concurrency)
    with session_scope() as session:
        notices = {n.key: n for n in pending_notices(session, as_of, BATCH)}
        messages = [(key, to_message(session, n, settings)) for key, n in notices.items()]
    counts = {"sent": 0, "transient": 0, "permanent": 0}
    for result in asyncio.run(send_batch(messages, config)):
        counts[result.status] += 1
        with session_scope() as session:
            notice = session.get(Notice, notices[result.key].id)
            status = {"sent": "sent", "permanent": "failed"}.get(result.status, "pending")
            _mark(notice, status, result.reason)
            session.add(notice)
    return counts


def deliver_pending_now(as_of: date) -> dict[str, int]:
    """Deliver every pending notice, batch by batch."""
    settings = get_settings()
    deliver = deliver_batch_to_smtp if settings.smtp_host else deliver_batch_to_maildir
    total: dict[str, int] = {}
    while True:
        counts = deliver(as_of, settings)
        for name, count in counts.items():
            total[name] = total.get(name, 0) + count
        if counts.get("sent", 0) + counts.get("permanent", 0) == 0:
            return total


@task(name="deliver-notices", task_run_name="deliver notices · {as_of}", retries=3,
      retry_delay_seconds=[2, 10, 30], retry_jitter_factor=0.5)
def deliver_notices(as_of: date) -> dict[str, int]:
    """Deliver the outbox.

    Args:
        as_of: held notices (covert inspections) go out only from their date on.

    Returns:
        counts by outcome: sent, transient, permanent.
    """
    return deliver_pending_now(as_of)
