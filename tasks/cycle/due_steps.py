"""The time-driven steps of an inspection's cycle, each selecting what is due on `as_of` and moving it.

Each step is idempotent: it selects by stage and date, transitions through the lifecycle and issues
documents and notices by deterministic keys, so running it twice for one day changes nothing more.
"""

from datetime import date, timedelta

from sqlalchemy import exists
from sqlmodel import Session, select

from models import Finding, Inspection, RectificationItem, Unit
from models.lifecycles import InspectionStage, ItemStage, Transitions
from models.queries import chunks, insert_rows
from rules.runtime import Runtime
from tasks.cycle.scores import Sheets
from tasks.documents.contexts import Contexts, findings_by_inspection, session_office, superior_of
from tasks.documents.issuing import Paper, issue_many

S = InspectionStage


def _due(session: Session, stage: str, column, as_of: date) -> list[Inspection]:
    return list(session.exec(select(Inspection).where(
        Inspection.stage == stage, column <= as_of).order_by(Inspection.id)).all())


def notify_due(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """督导通知书 to each unit whose notice date has come (covert inspections are never announced)."""
    due = [i for i in _due(session, S.PLANNED, Inspection.notice_on, as_of) if not i.covert]
    contexts = Contexts(session, due)
    issue_many(session, [_paper(contexts, inspection, "notice", as_of) for inspection in due])
    _apply_all(session, due, "notify", as_of)
    return [inspection.id for inspection in due]


def feed_back_due(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """初步督导意见 after the visit; the unit may rebut until `rebuttal_due`."""
    due = _due(session, S.ONSITE, Inspection.feedback_on, as_of)
    rebuttal_due = rt.calendar.add_workdays(as_of, rt.policy.inspection.rebuttal_workdays)
    for inspection in due:
        inspection.rebuttal_due = rebuttal_due
    contexts, findings = Contexts(session, due), findings_by_inspection(session, [i.id for i in due])
    issue_many(session, [_paper(contexts, inspection, "feedback", as_of, findings=findings[inspection.id])
                         for inspection in due])
    _apply_all(session, due, "feed_back", as_of)
    return [inspection.id for inspection in due]


def _apply_all(session: Session, inspections: list[Inspection], event: str, as_of: date) -> None:
    """One event for each inspection, written together (audit events in the inspections' order)."""
    batch = Transitions(session)
    for inspection in inspections:
        batch.apply(inspection, event, as_of=as_of)
    batch.write()


def _paper(contexts: Contexts, inspection: Inspection, kind: str, as_of: date, **extra) -> Paper:
    context = {**contexts.of(inspection, kind), **extra}
    return Paper(key=f"inspection:{inspection.code}:{kind}", kind=kind, context=context, issued_on=as_of,
                 unit=context["unit"], inspection_id=inspection.id)


def issue_due(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """督导报告 and 督导意见书 once the rebuttal window has closed; one rectification item per finding.

    The day's inspections are one set: their findings, units and teams read in a few queries, their items
    inserted by multi-row INSERTs (in inspection order, findings by seq, so ids follow that order), their item
    and stage events written by one Transitions batch in the order the per-inspection loop used to write them."""
    due = session.exec(select(Inspection).where(
        Inspection.stage == S.PRELIMINARY, Inspection.rebuttal_due < as_of).order_by(Inspection.id)).all()
    if not due:
        return []
    ids = [inspection.id for inspection in due]
    findings, withdrawn = findings_by_inspection(session, ids), findings_by_inspection(session, ids, withdrawn=True)
    for inspection in due:
        inspection.issued_on = as_of
    items = _insert_items(session, due, findings, as_of, rt)
    batch, papers = Transitions(session), []
    contexts, sheets = Contexts(session, due), Sheets(session, ids)
    for inspection in due:  # the audit trail keeps the per-inspection order: items opened, issued, rectifying
        for item in items[inspection.id]:
            batch.record("item", item["id"], "open", as_of=as_of, to_stage=ItemStage.OPEN.value,
                         detail={"deadline": item["deadline"], "policy": rt.policy.version})
        contexts.scores[inspection.id] = sheets.results(inspection, rt.policy.scoring)
        papers += _report_and_opinion(session, contexts, inspection, findings[inspection.id],
                                      withdrawn[inspection.id], items[inspection.id], as_of, rt)
        batch.apply(inspection, "issue", as_of=as_of)
        batch.apply(inspection, "start_rectification" if items[inspection.id] else "close_without_items",
                    as_of=as_of)
        if not items[inspection.id]:
            inspection.closed_on = as_of
    batch.write()
    issue_many(session, papers)  # the documents show neither stage nor closing day
    return ids


def _rectification_days(inspection: Inspection, rt: Runtime) -> int:
    if inspection.kind == "emergency":
        return rt.policy.inspection.emergency_rectification_days
    return rt.policy.rectification.period_days


def _insert_items(session: Session, inspections: list[Inspection], findings: dict[int, list[Finding]], as_of: date,
                  rt: Runtime) -> dict[int, list[dict]]:
    """One open rectification item per finding, inserted by multi-row INSERT … RETURNING in inspection order
    and findings by seq (the order, and so the ids, the item-by-item flushes gave): inspection id -> the items'
    columns with their ids. No ORM objects: the day's documents need only the columns, and building a SQLModel
    object costs more than inserting its row."""
    items = {inspection.id: [_item_row(inspection, finding, as_of, rt) for finding in findings[inspection.id]]
             for inspection in inspections}
    rows = [row for inspection in inspections for row in items[inspection.id]]
    if rows:
        session.flush()  # the inspections' issued_on first, as before
        for row, id_ in zip(rows, insert_rows(session, RectificationItem, rows), strict=True):
            row["id"] = id_
    return items


def _item_row(inspection: Inspection, finding: Finding, as_of: date, rt: Runtime) -> dict:
    deadline = as_of + timedelta(days=_rectification_days(inspection, rt))
    if inspection.rectification_due is not None and inspection.rectification_due > as_of:
        deadline = inspection.rectification_due  # the operator's 整改期限 (checked at the start to leave time)
    if finding.deadline is not None and finding.deadline > as_of:
        deadline = finding.deadline  # the inspector's own 整改期限 for this finding (checked at the import)
    decision = finding.requirement or f"针对“{finding.text}”制定整改方案，明确责任人和时限，完成整改并书面报告。"
    return {"finding_id": finding.id, "inspection_id": inspection.id, "unit_id": inspection.unit_id,
            "decision": decision,
            "deadline": deadline, "current_deadline": deadline}


def _report_and_opinion(session: Session, contexts: Contexts, inspection: Inspection, findings: list[Finding],
                        withdrawn: list[Finding], items: list[dict], as_of: date, rt: Runtime) -> list[Paper]:
    report = contexts.of(inspection, "report")
    unit: Unit = report["unit"]
    superior = superior_of(session, unit)
    report.update(findings=findings, withdrawn=withdrawn, scores=contexts.scores.get(inspection.id),
                  self_assessed=inspection.self_assessment_on is not None, copy_to=[superior.name])
    papers = [Paper(key=f"inspection:{inspection.code}:report", kind="report", context=report, issued_on=as_of,
                    unit=unit, inspection_id=inspection.id, recipients=[unit, superior, session_office(session, "MUNICIPAL")])]
    if not items:
        return papers
    opinion = contexts.of(inspection, "opinion")
    opinion.update(review_request_days=rt.policy.rectification.review_request_days, copy_to=[superior.name],
                   items=[{"finding": f.text, "decision": i["decision"], "deadline": i["deadline"]}
                          for f, i in zip(findings, items, strict=True)])
    return papers + [Paper(key=f"inspection:{inspection.code}:opinion", kind="opinion", context=opinion,
                           issued_on=as_of, unit=unit, inspection_id=inspection.id, recipients=[unit, superior])]


def publish_due(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """Publish every report an operator has released (实施方案 §八: every report is made public)."""
    due = session.exec(select(Inspection).where(
        Inspection.released_on <= as_of, Inspection.published_on.is_(None)).order_by(Inspection.id)).all()
    batch = Transitions(session)
    for inspection in due:
        inspection.published_on = as_of
        batch.record("inspection", inspection.id, "publish", as_of=as_of)
    batch.write()
    return [inspection.id for inspection in due]


def recheck_or_close_due(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """An inspection whose items are all accepted awaits 回头看; once all are confirmed it closes.

    The database picks the inspections that are ready (one NOT EXISTS probe on the items' inspection index
    each), so a day with nothing ready reads no inspection and no item. The ready ones move as one batch."""
    ready = session.exec(select(Inspection).where(_ready_for_recheck() | _ready_to_close()).order_by(
        Inspection.id)).all()
    recheck_days = _recheck_days(session, [i.id for i in ready if i.stage == S.RECTIFYING])
    batch = Transitions(session)
    for inspection in ready:
        if inspection.stage == S.RECTIFYING:
            # an item closed without a 回头看 (its finding withdrawn on 复核) has no day
            inspection.recheck_on = max((d for d in recheck_days.get(inspection.id, []) if d), default=as_of)
            batch.apply(inspection, "await_recheck", as_of=as_of)
        else:
            inspection.closed_on = as_of
            batch.apply(inspection, "close", as_of=as_of)
    batch.write()
    return [inspection.id for inspection in ready]


def _recheck_days(session: Session, inspection_ids: list[int]) -> dict[int, list[date | None]]:
    """inspection id -> its items' 回头看 days, for the batch in a query per chunk."""
    days: dict[int, list[date | None]] = {}
    for ids in chunks(inspection_ids):
        for inspection_id, day in session.exec(select(RectificationItem.inspection_id, RectificationItem.recheck_on)
                                               .where(RectificationItem.inspection_id.in_(ids))).all():
            days.setdefault(inspection_id, []).append(day)
    return days


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
