"""What the office reads: rectification reports waiting for its review, each with its item, finding and unit;
督导报告 issued and not yet signed off for publication (签发), each with its unit."""

from dataclasses import dataclass

from sqlmodel import Session, select

from models import Finding, Inspection, RectificationItem, Submission, Unit
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


@dataclass(frozen=True)
class ReleaseView:
    inspection: Inspection
    unit: Unit


def awaiting_release(session: Session) -> list[ReleaseView]:
    """Reports issued (下达) and not yet released (签发), the oldest first."""
    rows = session.exec(select(Inspection, Unit).join(Unit, Unit.id == Inspection.unit_id)
                        .where(Inspection.issued_on.is_not(None), Inspection.released_on.is_(None))
                        .order_by(Inspection.issued_on, Inspection.id)).all()
    return [ReleaseView(*row) for row in rows]
