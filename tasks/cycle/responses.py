"""What people hand back: self-assessments, visit findings, rectification reports, reviews, releases and
回头看 results (申辩: `rebuttals.py`; 回头看 checked: `rechecks.py`). The CLI, the importers and the simulation all go through these."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, select

from models import Finding, Inspection, RectificationItem, Submission
from models.lifecycles import LADDER, SUBMISSION, InspectionStage, ItemStage, SubmissionDecision, Transitions
from rules.runtime import Runtime

_INSERT_FINDING = Finding.__table__.insert()


@dataclass(frozen=True)
class FindingInput:
    area: str
    text: str
    severity: str = "general"
    requirement: str | None = None  # the inspector's own 整改要求 (None: the generated sentence)
    deadline: date | None = None  # the inspector's 整改期限 (None: the policy's period)


@contextmanager
def in_batch(session: Session, batch: Transitions | None) -> Iterator[Transitions]:
    """The caller's batch (it writes), or a batch of one written on the way out."""
    if batch is not None:
        yield batch
        return
    own = Transitions(session)
    yield own
    own.write()


def receive_self_assessment(session: Session, inspection: Inspection, as_of: date, actor: str,
                            batch: Transitions | None = None) -> None:
    inspection.self_assessment_on = as_of
    with in_batch(session, batch) as moves:
        moves.apply(inspection, "receive_self_assessment", as_of=as_of, actor=actor)


def record_visit(session: Session, inspection: Inspection, findings: list[FindingInput], as_of: date,
                 rt: Runtime, actor: str, batch: Transitions | None = None) -> None:
    """The site visit is done: findings recorded, preliminary feedback scheduled."""
    event = "visit_unannounced" if inspection.stage == InspectionStage.PLANNED else "visit"
    workdays = (rt.policy.inspection.emergency_feedback_workdays if inspection.kind == "emergency"
                else rt.policy.inspection.feedback_workdays_after_visit)
    inspection.visit_on = as_of
    inspection.feedback_on = rt.calendar.add_workdays(as_of, workdays)
    rows = [{"inspection_id": inspection.id, "seq": seq, "area": finding.area, "text": finding.text,
             "severity": finding.severity, "level_since": as_of, "requirement": finding.requirement,
             "deadline": finding.deadline} for seq, finding in enumerate(findings, start=1)]
    if rows:  # inserted now, in call order (findings are only ever written here): no ORM object per finding
        session.connection().execute(_INSERT_FINDING, rows)
    with in_batch(session, batch) as moves:
        moves.apply(inspection, event, as_of=as_of, actor=actor, detail={"findings": len(findings)})


def submit_rectification(session: Session, item: RectificationItem, text: str, as_of: date,
                         actor: str, batch: Transitions | None = None) -> Submission:
    submission = Submission(item_id=item.id, submitted_on=as_of, text=text)
    session.add(submission)
    item.submitted_on = as_of
    with in_batch(session, batch) as moves:
        moves.apply(item, "submit", as_of=as_of, actor=actor)
    return submission


def review_submission(session: Session, submission: Submission, accept: bool, reason: str, as_of: date,
                      rt: Runtime, actor: str, batch: Transitions | None = None,
                      item: RectificationItem | None = None) -> None:
    """Accept (回头看 scheduled) or reject (back to open; the deadline keeps running); IllegalTransition if the
    report was decided before. `item`: the submission's item when the caller has it already (a batch reads
    them in one query)."""
    item = item or session.get(RectificationItem, submission.item_id)
    decision = SUBMISSION.after(submission, "accept" if accept else "reject")
    submission.decision, submission.reason, submission.decided_on = decision, reason, as_of
    session.add(submission)
    if accept:
        item.accepted_on = as_of
        item.recheck_on = as_of + timedelta(days=rt.policy.rectification.recheck_days)
    with in_batch(session, batch) as moves:
        moves.apply(item, "accept" if accept else "reject", as_of=as_of, actor=actor, detail={"reason": reason})


def release_report(session: Session, inspection: Inspection, as_of: date, actor: str,
                   batch: Transitions | None = None, signer: str | None = None) -> None:
    """An operator signs off the report for publication. `signer`: the 签发人's name when the caller knows
    who is signed in (the portal's office account); the audit event carries it in its detail."""
    if inspection.issued_on is None:
        raise ValueError(f"督导 {inspection.code}：尚未下达报告")
    inspection.released_on = as_of
    session.add(inspection)
    with in_batch(session, batch) as moves:
        moves.record("inspection", inspection.id, "release", as_of=as_of, actor=actor,
                     detail={"signer": signer} if signer else None)


def record_recheck(session: Session, item: RectificationItem, relapsed: bool, as_of: date, rt: Runtime,
                   actor: str, batch: Transitions | None = None, inspection: Inspection | None = None,
                   note: str = "") -> None:
    """回头看: confirm the item, or reopen it at 督办 with a new deadline. `inspection`: the item's inspection
    when the caller has it already (a batch reads them in one query). Unchecked: people come through
    tasks.cycle.rechecks.recheck_item."""
    detail = {"note": note} if note else None
    with in_batch(session, batch) as moves:
        if not relapsed:
            item.closed_on = as_of
            moves.apply(item, "confirm", as_of=as_of, actor=actor, detail=detail)
            return
        item.reopen_count += 1
        item.current_deadline = as_of  # overdue from tomorrow: the ladder restarts at 督办
        item.ladder_step, item.recheck_on, item.accepted_on = LADDER.after(item, "restart"), None, None
        item.next_action_on = item.step_due_on = None  # the ladder sweep plans it afresh: 督办 tomorrow
        moves.apply(item, "relapse", as_of=as_of, actor=actor, detail=detail)
        inspection = inspection or session.get(Inspection, item.inspection_id)
        if inspection.stage in (InspectionStage.RECHECK, InspectionStage.CLOSED):
            inspection.closed_on = None
            moves.apply(inspection, "reopen", as_of=as_of, actor=actor, detail={"item": item.id})


def pending_submissions(session: Session, decided_before: date) -> list[Submission]:
    return list(session.exec(select(Submission).where(
        Submission.decision == SubmissionDecision.PENDING, Submission.submitted_on <= decided_before,
    ).order_by(Submission.id)).all())


def items_due_for_recheck(session: Session, as_of: date) -> list[RectificationItem]:
    return list(session.exec(select(RectificationItem).where(
        RectificationItem.stage == ItemStage.ACCEPTED, RectificationItem.recheck_on <= as_of,
    ).order_by(RectificationItem.id)).all())
