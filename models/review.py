"""复核: a unit's request that the office review its 督导意见书 (the ladder is not suspended meanwhile)."""

from datetime import date

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel


class ReviewRequest(SQLModel, table=True):
    __table_args__ = (Index("ix_reviewrequest_decision_decide_by", "decision", "decide_by"),)

    id: int | None = Field(default=None, primary_key=True)
    inspection_id: int = Field(foreign_key="inspection.id", unique=True)
    unit_id: int = Field(foreign_key="unit.id")
    requested_on: date
    reason: str = Field(sa_type=Text)
    decide_by: date  # the office answers within `rectification.review_decision_days`
    decision: str = Field(default="pending", max_length=10)  # pending, upheld, dismissed
    decision_reason: str = Field(default="", sa_type=Text)
    decided_on: date | None = None
