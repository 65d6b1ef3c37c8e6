"""The bookkeeping around a channel send, as the notices' (tasks/mail/outbox_claims.py): a run claims messages
(`sending`, its token, the time) in a committed transaction before it sends any, records each outcome where the
message still carries its token, and releases what it did not send. A message left `sending` by a dead run, or
claimed longer ago than `smtp_claim_seconds`, is claimed again and sent again with the same idempotency key.
The statuses are the notice machine's (models/lifecycles/notice.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, or_, select, update
from sqlmodel import Session

from core import clock
from core.db import session_scope
from models import ChannelMessage
from models.lifecycles import NOTICE, NoticeStatus
from tasks.mail import outbox_claims
from tasks.mail.outbox_claims import run_is_dead

logger = logging.getLogger(__name__)

PENDING, SENDING, FAILED = NoticeStatus.PENDING, NoticeStatus.SENDING, NoticeStatus.FAILED
_CLAIMED = NOTICE.next(PENDING, "claim")
_RELEASED = NOTICE.next(SENDING, "release")
_STATUS = {outcome: NOTICE.next(SENDING, event)
           for outcome, event in (("sent", "deliver"), ("permanent", "fail"), ("transient", "defer"))}
M = ChannelMessage


def _claimable(session: Session, stale_before) -> object:
    tokens = session.execute(select(M.attempt_token).where(M.status == SENDING).distinct()).scalars()
    dead = [t for t in tokens if t and run_is_dead(t)]
    return or_(M.status == PENDING,
               and_(M.status == SENDING, or_(M.claimed_at < stale_before, M.attempt_token.in_(dead))))


def claim(token: str, as_of: date, limit: int, claim_seconds: int, after_id: int = 0,
          only_id: int | None = None) -> list[ChannelMessage]:
    """Mark the next due messages `sending` under the token (one committed transaction); return them.
    `only_id`: that one message, failed or not (`dudao channels retry ID`)."""
    now = clock.now()
    with session_scope() as session:
        claimable = _claimable(session, now - timedelta(seconds=claim_seconds))
        where = [claimable if only_id is None else and_(or_(claimable, M.status == FAILED), M.id == only_id),
                 or_(M.hold_until.is_(None), M.hold_until <= as_of), M.id > after_id]
        ids = session.execute(select(M.id).where(*where).order_by(M.id).limit(limit)).scalars().all()
        if not ids:
            return []
        session.execute(update(M).where(M.id.in_(ids), *where).values(
            status=_CLAIMED, attempt_token=token, claimed_at=now), execution_options={"synchronize_session": False})
        won = session.execute(select(M).where(M.id.in_(ids), M.attempt_token == token).order_by(M.id)).scalars().all()
        session.expunge_all()
    return list(won)


def release(token: str) -> None:
    """End a run: what it still holds goes back to `pending`."""
    outbox_claims.release(token, M)


@dataclass
class ChannelRecorder:
    """Outcomes of one run, each committed as it arrives (a channel run sends a few messages, one at a time)."""

    token: str
    max_attempts: int
    counts: dict[str, int] = field(default_factory=lambda: {"sent": 0, "transient": 0, "permanent": 0})
    retryable: int = 0

    def add(self, message: ChannelMessage, status: str, reason: str = "") -> None:
        self.counts[status] += 1
        if status == "transient" and message.attempts + 1 < self.max_attempts:
            self.retryable += 1
        with session_scope() as session:
            done = session.execute(update(M).where(M.id == message.id, M.attempt_token == self.token).values(
                status=_STATUS[status], last_error=reason[:2000], attempts=M.attempts + 1,
                sent_at=clock.now() if status == "sent" else None, attempt_token=None, claimed_at=None),
                execution_options={"synchronize_session": False}).rowcount
        if done == 0:
            logger.warning("the outcome of channel message %s was not recorded: its claim was taken over", message.key)
