"""A notice's delivery (its `status` in the outbox): pending → sending (claimed by a run) → sent, failed, or
pending again (a transient failure, or the run ended before sending it).

The outbox moves many notices per statement (tasks/mail/outbox_claims.py), so its guards are SQL: a notice
left `sending` is claimed again only when its run is dead or its claim older than `smtp_claim_seconds`, and an
outcome is recorded only where the notice still carries the run's token. Those statements take their
statuses from this declaration (`NOTICE.next`) when they are built, not per row. No status change writes an
audit event.
"""

from enum import StrEnum

from models.lifecycles.machine import Machine, goes


class NoticeStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


N = NoticeStatus
NOTICE = Machine(
    name="notice",
    column="status",
    states=tuple(NoticeStatus),
    events={
        "claim": goes(N.SENDING, N.PENDING, N.SENDING),  # sending: taken over from a dead or expired run
        "retry": goes(N.SENDING, N.FAILED),  # an operator's retry of one notice
        "release": goes(N.PENDING, N.SENDING),  # the run ends: what it did not send goes back
        "deliver": goes(N.SENT, N.SENDING),
        "fail": goes(N.FAILED, N.SENDING),  # a permanent failure
        "defer": goes(N.PENDING, N.SENDING),  # a transient failure: tried again later
    },
    labels={N.PENDING: "待发送", N.SENDING: "发送中", N.SENT: "已发送", N.FAILED: "发送失败"},
)
