"""A unit's pages: sign-in from its link, its inspections, rectification items and documents, and the
rectification report form per item. Each handler opens its own transaction; every read goes through
unit_views (scoped to the signed-in unit); another unit's item or document is answered 404, like one that
does not exist."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response

from core.db import session_scope
from models import KIND_LABELS, Evidence
from models.lifecycles import INSPECTION, ITEM, LADDER, SUBMISSION
from portal import unit_views
from portal.evidence_files import evidence_response
from portal.guard import (
    DOCUMENT_CSP,
    READ_ONLY_ROLES,
    check_csrf,
    csrf_token,
    sign_in,
    sign_out,
    signed_in_unit,
)
from portal.links import read_token
from portal.rendering import not_found, page
from portal.reports import ReportRefused, max_evidence_bytes, read_uploads, submit_report
from rules.evidence_files import KINDS
from rules.free_text import MAX_TEXT
from tasks.cycle.evidence import MAX_FILES, evidence_of_submissions

router = APIRouter()
ACCEPT = [ext for _, extensions, _ in KINDS.values() for ext in extensions]
LABELS = {"inspection": INSPECTION.labels, "item": ITEM.labels, "ladder": LADDER.labels,
          "submission": SUBMISSION.labels, "kind": KIND_LABELS}


def _today(request: Request):
    return request.app.state.today()


@router.get("/link/{token}")
def open_link(request: Request, token: str) -> Response:
    with session_scope() as session:
        grant = read_token(session, token)  # LinkRefused: a page saying why (app.py)
    sign_in(request, grant)
    # to a page without the token, so it stays out of the address bar and the history
    return RedirectResponse("/unit", status_code=303)


@router.post("/signout")
def sign_out_form(request: Request, csrf: str = Form("")) -> Response:
    check_csrf(request, csrf)
    sign_out(request)
    return page(request, "message.html", {"title": "已退出",
                                          "message": "您已退出。单位再次进入请使用督导室发送的链接。"})


@router.get("/unit")
def unit_home(request: Request) -> Response:
    today = _today(request)
    with session_scope() as session:
        unit = signed_in_unit(request, session)
        context = {"unit": unit, "today": today,
                   "inspections": unit_views.inspections_of(session, unit.id, today),
                   "items": unit_views.items_of(session, unit.id, today),
                   "documents": unit_views.documents_of(session, unit.id, today)}
    return page(request, "unit_home.html", context)


def _item_page(request: Request, item_id: int, *, error: str = "", text: str = "", status: int = 200) -> Response:
    today = _today(request)
    with session_scope() as session:
        unit = signed_in_unit(request, session)
        view = unit_views.item_of(session, unit.id, item_id, today)
        if view is None:
            return not_found(request)
        submissions = unit_views.submissions_of(session, item_id)
        context = {"unit": unit, "view": view, "today": today, "error": error, "text": text,
                   "sent": request.query_params.get("sent") == "1", "max_text": MAX_TEXT,
                   "submissions": submissions, "max_files": MAX_FILES,
                   "max_mb": max_evidence_bytes() // (1024 * 1024), "accept": ",".join(ACCEPT),
                   "evidence": evidence_of_submissions(session, [s.id for s in submissions])}
    return page(request, "unit_item.html", context, status_code=status)


@router.get("/unit/items/{item_id}")
def unit_item(request: Request, item_id: int) -> Response:
    return _item_page(request, item_id)


@router.post("/unit/items/{item_id}/report")
def unit_item_report(request: Request, item_id: int, csrf: str = Form(""), text: str = Form(""),
                     files: Annotated[list[UploadFile] | None, File()] = None) -> Response:
    check_csrf(request, csrf)
    today = _today(request)
    try:
        evidence = read_uploads(files or [])  # every file checked before anything is written
        with session_scope() as session:  # all or nothing: a refusal rolls the transaction back
            unit = signed_in_unit(request, session)
            view = unit_views.item_of(session, unit.id, item_id, today)
            if view is None:
                return not_found(request)
            submit_report(session, unit, view, text, today, evidence)
    except ReportRefused as refused:
        return _item_page(request, item_id, error=str(refused), text=text, status=409)
    return RedirectResponse(f"/unit/items/{item_id}?sent=1", status_code=303)


def _document(request: Request, document_id: int, suffix: str) -> Response:
    with session_scope() as session:
        unit = signed_in_unit(request, session)
        document = unit_views.document_of(session, unit.id, document_id, _today(request))
    path = unit_views.document_file(document, suffix) if document is not None else None
    if path is None:
        return not_found(request)
    if suffix == ".pdf":
        return FileResponse(path, media_type="application/pdf", filename=f"document-{document.id}.pdf",
                            content_disposition_type="inline")
    return FileResponse(path, media_type="text/html; charset=utf-8",
                        headers={"Content-Security-Policy": DOCUMENT_CSP})


@router.get("/unit/documents/{document_id}")
def unit_document(request: Request, document_id: int) -> Response:
    return _document(request, document_id, ".html")


@router.get("/unit/documents/{document_id}/pdf")
def unit_document_pdf(request: Request, document_id: int) -> Response:
    return _document(request, document_id, ".pdf")


@router.get("/unit/evidence/{evidence_id}")
def unit_evidence(request: Request, evidence_id: int) -> Response:
    with session_scope() as session:
        unit = signed_in_unit(request, session)
        row = session.get(Evidence, evidence_id)
        if row is None or unit_views.item_of(session, unit.id, row.item_id, _today(request)) is None:
            return not_found(request)
    return evidence_response(request, row)


def template_globals() -> dict:
    return {"labels": LABELS, "csrf_token": csrf_token, "read_only_roles": READ_ONLY_ROLES}
