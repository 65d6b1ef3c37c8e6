"""A simulated year: each day the people act (as `rules.behaviour` says) and then the sweep runs.

Each day is one transaction that also moves the run's cursor, so a run killed at any point resumes at the
first day not done and ends exactly where an uninterrupted run ends.
"""

from datetime import date, timedelta

from sqlmodel import Session, func, select

from models import Finding, Inspection, InspectionKind, RectificationItem, SimulationRun, Submission, Unit
from models.lifecycles import InspectionStage, ItemStage, Transitions
from models.queries import chunks
from rules import behaviour
from rules.runtime import Runtime
from tasks.cycle.rebuttals import decide_rebuttal, state_case
from tasks.cycle.rechecks import recheck_item
from tasks.cycle.responses import (
    FindingInput,
    items_due_for_recheck,
    pending_submissions,
    receive_self_assessment,
    record_visit,
    release_report,
    review_submission,
    submit_rectification,
)
from tasks.cycle.scores import Sheets
from tasks.simulation.kinds import plan_year, start_by_hand
from tasks.simulation.ladder import simulate_ladder_day
from tasks.simulation.scores import add_simulated_scores
from tasks.simulation.visits import simulate_routine_visits
from tasks.sweep import sweep_day

S = InspectionStage
ACTOR = "simulation"


def simulate_day(session: Session, run: SimulationRun, as_of: date, rt: Runtime) -> dict[str, int]:
    """People act, then the sweep runs; the cursor moves to `as_of`, all in the caller's transaction."""
    if as_of == plan_day(run.year, rt):
        plan_year(session, run, as_of, rt)  # annual-plan: the targets, 督学责任区, the plan sent to the city
    start_by_hand(session, run.seed, as_of, rt)  # special and emergency inspections, on their days
    simulate_routine_visits(session, run.seed, as_of, rt)
    for act in (_self_assess, _visit, _rebut, _release, _submit, _review, _recheck):
        act(session, run.seed, as_of, rt)
    simulate_ladder_day(session, run.seed, as_of, rt)
    moved = sweep_day(session, as_of, rt)
    run.last_day = as_of
    session.add(run)
    return moved


def plan_day(year: int, rt: Runtime) -> date:
    """The first working day of the year: the simulated office draws up the plan (annual-plan's schedule, 2
    January, moved to a working day); annual-cycle, which only carries the plan, has nothing to add."""
    return rt.calendar.next_workday(date(year, 1, 2))


def _stage(session: Session, stage: str, *where) -> list[tuple[Inspection, Unit]]:
    return list(session.exec(select(Inspection, Unit).join(Unit, Inspection.unit_id == Unit.id).where(
        Inspection.stage == stage, *where).order_by(Inspection.id)).all())


def _inspections(session: Session, ids: list[int]) -> list[tuple[Inspection, Unit]]:
    """The inspections (with their units) of `ids`, in id order: one query for a day's chosen rows."""
    return list(session.exec(select(Inspection, Unit).join(Unit, Inspection.unit_id == Unit.id).where(
        Inspection.id.in_(ids)).order_by(Inspection.id)).all())


def _self_assess(session: Session, seed: int, as_of: date, rt: Runtime) -> None:
    soonest = as_of + timedelta(days=behaviour.SELF_ASSESSMENT_EARLIEST_DAYS)  # later dues cannot be today
    candidates = session.exec(select(Inspection.id, Unit.code, Inspection.self_assessment_due,
                                     Inspection.visit_on).join(Unit, Inspection.unit_id == Unit.id).where(
        Inspection.stage == S.NOTIFIED, Inspection.self_assessment_due <= soonest, Inspection.visit_on > as_of,
    ).order_by(Inspection.id)).all()  # only the columns the decision needs: most of them do not answer today
    answering = [inspection_id for inspection_id, unit_code, due, visit_on in candidates
                 if (day := behaviour.self_assessment_day(seed, unit_code, due)) is not None
                 and day <= as_of < visit_on]
    if not answering:
        return
    moves, sheets = Transitions(session), Sheets(session, answering)
    for inspection, unit in _inspections(session, answering):
        receive_self_assessment(session, inspection, as_of, actor=ACTOR, batch=moves)
        add_simulated_scores(sheets, moves, seed=seed, inspection=inspection, unit=unit, source="self",
                             as_of=as_of, policy=rt.policy.scoring)
    sheets.write()
    moves.write()


