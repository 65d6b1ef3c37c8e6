"""复核: a unit asks, within `review_request_days` of its 督导意见书, that the office review it; the office decides
within `review_decision_days`. The ladder is not suspended by a request (《教育督导问责办法》); an upheld request
withdraws the findings it names, whose items close and climb no further, and amends others (their wording,
整改要求 or 整改期限: tasks/cycle/amendments.py), whose ladder then follows the new deadline."""

from datetime import date, timedelta

from sqlmodel import Session, select

from core.errors import InputError
from models import Finding, Inspection, RectificationItem, ReviewRequest, Submission, Unit
from models.lifecycles import (
    REVIEW,
    SUBMISSION,
    ItemStage,
    ReviewDecision,
    StaleTransition,
    SubmissionDecision,
    Transitions,
    audit_row,
    move,
    record,
)
from models.queries import office
from rules.runtime import Runtime
from tasks.cycle.amendments import Amendment, amend, amendable
from tasks.documents.contexts import doc_no
from tasks.documents.issuing import Paper, issue


def request_problem(session: Session, inspection: Inspection, as_of: date, rt: Runtime) -> str | None:
    """Why the unit cannot ask for a 复核 of `inspection` on `as_of` (in Chinese), or None."""
    if inspection.issued_on is None:
        return f"督导 {inspection.code} 尚未下发督导意见书，无可复核"
    last_day = inspection.issued_on + timedelta(days=rt.policy.rectification.review_request_days)
    if not inspection.issued_on <= as_of <= last_day:
        return (f"督导 {inspection.code}：复核申请期为 {inspection.issued_on} 至 {last_day}"
                f"（rectification.review_request_days），{as_of} 不在期内")
    if session.exec(select(ReviewRequest.id).where(ReviewRequest.inspection_id == inspection.id)).first():
        return f"督导 {inspection.code}：已申请过复核"
    return None


def request_review(session: Session, inspection: Inspection, reason: str, as_of: date, rt: Runtime,
                   actor: str) -> ReviewRequest:
    """Record a 复核 request and acknowledge it; InputError outside the window or if one was made before."""
    problem = request_problem(session, inspection, as_of, rt) or (None if reason.strip() else "复核申请须写明理由")
    if problem:
        raise InputError(problem)
    request = ReviewRequest(inspection_id=inspection.id, unit_id=inspection.unit_id, requested_on=as_of,
                            reason=reason.strip(), decide_by=as_of + timedelta(
                                days=rt.policy.rectification.review_decision_days))
    session.add(request)
    session.flush()
    record(session, "inspection", inspection.id, "review_request", as_of=as_of, actor=actor,
           detail={"request": request.id, "decide_by": request.decide_by, "ladder_suspended": False,
                   "policy": rt.policy.version})
    _issue(session, request, "review_receipt", as_of, copy_office=True)
    return request


def decide_review(session: Session, request: ReviewRequest, uphold: bool, reason: str, as_of: date,
                  actor: str, withdraw: tuple[int, ...] = (), amendments: tuple[Amendment, ...] = ()) -> None:
    """The office's 复核决定: upheld (the findings numbered `withdraw` are withdrawn: their items close and climb
    no further; `amendments` change others) or dismissed. Once: InputError if it was decided before, or by
    someone else since it was read."""
    event = "uphold" if uphold else "dismiss"
    if not REVIEW.permits(request, event):
        raise InputError(f"复核申请 {request.id} 已作出决定（{request.decision}）")
    if not reason.strip():
        raise InputError("复核决定须写明理由")
    if not uphold and (withdraw or amendments):
        raise InputError("复核不成立时不撤回、不变更问题：--withdraw 和 --amend 只用于 --uphold")
    withdrawn = _withdrawable(session, request, withdraw) if uphold and (withdraw or not amendments) else []
    amended = amendable(session, request, amendments, withdraw, as_of) if uphold else []
    late = as_of > request.decide_by
    audit = audit_row("inspection", request.inspection_id, "review_decision", as_of=as_of, actor=actor,
                      detail={"request": request.id, "decision": REVIEW.after(request, event), "late": late})
    try:
        move(session, REVIEW, request, event, values={"decision_reason": reason.strip(), "decided_on": as_of},
             audit=audit)
    except StaleTransition:
        raise InputError(f"复核申请 {request.id} 已由他人同时作出决定") from None
    _withdraw(session, withdrawn, request, as_of, actor)
    listed = amend(session, amended, request, as_of, actor)
    _issue(session, request, "review_decision", as_of, copy_office=True,
           withdrawn=[finding.text for finding, _item in withdrawn], amended=listed)


