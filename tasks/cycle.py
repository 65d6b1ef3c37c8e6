"""The time-driven steps of an inspection's cycle, each selecting what is due on `as_of` and moving it.

Each step is idempotent: it selects by stage and date, transitions through the lifecycle and issues
documents and notices by deterministic keys, so running it twice for one day changes nothing more.
"""

from datetime import date, timedelta

from sqlalchemy import exists
from sqlmodel import Session, select

from dudao.runtime import Runtime, office
from models import Finding, Inspection, RectificationItem, Unit
from models.lifecycle import InspectionStage, ItemStage, record, transition
from tasks.outbox import Paper, issue_many
from tasks.papers import findings_of, inspection_context

S = InspectionStage


def _due(session: Session, stage: str, column, as_of: date) -> list[Inspection]:
    return list(session.exec(select(Inspection).where(
        Inspection.stage == stage, column <= as_of).order_by(Inspection.id)).all())


def notify_due(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """督导通知书 to each unit whose notice date has come (covert inspections are never announced)."""
    due = [i for i in _due(session, S.PLANNED, Inspection.notice_on, as_of) if not i.covert]
    issue_many(session, [_paper(session, inspection, "notice", as_of) for inspection in due])
    for inspection in due:
        transition(session, inspection, "notify", as_of=as_of)
    return [inspection.id for inspection in due]


def feed_back_due(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """初步督导意见 after the visit; the unit may rebut until `rebuttal_due`."""
    due = _due(session, S.ONSITE, Inspection.feedback_on, as_of)
    for inspection in due:
        inspection.rebuttal_due = rt.calendar.add_workdays(as_of, rt.policy.inspection.rebuttal_workdays)
    issue_many(session, [_paper(session, inspection, "feedback", as_of, findings=findings_of(session, inspection))
                         for inspection in due])
    for inspection in due:
        transition(session, inspection, "feed_back", as_of=as_of)
    return [inspection.id for inspection in due]


def _paper(session: Session, inspection: Inspection, kind: str, as_of: date, **extra) -> Paper:
    context = {**inspection_context(session, inspection, kind), **extra}
    return Paper(key=f"inspection:{inspection.code}:{kind}", kind=kind, context=context, issued_on=as_of,
                 unit=context["unit"], inspection_id=inspection.id)


def issue_due(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """督导报告 and 督导意见书 once the rebuttal window has closed; one rectification item per finding."""
    due = session.exec(select(Inspection).where(
        Inspection.stage == S.PRELIMINARY, Inspection.rebuttal_due < as_of).order_by(Inspection.id)).all()
    papers = []
    for inspection in due:  # items and transitions inspection by inspection: the audit trail keeps that order
        inspection.issued_on = as_of
        findings = findings_of(session, inspection)
        items = [_open_item(session, inspection, finding, as_of, rt) for finding in findings]
        papers += _report_and_opinion(session, inspection, findings, items, as_of, rt)
        transition(session, inspection, "issue", as_of=as_of)
        transition(session, inspection, "start_rectification" if items else "close_without_items", as_of=as_of)
        if not items:
            inspection.closed_on = as_of
    issue_many(session, papers)  # the documents show neither stage nor closing day
    return [inspection.id for inspection in due]


def _rectification_days(inspection: Inspection, rt: Runtime) -> int:
    if inspection.kind == "emergency":
        return rt.policy.inspection.emergency_rectification_days
    return rt.policy.rectification.period_days


def _open_item(session: Session, inspection: Inspection, finding: Finding, as_of: date,
               rt: Runtime) -> RectificationItem:
    deadline = as_of + timedelta(days=_rectification_days(inspection, rt))
    item = RectificationItem(finding_id=finding.id, inspection_id=inspection.id, unit_id=inspection.unit_id,
                             decision=f"针对“{finding.text}”制定整改方案，明确责任人和时限，完成整改并书面报告。",
                             deadline=deadline, current_deadline=deadline)
    session.add(item)
    session.flush()
    record(session, "item", item.id, "open", as_of=as_of, to_stage=item.stage,
           detail={"deadline": deadline, "policy": rt.policy.version})
    return item


def _report_and_opinion(session: Session, inspection: Inspection, findings: list[Finding],
                        items: list[RectificationItem], as_of: date, rt: Runtime) -> list[Paper]:
    report = inspection_context(session, inspection, "report")
    unit: Unit = report["unit"]
    superior = session.get(Unit, unit.superior_id) if unit.superior_id else office(session, "LEADERSHIP")
    report.update(findings=findings, withdrawn=findings_of(session, inspection, withdrawn=True),
                  self_assessed=inspection.self_assessment_on is not None, copy_to=[superior.name])
    papers = [Paper(key=f"inspection:{inspection.code}:report", kind="report", context=report, issued_on=as_of,
                    unit=unit, inspection_id=inspection.id, recipients=[unit, superior, office(session, "MUNICIPAL")])]
    if not items:
        return papers
    opinion = inspection_context(session, inspection, "opinion")
    opinion.update(review_request_days=rt.policy.rectification.review_request_days, copy_to=[superior.name],
                   items=[{"finding": f.text, "decision": i.decision, "deadline": i.deadline}
                          for f, i in zip(findings, items, strict=True)])
    return papers + [Paper(key=f"inspection:{inspection.code}:opinion", kind="opinion", context=opinion,
                           issued_on=as_of, unit=unit, inspection_id=inspection.id, recipients=[unit, superior])]


def publish_due(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """Publish every report an operator has released (seed §八: every report is made public)."""
    moved = []
    for inspection in session.exec(select(Inspection).where(
            Inspection.released_on <= as_of, Inspection.published_on.is_(None)).order_by(Inspection.id)).all():
        inspection.published_on = as_of
        session.add(inspection)
        record(session, "inspection", inspection.id, "publish", as_of=as_of)
        moved.append(inspection.id)
    return moved


def recheck_or_close_due(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """An inspection whose items are all accepted awaits 回头看; once all are confirmed it closes.

    The database picks the inspections that are ready (one NOT EXISTS probe on the items' inspection index
    each), so a day with nothing ready reads no inspection and no item."""
    moved = []
    for inspection in session.exec(select(Inspection).where(_ready_for_recheck() | _ready_to_close()).order_by(
            Inspection.id)).all():
        if inspection.stage == S.RECTIFYING:
            inspection.recheck_on = max(session.exec(select(RectificationItem.recheck_on).where(
                RectificationItem.inspection_id == inspection.id)).all(), default=as_of)
            transition(session, inspection, "await_recheck", as_of=as_of)
        else:
            inspection.closed_on = as_of
            transition(session, inspection, "close", as_of=as_of)
        moved.append(inspection.id)
    return moved


def _items_where(*conditions):
    return exists().where(RectificationItem.inspection_id == Inspection.id, *conditions)


def _ready_for_recheck():
    """Rectifying, and every item (if any) accepted or closed."""
    return (Inspection.stage == S.RECTIFYING) & ~_items_where(
        RectificationItem.stage.not_in([ItemStage.ACCEPTED, ItemStage.CLOSED]))


def _ready_to_close():
    """Awaiting 回头看, with items, and every one of them closed. (The first probe names no stage: with one,
    SQLite searched every closed item of the year by the stage index for each inspection awaiting 回头看.)"""
    return (Inspection.stage == S.RECHECK) & _items_where() & ~_items_where(RectificationItem.stage != ItemStage.CLOSED)
