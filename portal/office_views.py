"""What the office reads: rectification reports waiting for its review, each with its item, finding and unit."""

from dataclasses import dataclass

from sqlmodel import Session, select

from models import Finding, RectificationItem, Submission, Unit
from models.lifecycles import SubmissionDecision


@dataclass(frozen=True)
class SubmissionView:
    submission: Submission
    item: RectificationItem
    finding: Finding
    unit: Unit


def _query():
    return (select(Submission, RectificationItem, Finding, Unit)
            .join(RectificationItem, RectificationItem.id == Submission.item_id)
            .join(Finding, Finding.id == RectificationItem.finding_id)
            .join(Unit, Unit.id == RectificationItem.unit_id))


def pending_reports(session: Session) -> list[SubmissionView]:
    rows = session.exec(_query().where(Submission.decision == SubmissionDecision.PENDING)
                        .order_by(Submission.submitted_on, Submission.id)).all()
    return [SubmissionView(*row) for row in rows]


def report(session: Session, submission_id: int) -> SubmissionView | None:
    row = session.exec(_query().where(Submission.id == submission_id)).first()
    return SubmissionView(*row) if row is not None else None
