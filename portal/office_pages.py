"""The office's pages: sign-in with an account (limited: portal/accounts.py), the rectification reports
waiting for review, and the review of one (accept or reject, with a reason), as the office account; the
督导报告 issued and not yet released, and their publication sign-off (签发) by the signed-in account."""

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from core.db import session_scope
from models import KIND_LABELS, Evidence, Inspection
from portal import office_views
from portal.accounts import AccountError, authenticate
from portal.evidence_files import evidence_response
from portal.guard import check_csrf, ensure_csrf, sign_in_user, signed_in_user
from portal.rendering import not_found, page
from portal.reports import ReportRefused, review_report
from portal.signoff import SignOffRefused, sign_off
from rules.free_text import MAX_TEXT
from tasks.cycle.evidence import evidence_of_submissions

router = APIRouter(prefix="/office")


@router.get("/signin")
def signin_form(request: Request) -> Response:
    ensure_csrf(request)
    return page(request, "office_signin.html", {"title": "督导室登录", "error": "", "username": ""})


@router.post("/signin")
def signin(request: Request, csrf: str = Form(""), username: str = Form(""), password: str = Form("")) -> Response:
    check_csrf(request, csrf)
    error, home = "", "/office"
    with session_scope() as session:  # committed either way: a failure is counted on the account
        try:
            user = authenticate(session, username.strip(), password)
        except AccountError as refused:
            error = str(refused)
        else:
            sign_in_user(request, user)
            home = "/inspector" if user.role == "inspector" else "/office"  # each account to its own pages
    if error:
        return page(request, "office_signin.html", {"title": "督导室登录", "error": error,
                                                     "username": username.strip()[:32]}, status_code=401)
    return RedirectResponse(home, status_code=303)


def _home_page(request: Request, *, error: str = "", status: int = 200) -> Response:
    with session_scope() as session:
        user = signed_in_user(request, session)
        context = {"title": "督导室工作台", "user": user, "reports": office_views.pending_reports(session),
                   "releases": office_views.awaiting_release(session), "error": error, "kind_labels": KIND_LABELS,
                   "released": _released(session, request.query_params.get("released", ""))}
    return page(request, "office_home.html", context, status_code=status)


def _released(session: Session, ref: str) -> str:
    """The code of the report just signed off (named by id after the redirect), only if it is released: the
    page never echoes what a link says."""
    inspection = session.get(Inspection, int(ref)) if ref.isdigit() and len(ref) < 12 else None
    return inspection.code if inspection is not None and inspection.released_on is not None else ""


@router.get("")
def office_home(request: Request) -> Response:
    return _home_page(request)


@router.post("/inspections/{inspection_id}/release")
def office_release(request: Request, inspection_id: int, csrf: str = Form("")) -> Response:
    """签发: the signed-in account releases the issued report for publication (the next publication run)."""
    check_csrf(request, csrf)
    try:
        with session_scope() as session:  # all or nothing: a refusal rolls the transaction back
            user = signed_in_user(request, session)
            sign_off(session, user, inspection_id, request.app.state.today())
    except SignOffRefused as refused:
        return _home_page(request, error=str(refused), status=409)
    return RedirectResponse(f"/office?released={inspection_id}", status_code=303)


def _report_page(request: Request, submission_id: int, *, error: str = "", reason: str = "",
                 status: int = 200) -> Response:
    with session_scope() as session:
        user = signed_in_user(request, session)
        view = office_views.report(session, submission_id)
        if view is None:
            return not_found(request)
        context = {"title": "审核整改报告", "user": user, "view": view, "error": error, "reason": reason,
                   "max_text": MAX_TEXT, "done": request.query_params.get("done") == "1",
                   "evidence": evidence_of_submissions(session, [submission_id])[submission_id]}
    return page(request, "office_report.html", context, status_code=status)


@router.get("/submissions/{submission_id}")
def office_report(request: Request, submission_id: int) -> Response:
    return _report_page(request, submission_id)


@router.post("/submissions/{submission_id}/review")
def office_review(request: Request, submission_id: int, csrf: str = Form(""), decision: str = Form(""),
                  reason: str = Form("")) -> Response:
    check_csrf(request, csrf)
    try:
        with session_scope() as session:  # all or nothing: a refusal rolls the transaction back
            user = signed_in_user(request, session)
            view = office_views.report(session, submission_id)
            if view is None:
                return not_found(request)
            review_report(session, user, view, decision, reason, request.app.state.today())
    except ReportRefused as refused:
        return _report_page(request, submission_id, error=str(refused), reason=reason, status=409)
    return RedirectResponse(f"/office/submissions/{submission_id}?done=1", status_code=303)


@router.get("/evidence/{evidence_id}")
def office_evidence(request: Request, evidence_id: int) -> Response:
    with session_scope() as session:
        signed_in_user(request, session)
        row = session.get(Evidence, evidence_id)
    if row is None:
        return not_found(request)
    return evidence_response(request, row)