def _unannounced_due(session: Session, as_of: date) -> list[tuple[Inspection, Unit]]:
    """Planned covert and emergency inspections whose visit day has come: they are never announced."""
    return list(session.exec(select(Inspection, Unit).join(Unit, Inspection.unit_id == Unit.id).where(
        Inspection.stage == S.PLANNED, Inspection.visit_on <= as_of,
        Inspection.covert.is_(True) | (Inspection.kind == InspectionKind.EMERGENCY)).order_by(Inspection.id)).all())


def _visit(session: Session, seed: int, as_of: date, rt: Runtime) -> None:
    # planned: covert and emergency, unannounced; the three sets are disjoint, visited in this order
    due = [*_unannounced_due(session, as_of), *_stage(session, S.NOTIFIED, Inspection.visit_on <= as_of),
           *_stage(session, S.SELF_ASSESSMENT, Inspection.visit_on <= as_of)]
    if not due:
        return
    moves, sheets = Transitions(session), Sheets(session, [inspection.id for inspection, _ in due])
    for inspection, unit in due:
        found = behaviour.findings_for(seed, inspection.code, unit.kind)
        record_visit(session, inspection, [FindingInput(*f) for f in found], as_of, rt, actor=ACTOR, batch=moves)
        add_simulated_scores(sheets, moves, seed=seed, inspection=inspection, unit=unit, source="onsite",
                             as_of=as_of, policy=rt.policy.scoring,
                             weak_areas=frozenset(area for area, _text, _severity in found))
    sheets.write()
    moves.write()


def _rebut(session: Session, seed: int, as_of: date, rt: Runtime) -> None:
    firsts: dict[int, tuple[str, int, bool]] = {}  # each preliminary inspection's first finding, in one query
    for inspection_id, code, finding_id, rebutted in session.exec(select(
            Inspection.id, Inspection.code, Finding.id, Finding.rebutted).join(
            Finding, Finding.inspection_id == Inspection.id).where(
            Inspection.stage == S.PRELIMINARY, Finding.seq == 1).order_by(Inspection.id, Finding.id)).all():
        firsts.setdefault(inspection_id, (code, finding_id, rebutted))
    rebuttals = [(finding_id, upheld) for code, finding_id, rebutted in firsts.values()  # in inspection order
                 if (upheld := behaviour.rebuttal_upheld(seed, code)) is not None and not rebutted]
    if not rebuttals:
        return
    findings = {finding.id: finding for finding in session.exec(select(Finding).where(
        Finding.id.in_([finding_id for finding_id, _ in rebuttals]))).all()}
    inspections = {i.id: i for i in session.exec(select(Inspection).where(
        Inspection.id.in_([finding.inspection_id for finding in findings.values()]))).all()}
    moves = Transitions(session)
    for finding_id, upheld in rebuttals:  # the unit states its case, the office decides it the same day
        finding = findings[finding_id]
        inspection = inspections[finding.inspection_id]
        state_case(session, finding, inspection, REBUTTAL, as_of, actor=ACTOR, batch=moves)
        decide_rebuttal(session, finding, inspection, upheld, REBUTTAL_NOTES[upheld], as_of, actor="operator",
                        batch=moves)
    moves.write()


REBUTTAL = "该问题认定与实际情况不符，已提交说明材料。"
REBUTTAL_NOTES = {True: "经核实，申辩理由成立，撤回该问题。", False: "经核实，申辩理由不成立，维持原认定。"}


def _release(session: Session, seed: int, as_of: date, rt: Runtime) -> None:
    unreleased = session.exec(select(Inspection.id, Inspection.issued_on).where(
        Inspection.issued_on.is_not(None), Inspection.released_on.is_(None)).order_by(Inspection.id)).all()
    due = [inspection_id for inspection_id, issued_on in unreleased
           if rt.calendar.add_workdays(issued_on, rt.policy.inspection.release_workdays) <= as_of]
    if not due:
        return
    moves = Transitions(session)
    for inspection in session.exec(select(Inspection).where(  # in id order: PostgreSQL's heap order varies
            Inspection.id.in_(due)).order_by(Inspection.id)).all():
        release_report(session, inspection, as_of, actor="operator", batch=moves)
    moves.write()


