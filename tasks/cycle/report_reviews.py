"""The office's review of rectification reports (整改报告): a report still undecided when `review_workdays`
have passed since it was handed in holds its item's ladder, so the office is reminded, once per report, by a
整改报告审核到期提醒 through the outbox (sweep step `report-review-due`). The review itself is
tasks.cycle.responses.review_submission (`dudao rectification review`)."""

from datetime import date, timedelta

from sqlmodel import Session, select

from models import Inspection, RectificationItem, Submission, Unit
from models.lifecycles import ItemStage, SubmissionDecision
from models.queries import office
from rules.runtime import Runtime
from tasks.documents.contexts import doc_no
from tasks.documents.issuing import Paper, issue_many

TITLE = "整改报告审核到期提醒"


def review_due_on(submitted_on: date, rt: Runtime) -> date:
    """The last day the office has to decide a report handed in on `submitted_on`."""
    return rt.calendar.add_workdays(submitted_on, rt.policy.rectification.review_workdays)


def remind_report_reviews(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """Remind the office of each pending report whose review time ran out before `as_of` (once: keyed by report).
    Returns the ids of the reports reminded today."""
    latest = as_of - timedelta(days=rt.policy.rectification.review_workdays + 1)  # workdays are at least days
    rows = session.exec(select(Submission, RectificationItem, Inspection, Unit).join(
        RectificationItem, RectificationItem.id == Submission.item_id).join(
        Inspection, Inspection.id == RectificationItem.inspection_id).join(
        Unit, Unit.id == RectificationItem.unit_id).where(
        Submission.decision == SubmissionDecision.PENDING, Submission.submitted_on <= latest,
        RectificationItem.stage == ItemStage.SUBMITTED).order_by(Submission.id)).all()  # not withdrawn meanwhile
    due = [row for row in rows if review_due_on(row[0].submitted_on, rt) < as_of]
    if not due:
        return []
    the_office = office(session, "OFFICE")
    papers = [Paper(key=f"submission:{submission.id}:review-due", kind="report_review_due", title=TITLE,
                    context={"submission": submission, "item": item, "inspection": inspection, "unit": unit,
                             "review_by": review_due_on(submission.submitted_on, rt), "copy_to": [],
                             "doc_no": doc_no("report_review_due", as_of.year, submission.id)},
                    issued_on=as_of, unit=unit, inspection_id=inspection.id, item_id=item.id, recipients=[the_office])
              for submission, item, inspection, unit in due]
    notice_ids = issue_many(session, papers)
    return [row[0].id for row, notice_id in zip(due, notice_ids, strict=True) if notice_id is not None]
