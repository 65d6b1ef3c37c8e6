"""The outbox's bookkeeping around a send: claim notices, record each outcome as it arrives.

A run claims a group of notices before sending any of them: `status='sending'`, its attempt token and
the time, committed in a transaction of its own. Outcomes are recorded as they arrive and
committed every FLUSH_SECONDS, only where the notice still carries the run's token. So after a crash the
only notices in doubt are the ones left `sending`; the next run takes them again (at once when their run
is known dead, else after `smtp_claim_seconds`) and re-sends them with the same Message-ID.

The statuses are the notice machine's (models/lifecycles/notice.py): each statement below takes the status
it writes from the declared event when it is built, so a move the declaration does not allow fails at import,
and the statements stay set-based (no ORM object, no check per row).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, bindparam, or_, select, update
from sqlmodel import Session

from core import clock
from core.db import session_scope, when_unlocked
from models import Notice
from models.lifecycles import NOTICE, NoticeStatus

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 0.05
_LIVE_TOKENS: set[str] = set()  # this process's runs still going
_HOST = socket.gethostname()[:40]
_TABLE = Notice.__table__
PENDING, SENDING, FAILED = NoticeStatus.PENDING, NoticeStatus.SENDING, NoticeStatus.FAILED
_CLAIMED = NOTICE.next(PENDING, "claim")  # == NOTICE.next(SENDING, "claim") == NOTICE.next(FAILED, "retry")
_RELEASED = NOTICE.next(SENDING, "release")


def new_token() -> str:
    """An attempt token naming its run: host/pid/random. Live until `release` is called with it."""
    token = f"{_HOST}/{os.getpid()}/{uuid.uuid4().hex[:16]}"
    _LIVE_TOKENS.add(token)
    return token


def token_ended(token: str) -> None:
    """A run of this process has ended: its claims may be taken over at once (tasks/channels too)."""
    _LIVE_TOKENS.discard(token)


def run_is_dead(token: str) -> bool:
    """A token of this host whose process is gone, or of this process whose run has ended."""
    host, _, rest = token.partition("/")
    pid_text = rest.partition("/")[0]
    if host != _HOST or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return token not in _LIVE_TOKENS
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _claimable(session: Session, stale_before) -> object:
    """Pending, or `sending` by a run that is dead or has held the claim too long."""
    tokens = session.execute(
        select(Notice.attempt_token).where(Notice.status == SENDING).distinct()).scalars()
    dead = [t for t in tokens if t and run_is_dead(t)]
    taken_over = or_(Notice.claimed_at < stale_before, Notice.attempt_token.in_(dead))
    return or_(Notice.status == PENDING, and_(Notice.status == SENDING, taken_over))


@dataclass(frozen=True)
class ClaimRequest:
    """Which notices a run may take: due by `as_of`, after `after_id`, at most `limit`."""

    token: str
    as_of: date
    after_id: int = 0
    limit: int = 500
    claim_seconds: int = 600
    only_id: int | None = None  # `dudao notices retry ID`: that one, failed ones included


def claim(request: ClaimRequest) -> list[Notice]:
    """Mark the next due notices `sending` under the token (one committed transaction); return them."""
    return when_unlocked(lambda: _claim(request))


def _claim(request: ClaimRequest) -> list[Notice]:
    now = clock.now()
    with session_scope() as session:
        where = [_claimable(session, now - timedelta(seconds=request.claim_seconds)),
                 or_(Notice.hold_until.is_(None), Notice.hold_until <= request.as_of)]
        if request.only_id is not None:
            where = [or_(where[0], Notice.status == FAILED), where[1], Notice.id == request.only_id]
        ids = session.execute(select(Notice.id).where(Notice.id > request.after_id, *where)
                              .order_by(Notice.id).limit(request.limit)).scalars().all()
        if not ids:
            return []
        # The same conditions again: between the select and the update another run may have won some.
        session.execute(update(Notice).where(Notice.id.in_(ids), *where).values(
            status=_CLAIMED, attempt_token=request.token, claimed_at=now),
            execution_options={"synchronize_session": False})
        won = session.execute(select(Notice).where(Notice.id.in_(ids), Notice.attempt_token == request.token)
                           .order_by(Notice.id)).scalars().all()
        session.expunge_all()
    return list(won)


def release(token: str, model=Notice) -> None:
    """End a run: what it still holds goes back to `pending` (nothing was recorded for it). `model`: the outbox
    table (notices, or the channels' messages, which are claimed the same way)."""
    token_ended(token)
    try:
        with session_scope() as session:
            session.execute(update(model).where(model.attempt_token == token, model.status == SENDING)
                            .values(status=_RELEASED, attempt_token=None, claimed_at=None),
                            execution_options={"synchronize_session": False})
    except Exception:  # the ledger is unreachable: the claims expire instead (smtp_claim_seconds)
        logger.warning("could not release the claims of %s; they are taken again after they expire", token)


_RECORD = (update(_TABLE)
           .where(_TABLE.c.id == bindparam("nid"), _TABLE.c.attempt_token == bindparam("token"))
           .values(status=bindparam("new_status"), last_error=bindparam("reason"), sent_at=bindparam("at"),
                   attempts=_TABLE.c.attempts + 1, attempt_token=None, claimed_at=None))

def _record(rows: list[dict]):
    with session_scope() as session:
        return session.connection().execute(_RECORD, rows)


# A send's outcome (the SendResult statuses) -> the event it is and the status it leaves.
_STATUS = {outcome: NOTICE.next(SENDING, event)
           for outcome, event in (("sent", "deliver"), ("permanent", "fail"), ("transient", "defer"))}


@dataclass
class Recorder:
    """Outcomes of one run, committed in small groups: every FLUSH_SECONDS or when flushed."""

    token: str
    ids: dict[str, int] = field(default_factory=dict)  # outbox key -> notice id, for the claimed ones
    attempts: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: {"sent": 0, "transient": 0, "permanent": 0})
    retryable: int = 0  # transient failures of notices below the attempt limit
    max_attempts: int = 5
    _rows: list[dict] = field(default_factory=list)
    _oldest: float = 0.0

    def expect(self, notices: list[Notice]) -> None:
        for notice in notices:
            self.ids[notice.key], self.attempts[notice.key] = notice.id, notice.attempts

    def add(self, key: str, status: str, reason: str = "") -> None:
        """One outcome: sent, transient or permanent (the SendResult statuses)."""
        self.counts[status] += 1
        if status == "transient" and self.attempts[key] + 1 < self.max_attempts:
            self.retryable += 1
        if not self._rows:
            self._oldest = time.monotonic()
        self._rows.append({"nid": self.ids[key], "token": self.token, "new_status": _STATUS[status],
                           "reason": reason[:2000], "at": clock.now() if status == "sent" else None})
        if time.monotonic() - self._oldest >= FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        rows, self._rows = self._rows, []
        if not rows:
            return
        result = when_unlocked(lambda: _record(rows))
        if result.rowcount not in (-1, len(rows)):
            logger.warning("%d outcome(s) not recorded: their claim was taken over", len(rows) - result.rowcount)
