"""The issue-escalation step of the daily sweep (四级议题上报处置) and raising an issue in the first place.

An issue is raised when a unit says it cannot resolve a finding alone, or when its item reached 约谈. From then
on, while the finding is unresolved (its item neither accepted nor closed), it rises a level each time it
outstays its level's working days, and the new level's owner gets an 议题上报单.
"""

from datetime import date

from sqlmodel import Session, select

from models import Finding, Inspection, InspectionMember, Inspector, RectificationItem, Unit
from models.lifecycles import (
    ISSUE_LEVEL,
    LEVEL_NAMES,
    ItemStage,
    StaleTransition,
    Transitions,
    audit_row,
    move,
    record_row,
)
from models.lifecycles.issue_level import stage_name
from models.queries import chunks, office, rows_by_id
from rules.escalation import level_up_on, next_level
from rules.runtime import Runtime
from tasks.documents.contexts import doc_no
from tasks.documents.issuing import Paper, issue_many

RESOLVED = (ItemStage.ACCEPTED, ItemStage.CLOSED)


def raise_issue(session: Session, finding: Finding, as_of: date, rt: Runtime, actor: str) -> bool:
    """Start (or restart) the escalation clock of a finding at its current level. False if already rising."""
    row = start_escalation(finding, as_of, rt, actor)
    if row is not None:
        session.add(finding)
        record_row(session, row)
    return row is not None


def start_escalation(finding: Finding, as_of: date, rt: Runtime, actor: str) -> dict | None:
    """Start the finding's clock; the audit row that records it (None, and nothing changed, if already rising)."""
    if not ISSUE_LEVEL.permits(finding, "raise"):  # already rising, withdrawn or at the top
        return None
    finding.needs_escalation, finding.level_since = True, as_of
    finding.escalate_on = level_up_on(finding.level, as_of, rt.policy.escalation, rt.calendar)
    return audit_row("finding", finding.id, "raise", as_of=as_of, actor=actor,
                     to_stage=stage_name(finding.level),
                     detail={"level": finding.level, "escalate_on": finding.escalate_on, "policy": rt.policy.version})


def escalate_issues(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """Raise each unresolved issue whose level time has run out. Returns the ids of the findings raised."""
    if not rt.calendar.is_workday(as_of):
        return []
    # Sorted here, not by ORDER BY: with it SQLite read every finding of the year in id order, each workday,
    # instead of the few on the escalate_on index.
    rows = session.exec(select(Finding, RectificationItem.stage).outerjoin(
        RectificationItem, RectificationItem.finding_id == Finding.id).where(Finding.escalate_on <= as_of)).all()
    moved = []
    for finding, item_stage in sorted(rows, key=lambda row: row[0].id):
        resolved = finding.withdrawn or item_stage in RESOLVED
        level = next_level(finding.level, finding.escalate_on, resolved, as_of)
        if level is None:
            _move(session, finding, "stop", finding.level_since, None)  # resolved: the clock stops
        elif _move(session, finding, "escalate", as_of,
                   level_up_on(level, as_of, rt.policy.escalation, rt.calendar), level):
            moved.append(finding)
    _notify_owners(session, moved, as_of, rt)
    return [finding.id for finding in moved]


def _move(session: Session, finding: Finding, event: str, since: date | None, escalate_on: date | None,
          level: int | None = None) -> bool:
    """Conditional update from the level and clock read: False if another sweep moved the finding first. Its
    escalate event is recorded with the new owner's 议题上报单 (a stopped clock records none)."""
    values = {"level_since": since, "escalate_on": escalate_on}
    if level is not None:
        values["level"] = level  # the rule's level: the declaration must agree
    try:
        move(session, ISSUE_LEVEL, finding, event, read=("escalate_on",), values=values)
    except StaleTransition:
        return False
    return True


def responsible_inspectors(session: Session, inspection_ids: list[int]) -> dict[int, Inspector]:
    """inspection id -> its responsible inspector (listed first, then the lead, then by code), for a batch."""
    found: dict[int, Inspector] = {}
    for ids in chunks(inspection_ids):
        for inspection_id, inspector in session.exec(select(InspectionMember.inspection_id, Inspector).join(
                Inspector, InspectionMember.inspector_id == Inspector.id).where(
                InspectionMember.inspection_id.in_(ids)).order_by(
                InspectionMember.inspection_id, Inspector.listed.desc(), InspectionMember.role,
                Inspector.code)).all():
            found.setdefault(inspection_id, inspector)
    return found


def _notify_owners(session: Session, findings: list[Finding], as_of: date, rt: Runtime) -> None:
    """An 议题上报单 to each raised finding's new owner, and its escalate event, in the findings' order: the
    inspections, units and responsible inspectors of the batch read in a few queries, the papers issued
    together."""
    if not findings:
        return
    inspections = rows_by_id(session, Inspection, [f.inspection_id for f in findings])
    units = rows_by_id(session, Unit, [i.unit_id for i in inspections.values()])
    responsible = responsible_inspectors(session, sorted({f.inspection_id for f in findings if f.level == 2}))
    offices: dict[str, Unit] = {}
    papers, batch = [], Transitions(session)
    for finding in findings:
        inspection = inspections[finding.inspection_id]
        unit = units[inspection.unit_id]
        owner = responsible.get(finding.inspection_id) if finding.level == 2 else None
        if owner is None:
            code = "COMMITTEE" if finding.level >= 4 else "OFFICE"
            owner = offices[code] if code in offices else offices.setdefault(code, office(session, code))
        context = {"finding": finding, "inspection": inspection, "unit": unit, "level": finding.level,
                   "level_name": LEVEL_NAMES[finding.level], "previous_name": LEVEL_NAMES[finding.level - 1],
                   "owner_name": owner.name, "escalate_on": finding.escalate_on,
                   "next_name": LEVEL_NAMES.get(finding.level + 1),
                   "doc_no": doc_no("escalation", as_of.year, finding.id),
                   "copy_to": [unit.name] if finding.level > 2 else []}
        papers.append(Paper(key=f"finding:{finding.id}:escalation:level{finding.level}", kind="escalation",
                            context=context, issued_on=as_of, unit=unit, inspection_id=inspection.id,
                            recipients=[owner]))
        batch.record("finding", finding.id, "escalate", as_of=as_of, from_stage=stage_name(finding.level - 1),
                     to_stage=stage_name(finding.level), detail={
                         "owner": owner.name, "escalate_on": finding.escalate_on,
                         "policy": rt.policy.version})
    issue_many(session, papers)
    batch.write()
