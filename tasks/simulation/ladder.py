"""What simulated people do about the ladder besides rectifying: units raise issues they cannot resolve alone
(四级议题上报) and ask for 复核 of their 督导意见书; the office decides the requests (sometimes late) and holds
each 约谈 on its day, filing its record; it also summons by hand the head of a unit whose 督导意见书 lists
serious problems."""

from datetime import date, timedelta

from sqlalchemy import func, or_
from sqlmodel import Session, select

from models import Finding, Inspection, RectificationItem, ReviewRequest, Submission, Unit
from models.lifecycles import InspectionStage, ItemStage, record_rows
from rules import behaviour
from rules.runtime import Runtime
from tasks.cycle.review import decide_review, request_review
from tasks.ladder.by_hand import raise_interview
from tasks.ladder.interviews import interviews_to_record, record_interview
from tasks.ladder.issue_levels import start_escalation


def simulate_ladder_day(session: Session, seed: int, as_of: date, rt: Runtime) -> None:
    """The people's ladder-related acts of one simulated day, in the caller's transaction."""
    for act in (_raise_issues, _request_reviews, _decide_reviews, _raise_interviews, _record_interviews):
        act(session, seed, as_of, rt)


def _raise_issues(session: Session, seed: int, as_of: date, rt: Runtime) -> None:
    """A unit reports an issue it cannot resolve alone on the day its rectification item opens. The day's
    raise events are chained together, in finding order."""
    rows = [start_escalation(finding, as_of, rt, actor=code)
            for finding, kind, code, inspection_code in newly_open(session, as_of)
            if behaviour.raises_issue(seed, behaviour.finding_key(inspection_code, finding.seq), kind)]
    record_rows(session, [row for row in rows if row is not None])  # flushes the findings first


def newly_open(session: Session, as_of: date) -> list[tuple[Finding, str, str, str]]:
    """(finding, unit kind, unit code, inspection code) of the items a unit may raise today, by finding: those
    opened since the day before (the simulated days follow one another)."""
    return list(session.exec(select(Finding, Unit.kind, Unit.code, Inspection.code).join(
        RectificationItem, RectificationItem.finding_id == Finding.id).join(
        Unit, RectificationItem.unit_id == Unit.id).join(
        Inspection, RectificationItem.inspection_id == Inspection.id).where(
        *MAY_RAISE, _opened_since(as_of - timedelta(days=1))).order_by(Finding.id)).all())


# An item whose unit may raise its finding: open, before the ladder's first step, not raised yet.
MAY_RAISE = (RectificationItem.stage == ItemStage.OPEN, RectificationItem.ladder_step == "none",
              Finding.needs_escalation.is_(False))


def _opened_since(since: date):
    """Items that became open at `since` or later: opened with their 督导意见书, reopened by a rejected report,
    or relapsed at 回头看 (any relapsed one: few stay before the ladder's first step).

    Whether a unit raises a finding depends on the finding alone (behaviour.raises_issue), and a raise that
    did not happen when the item was last seen open cannot happen later (needs_escalation only becomes True,
    a withdrawn finding stays withdrawn), so an item already seen open on the previous simulated day need not
    be read again. tests/test_simulated_ladder.py checks every day of a simulated year against reading every
    open item.
    """
    rejected = select(Submission.id).where(
        Submission.item_id == RectificationItem.id, Submission.decision == "rejected",
        Submission.decided_on >= since).exists()
    return or_(Inspection.issued_on >= since, RectificationItem.reopen_count > 0, rejected)


def _request_reviews(session: Session, seed: int, as_of: date, rt: Runtime) -> None:
    window = as_of - timedelta(days=rt.policy.rectification.review_request_days)
    asked = select(ReviewRequest.inspection_id)
    # Columns, not entities: the window holds every inspection issued in the last weeks, and few ask.
    rows = session.exec(select(Inspection.id, Inspection.code, Inspection.issued_on, Unit.code).join(
        Unit, Inspection.unit_id == Unit.id).where(
        Inspection.stage == InspectionStage.RECTIFYING, Inspection.issued_on >= window,
        Inspection.id.not_in(asked)).order_by(Inspection.id)).all()
    for inspection_id, inspection_code, issued_on, unit_code in rows:
        day = behaviour.review_request_day(seed, inspection_code, issued_on)
        if day is not None and day <= as_of:
            request_review(session, session.get(Inspection, inspection_id), "对督导意见书中部分问题的认定有异议，申请复核。",
                           as_of, rt, actor=unit_code)


def _decide_reviews(session: Session, seed: int, as_of: date, rt: Runtime) -> None:
    for request, inspection_code in session.exec(select(ReviewRequest, Inspection.code).join(
            Inspection, ReviewRequest.inspection_id == Inspection.id).where(
            ReviewRequest.decision == "pending").order_by(ReviewRequest.id)).all():
        day, upheld = behaviour.review_decision(seed, inspection_code, request.requested_on)
        if day <= as_of:
            withdraw = _first_open(session, request.inspection_id) if upheld else ()
            reason = "经核实，有关问题认定依据不充分，予以撤回。" if withdraw else "经核实，督导意见书认定事实清楚，依据充分。"
            decide_review(session, request, bool(withdraw), reason, as_of, actor="operator", withdraw=withdraw)


def _first_open(session: Session, inspection_id: int) -> tuple[int, ...]:
    """The number of the inspection's first finding whose item is not closed (the one an upheld 复核 withdraws);
    none when every item is closed already (the office then dismisses: nothing is left to change)."""
    seq = session.exec(select(Finding.seq).join(RectificationItem, RectificationItem.finding_id == Finding.id).where(
        Finding.inspection_id == inspection_id, RectificationItem.stage != ItemStage.CLOSED).order_by(Finding.seq)).first()
    return () if seq is None else (seq,)


def _raise_interviews(session: Session, seed: int, as_of: date, rt: Runtime) -> None:
    """On a working day, the office summons by hand (the CLI's raise_interview) the heads of units whose
    督导意见书, issued since the working day before, lists serious problems: three working days later, at the
    policy's place."""
    if not rt.calendar.is_workday(as_of):
        return
    since = rt.calendar.add_workdays(as_of, -1)
    rows = session.exec(select(Inspection.code, Unit, func.count(Finding.id)).join(
        Unit, Inspection.unit_id == Unit.id).join(Finding, Finding.inspection_id == Inspection.id).where(
        Inspection.issued_on >= since, Inspection.issued_on < as_of, Finding.severity == "serious",
        Finding.withdrawn.is_(False)).group_by(Inspection.id, Inspection.code, Unit.id).order_by(Inspection.id)).all()
    for code, unit, serious in rows:
        reason = behaviour.HAND_INTERVIEW_REASONS.get(unit.kind)
        if reason and behaviour.interview_by_hand(seed, code, serious):
            raise_interview(session, unit, reason, f"督导 {code} 发现严重问题{serious}项", rt.calendar.add_workdays(as_of, 3),
                            None, as_of, rt, actor="operator")


def _record_interviews(session: Session, seed: int, as_of: date, rt: Runtime) -> None:
    """The office holds each 约谈 on the day its notice named and files the record that day."""
    for interview in interviews_to_record(session, as_of):
        said = "整改不力的原因" if interview.item_id else "有关问题的情况"
        record_interview(session, interview, interview.scheduled_on, "被约谈单位主要负责人；区政府教育督导室负责同志",
                         f"被约谈人说明了{said}，承诺立即整改，并书面报告整改措施和完成时限。", as_of, actor="operator")
