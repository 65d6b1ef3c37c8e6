"""公开期限: an issued report is to be released for publication within `[inspection] publication_workdays`
working days of its issue (policy). A report still unreleased after that day is flagged once: a
公开逾期提醒 to the office through the outbox, and the daily sweep's table names it (step `publication-due`)."""

from datetime import date, timedelta

from sqlmodel import Session, select

from models import Inspection, Unit
from models.queries import office
from rules.runtime import Runtime
from tasks.documents.contexts import doc_no
from tasks.documents.issuing import Paper, issue_many

KIND = "publication_due"


def publication_due_on(issued_on: date, rt: Runtime) -> date:
    """The last day to release a report issued on `issued_on`."""
    return rt.calendar.add_workdays(issued_on, rt.policy.inspection.publication_workdays)


def flag_unreleased(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """Sweep step: the reports unreleased past their last day, each flagged once to the office. Returns the
    ids of the inspections flagged today."""
    # working days are never fewer than calendar days: only reports issued this long ago can be late
    latest = as_of - timedelta(days=rt.policy.inspection.publication_workdays + 1)
    rows = session.exec(select(Inspection, Unit).join(Unit, Inspection.unit_id == Unit.id).where(
        Inspection.issued_on.is_not(None), Inspection.issued_on <= latest, Inspection.released_on.is_(None),
        Inspection.published_on.is_(None)).order_by(Inspection.code)).all()
    late = [(inspection, unit) for inspection, unit in rows if publication_due_on(inspection.issued_on, rt) < as_of]
    if not late:
        return []
    the_office = office(session, "OFFICE")
    papers = [Paper(key=f"inspection:{inspection.code}:{KIND}", kind=KIND, issued_on=as_of, unit=unit,
                    inspection_id=inspection.id, title="督导报告公开逾期提醒", recipients=[the_office],
                    context={"inspection": inspection, "unit": unit,
                             "due_on": publication_due_on(inspection.issued_on, rt),
                             "workdays": rt.policy.inspection.publication_workdays,
                             "doc_no": doc_no(KIND, as_of.year, inspection.id)})
              for inspection, unit in late]
    return [inspection.id for (inspection, _), notice in zip(late, issue_many(session, papers), strict=True)
            if notice is not None]
