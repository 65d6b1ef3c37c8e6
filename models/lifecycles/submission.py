"""A rectification report's review (its `decision`): pending until the office accepts or rejects it, once.
The item moves with it (`item.py`: accept, reject) and its audit event is the item's. A report still pending
when an upheld 复核 withdraws its finding is withdrawn with it: nothing is left to review."""

from enum import StrEnum

from models.lifecycles.machine import Machine, goes


class SubmissionDecision(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


D = SubmissionDecision
SUBMISSION = Machine(
    name="submission",
    column="decision",
    states=tuple(SubmissionDecision),
    events={"accept": goes(D.ACCEPTED, D.PENDING), "reject": goes(D.REJECTED, D.PENDING),
            "withdraw": goes(D.WITHDRAWN, D.PENDING)},
    labels={D.PENDING: "待审核", D.ACCEPTED: "审核通过", D.REJECTED: "退回重报", D.WITHDRAWN: "问题已撤回，不再审核"},
)
