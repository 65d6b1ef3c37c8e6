"""A 复核 request's decision (its `decision`): pending until the office upholds it (the 督导意见书 is changed as
the reason says) or dismisses it. Made once: a second decision is refused."""

from enum import StrEnum

from models.lifecycles.machine import Machine, goes


class ReviewDecision(StrEnum):
    PENDING = "pending"
    UPHELD = "upheld"
    DISMISSED = "dismissed"


R = ReviewDecision
REVIEW = Machine(
    name="review request",
    column="decision",
    states=tuple(ReviewDecision),
    events={"uphold": goes(R.UPHELD, R.PENDING), "dismiss": goes(R.DISMISSED, R.PENDING)},
    labels={R.PENDING: "待复核决定", R.UPHELD: "复核成立，予以变更", R.DISMISSED: "复核不成立，维持原督导意见书"},
)
