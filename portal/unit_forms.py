"""A unit's forms on its inspection's page: the self-assessment (自评: a draft saved, then handed in before its
deadline), a 申辩 against a preliminary finding, and a 复核 request of its 督导意见书. Each goes through the task
function the CLI and the import call (tasks/cycle: submit_self_assessment → hand_in_self_assessment, state_case,
request_review) with the unit as the actor, in one transaction: a refusal rolls all of it back and the page says
why, in Chinese, with what was typed. Another unit's inspection, or one the unit may not know of yet, is 404."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from core.db import session_scope
from core.errors import InputError
from models import Finding, Inspection, Unit
from models.lifecycles import IllegalTransition, StaleTransition
from portal import unit_form_views, unit_views
from portal.guard import SignedInUnit, check_csrf, signed_in_unit
from portal.rendering import not_found, page
from rules.free_text import text_problem
from rules.runtime import load_runtime
from tasks.cycle.rebuttals import MAX_REASON, state_case
from tasks.cycle.review import request_review
from tasks.cycle.self_assessment import SelfAssessmentRefused, sheet_framework, submit_self_assessment
from tasks.cycle.self_assessment_drafts import mark_submitted, save_draft

router = APIRouter()
DONE = {"saved": "自评草稿已保存，可稍后继续填写；截止前请点击“提交自评”。",
        "submitted": "自评已提交，督导室已收到。", "rebutted": "申辩已提交，待督导室决定。",
        "review": "复核申请已提交，督导室将在期限内作出决定（复核期间整改督办照常进行）。"}
MOVED = "该督导的状态刚刚发生变化，未作任何处理，请刷新页面后查看。"


class FormRefused(Exception):
    """The form cannot be taken: `problems` (Chinese) and what to show again."""

    def __init__(self, problems: list[str], typed: tuple[dict[str, str], dict[str, str]] | None = None):
        super().__init__("；".join(problems))
        self.problems, self.typed = problems, typed


def _today(request: Request):
    return request.app.state.today()


def _inspection(session: Session, request: Request, inspection_id: int) -> tuple[SignedInUnit, Inspection | None]:
    unit = signed_in_unit(request, session)
    return unit, unit_views.inspection_of(session, unit.id, inspection_id, _today(request))


def _page(request: Request, inspection_id: int, *, problems: list[str] = (), typed=None, reasons=None,
          status: int = 200) -> Response:
    today = _today(request)
    with session_scope() as session:
        unit, inspection = _inspection(session, request, inspection_id)
        if inspection is None:
            return not_found(request)
        context = unit_form_views.inspection_page(session, inspection, today, load_runtime(), typed)
    done = DONE.get(request.query_params.get("done", ""), "")
    return page(request, "unit_inspection.html", {**context, "unit": unit, "today": today, "done": done,
                                                   "problems": list(problems), "reasons": reasons or {}},
                status_code=status)


@router.get("/unit/inspections/{inspection_id}")
def unit_inspection(request: Request, inspection_id: int) -> Response:
    return _page(request, inspection_id)


def _fields(form: FormData, prefix: str) -> dict[str, str]:
    return {key[len(prefix):]: value for key, value in form.items()
            if key.startswith(prefix) and isinstance(value, str)}


def _write(request: Request, inspection_id: int, step) -> Response | None:
    """Run `step(session, unit, inspection)` in one transaction; None when done, else the page to answer."""
    with session_scope() as session:  # all or nothing: a refusal rolls the transaction back
        unit, inspection = _inspection(session, request, inspection_id)
        if inspection is None:
            return not_found(request)
        try:
            step(session, unit, inspection)
            session.flush()
        except (IllegalTransition, StaleTransition, IntegrityError):
            # another tab, the office or the sweep moved the inspection (or saved the draft) since the page
            raise FormRefused([MOVED]) from None
        except InputError as refused:  # the task's own refusal (the sheet's come as FormRefused, with what was typed)
            raise FormRefused([str(refused)]) from None
    return None


def _sheet_step(request: Request, form: FormData):
    typed, notes, today = _fields(form, "score:"), _fields(form, "note:"), _today(request)
    final = form.get("action") == "submit"

    def step(session: Session, unit: SignedInUnit, inspection: Inspection) -> None:
        row = session.get(Unit, unit.id)
        try:
            if final:
                submit_self_assessment(session, inspection=inspection, unit=row, typed=typed, notes=notes,
                                       as_of=today, rt=load_runtime(), actor=unit.code)
                framework = sheet_framework(session, inspection, row, today)
                mark_submitted(session, inspection=inspection, typed=typed, notes=notes, framework=framework,
                               as_of=today)
            else:
                save_draft(session, inspection=inspection, framework=sheet_framework(session, inspection, row, today),
                           typed=typed, notes=notes, as_of=today, actor=unit.code)
        except SelfAssessmentRefused as refused:
            raise FormRefused(refused.problems, (typed, notes)) from None
    return step, "submitted" if final else "saved"


def _answer(request: Request, inspection_id: int, step, done: str, reasons=None) -> Response:
    try:
        answer = _write(request, inspection_id, step)
    except FormRefused as refused:
        return _page(request, inspection_id, problems=refused.problems, typed=refused.typed, reasons=reasons,
                     status=409)
    return answer or RedirectResponse(f"/unit/inspections/{inspection_id}?done={done}", status_code=303)


@router.post("/unit/inspections/{inspection_id}/self-assessment")
async def unit_self_assessment(request: Request, inspection_id: int) -> Response:
    form = await request.form()
    check_csrf(request, form.get("csrf") if isinstance(form.get("csrf"), str) else None)
    step, done = _sheet_step(request, form)
    return await run_in_threadpool(_answer, request, inspection_id, step, done)


def _reason(form: FormData, what: str, limit: int) -> str:
    value = form.get("reason")
    reason = value.replace("\r\n", "\n").strip() if isinstance(value, str) else ""
    problem = text_problem(reason, what, limit)
    if problem:
        raise FormRefused([problem])
    return reason


async def _reason_form(request: Request, inspection_id: int, what: str, limit: int, step, done: str,
                       key: str) -> Response:
    form = await request.form()
    check_csrf(request, form.get("csrf") if isinstance(form.get("csrf"), str) else None)
    typed = form.get("reason") if isinstance(form.get("reason"), str) else ""
    try:
        reason = _reason(form, what, limit)
    except FormRefused as refused:
        return await run_in_threadpool(_page, request, inspection_id, problems=refused.problems,
                                       reasons={key: typed}, status=409)
    return await run_in_threadpool(_answer, request, inspection_id, step(reason), done, {key: typed})


@router.post("/unit/inspections/{inspection_id}/findings/{seq}/rebuttal")
async def unit_rebuttal(request: Request, inspection_id: int, seq: int) -> Response:
    def step(reason: str):
        def rebut(session: Session, unit: SignedInUnit, inspection: Inspection) -> None:
            finding = session.exec(select(Finding).where(Finding.inspection_id == inspection.id,
                                                         Finding.seq == seq)).first()
            if finding is None:
                raise FormRefused([f"督导 {inspection.code} 没有第{seq}项问题。"])
            state_case(session, finding, inspection, reason, _today(request), actor=unit.code)
        return rebut
    return await _reason_form(request, inspection_id, "申辩理由", MAX_REASON, step, "rebutted", f"finding:{seq}")


@router.post("/unit/inspections/{inspection_id}/review")
async def unit_review(request: Request, inspection_id: int) -> Response:
    def step(reason: str):
        def ask(session: Session, unit: SignedInUnit, inspection: Inspection) -> None:
            request_review(session, inspection, reason, _today(request), load_runtime(), actor=unit.code)
        return ask
    return await _reason_form(request, inspection_id, "复核理由", MAX_REASON, step, "review", "review")