def _withdrawable(session: Session, request: ReviewRequest, seqs: tuple[int, ...]) -> list[tuple[Finding, RectificationItem]]:
    """The findings an upheld 复核 withdraws, with their items; InputError naming a number that cannot be."""
    if not seqs:
        raise InputError(f"复核申请 {request.id}：复核成立须指明撤回（--withdraw N）或变更（--amend N）的问题序号")
    rows = dict(session.exec(select(Finding.seq, Finding).where(Finding.inspection_id == request.inspection_id)).all())
    found = []
    for seq in dict.fromkeys(seqs):
        finding = rows.get(seq)
        item = finding and session.exec(select(RectificationItem).where(RectificationItem.finding_id == finding.id)).first()
        if item is None or item.stage == ItemStage.CLOSED:
            raise InputError(f"复核申请 {request.id}：督导意见书没有可撤回的第{seq}项问题（不存在、已撤回或已销号）")
        found.append((finding, item))
    return found


def _withdraw(session: Session, withdrawn: list[tuple[Finding, RectificationItem]], request: ReviewRequest,
              as_of: date, actor: str) -> None:
    moves = Transitions(session)
    for finding, item in withdrawn:
        finding.withdrawn, item.closed_on, item.next_action_on = True, as_of, None
        session.add(finding)
        moves.apply(item, "withdraw", as_of=as_of, actor=actor, detail={"review_request": request.id})
    moves.write()
    pending = session.exec(select(Submission).where(
        Submission.item_id.in_([item.id for _finding, item in withdrawn]),
        Submission.decision == SubmissionDecision.PENDING)).all()
    for submission in pending:  # a report on a withdrawn finding: nothing is left to review
        submission.decision = SUBMISSION.after(submission, "withdraw")
        submission.reason, submission.decided_on = "复核成立，问题已撤回", as_of
        session.add(submission)


def remind_review_decisions(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """Remind the office once of each request still undecided on its decide-by day."""
    requests = session.exec(select(ReviewRequest).where(
        ReviewRequest.decision == ReviewDecision.PENDING, ReviewRequest.decide_by <= as_of,
    ).order_by(ReviewRequest.id)).all()
    return [request.id for request in requests if _issue(session, request, "review_due", as_of, to_office=True)]


def _issue(session: Session, request: ReviewRequest, kind: str, as_of: date, *, copy_office: bool = False,
           to_office: bool = False, withdrawn: list[str] | None = None, amended: list[dict] | None = None) -> bool:
    inspection = session.get(Inspection, request.inspection_id)
    unit = session.get(Unit, request.unit_id)
    the_office = office(session, "OFFICE")
    recipients = [the_office] if to_office else [unit, the_office] if copy_office else [unit]
    context = {"request": request, "inspection": inspection, "unit": unit,
               "doc_no": doc_no(kind, as_of.year, request.id), "copy_to": [], "withdrawn": withdrawn or [],
               "amended": amended or []}
    return issue(session, Paper(key=f"review:{request.id}:{kind}", kind=kind, context=context, issued_on=as_of,
                                unit=unit, inspection_id=inspection.id, recipients=recipients)) is not None
