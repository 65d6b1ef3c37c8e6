"""A small ledger for the publication, PDF and year-end tests, driven through the real cycle steps."""

from datetime import date, timedelta

from sqlmodel import Session, select

from models import Inspection, InspectionMember, Inspector, RectificationItem, Submission, Unit
from rules.runtime import Runtime
from tasks.cycle.due_steps import feed_back_due, issue_due, notify_due, publish_due
from tasks.cycle.responses import (
    FindingInput,
    record_visit,
    release_report,
    review_submission,
    submit_rectification,
)


def plan(session: Session, unit_code: str, code: str, visit_on: date, *, covert: bool = False,
         kind: str = "annual", theme: str | None = None) -> Inspection:
    """An inspection of a sample unit with a team of three."""
    unit = session.exec(select(Unit).where(Unit.code == unit_code)).one()
    inspection = Inspection(code=code, year=visit_on.year, kind=kind, unit_id=unit.id, covert=covert, theme=theme,
                            notice_on=None if covert else visit_on - timedelta(days=30),
                            self_assessment_due=None if covert else visit_on - timedelta(days=7), visit_on=visit_on)
    session.add(inspection)
    session.flush()
    for n, inspector in enumerate(session.exec(select(Inspector).order_by(Inspector.code).limit(3)).all()):
        session.add(InspectionMember(inspection_id=inspection.id, inspector_id=inspector.id,
                                     role="lead" if n == 0 else "member"))
    session.flush()
    return inspection


def visit_and_issue(session: Session, rt: Runtime, inspection: Inspection, findings: list[tuple[str, str]]) -> date:
    """Notice (unless covert), visit with findings, feedback, report and 督导意见书. Returns the issue day."""
    if not inspection.covert:
        notify_due(session, inspection.notice_on, rt)
    record_visit(session, inspection, [FindingInput(area, text) for area, text in findings], inspection.visit_on,
                 rt, actor="test")
    feed_back_due(session, inspection.feedback_on, rt)
    issued_on = inspection.rebuttal_due + timedelta(days=1)
    issue_due(session, issued_on, rt)
    return issued_on


def rectify(session: Session, rt: Runtime, inspection: Inspection, text: str, on: date) -> None:
    """The unit hands in a rectification report for each item; the office accepts it the same day."""
    items = session.exec(select(RectificationItem).where(RectificationItem.inspection_id == inspection.id)).all()
    for item in items:
        submit_rectification(session, item, text, on, actor="unit")
        submission = session.exec(select(Submission).where(Submission.item_id == item.id)).one()
        review_submission(session, submission, True, "整改到位", on, rt, actor="operator")


def release_and_publish(session: Session, rt: Runtime, inspection: Inspection, on: date) -> None:
    release_report(session, inspection, on, actor="operator")
    publish_due(session, on, rt)
