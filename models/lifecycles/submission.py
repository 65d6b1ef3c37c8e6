"""A rectification report's review (its `decision`): pending until the office accepts or rejects it, once.
The item moves with it (`item.py`: accept, reject) and its audit event is the item's."""

from enum import StrEnum

from models.lifecycles.machine import Machine, goes


class SubmissionDecision(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


D = SubmissionDecision
SUBMISSION = Machine(
    name="submission",
    column="decision",
    states=tuple(SubmissionDecision),
    events={"accept": goes(D.ACCEPTED, D.PENDING), "reject": goes(D.REJECTED, D.PENDING)},
    labels={D.PENDING: "待审核", D.ACCEPTED: "审核通过", D.REJECTED: "退回重报"},
)