def _submit(session: Session, seed: int, as_of: date, rt: Runtime) -> None:
    # Only the columns the decision needs: the open items of units that never answer pile up all year. Each
    # item's earlier reports (its attempt) are counted in the same query, by the submission index.
    earlier = select(func.count()).where(Submission.item_id == RectificationItem.id).correlate(
        RectificationItem).scalar_subquery()
    latest = as_of + timedelta(days=behaviour.SUBMISSION_EARLIEST_DAYS)  # a later deadline cannot bring a report today
    rows = session.exec(select(RectificationItem.id, Unit.code, RectificationItem.current_deadline,
                               RectificationItem.ladder_step, earlier, Inspection.code, Finding.seq)
                        .join(Unit, RectificationItem.unit_id == Unit.id)
                        .join(Finding, RectificationItem.finding_id == Finding.id)
                        .join(Inspection, RectificationItem.inspection_id == Inspection.id)
                        .where(RectificationItem.stage == ItemStage.OPEN, RectificationItem.current_deadline <= latest)
                        .order_by(RectificationItem.id)).all()
    units, reporting = {}, []
    for item_id, unit_code, deadline, ladder_step, reports, code, seq in rows:
        day = behaviour.submission_day(seed, unit_code, behaviour.finding_key(code, seq), deadline, ladder_step,
                                       1 + reports)
        if day is not None and day <= as_of:
            units[item_id] = unit_code
            reporting.append(item_id)
    if not reporting:
        return
    moves = Transitions(session)
    for item in session.exec(select(RectificationItem).where(RectificationItem.id.in_(reporting))
                             .order_by(RectificationItem.id)).all():
        submit_rectification(session, item, "已按督导意见书完成整改，附整改材料。", as_of, actor=units[item.id],
                             batch=moves)
    moves.write()


def _review(session: Session, seed: int, as_of: date, rt: Runtime) -> None:
    cutoff = as_of - timedelta(days=1)
    due = [submission for submission in pending_submissions(session, cutoff)
           if rt.calendar.add_workdays(submission.submitted_on, rt.policy.rectification.review_workdays) <= as_of]
    if not due:
        return
    item_ids = list({submission.item_id for submission in due})
    submitted: dict[int, list[int]] = {}  # each item's submission ids: the attempt is the rank among them
    for item_id, submission_id in session.exec(select(Submission.item_id, Submission.id).where(
            Submission.item_id.in_(item_ids))).all():
        submitted.setdefault(item_id, []).append(submission_id)
    items = {item.id: item for item in session.exec(select(RectificationItem).where(
        RectificationItem.id.in_(item_ids))).all()}
    keys = item_keys(session, item_ids)
    moves = Transitions(session)
    for submission in due:
        attempt = sum(1 for other in submitted[submission.item_id] if other <= submission.id)
        accept = behaviour.accept_submission(seed, keys[submission.item_id], attempt)
        reason = "整改到位" if accept else "整改材料不完整，请补充佐证材料"
        review_submission(session, submission, accept, reason, as_of, rt, actor="operator", batch=moves,
                          item=items[submission.item_id])
    moves.write()


def _recheck(session: Session, seed: int, as_of: date, rt: Runtime) -> None:
    due = items_due_for_recheck(session, as_of)
    keys = item_keys(session, [item.id for item in due]) if due else {}
    results = [(item, behaviour.relapses(seed, keys[item.id], item.reopen_count)) for item in due]
    reopening = {item.inspection_id for item, relapsed in results if relapsed}  # their inspections in one query
    inspections = {inspection.id: inspection for inspection in session.exec(select(Inspection).where(
        Inspection.id.in_(reopening))).all()} if reopening else {}
    moves = Transitions(session)
    for item, relapsed in results:
        recheck_item(session, item, relapsed, as_of, rt, actor="inspector", batch=moves,
                     inspection=inspections.get(item.inspection_id))
    moves.write()


def item_keys(session: Session, item_ids: list[int]) -> dict[int, str]:
    """item id -> the item's name for simulated behaviour (its finding's inspection code and number), which
    does not depend on the ids the database handed out."""
    keys = {}
    for chunk in chunks(item_ids):
        keys.update({item_id: behaviour.finding_key(code, seq) for item_id, code, seq in session.exec(
            select(RectificationItem.id, Inspection.code, Finding.seq)
            .join(Finding, RectificationItem.finding_id == Finding.id)
            .join(Inspection, RectificationItem.inspection_id == Inspection.id)
            .where(RectificationItem.id.in_(chunk))).all()})
    return keys
