"""An inspector's pages: the inspections of his teams (a covert visit only from its day: inspector_views), one
inspection with its findings and, while it waits for its visit, the on-site form (score sheet and findings
with 整改要求 and 整改期限); 回头看 results of his teams' items; routine visits (挂牌督导) of his schools. Each
write goes through inspector_forms in one transaction with his account as the actor; another team's
inspection or item is answered 404, like one that does not exist."""

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from core.db import session_scope
from models import KIND_LABELS
from models.lifecycles import INSPECTION, ITEM, allowed_events
from portal import inspector_views as views
from portal.guard import NotAllowed, SignedInUser, check_csrf, signed_in_user
from portal.inspector_forms import (
    FormRefused,
    OnsiteForm,
    findings_from,
    record_onsite,
    record_recheck_result,
    record_routine_visit,
)
from portal.rendering import not_found, page
from tasks.cycle.routine_visits import routine_items
from tasks.cycle.scores import framework_for
from tasks.cycle.self_assessment import MAX_NOTE
from tasks.exchange.imports.sheets import SEVERITY

router = APIRouter(prefix="/inspector")
VISIT_EVENTS = {"visit", "visit_unannounced"}
FINDING_ROWS = 5  # blank findings rows on the form (?rows=N shows more)
EVENT_LABELS = {"plan": "列入计划", "notify": "发出督导通知", "receive_self_assessment": "收到自评",
                "visit": "实地督导", "visit_unannounced": "实地督导（未通知）", "scores:onsite": "现场评分",
                "scores:self": "自评评分", "scores:gap": "自评偏差", "feed_back": "初步反馈", "issue": "下达督导报告",
                "release": "签发", "team_change": "调整督导组"}


def _today(request: Request) -> date:
    return request.app.state.today()


def _inspector(request: Request, session) -> SignedInUser:
    user = signed_in_user(request, session, roles=("inspector",))
    if user.inspector_id is None:  # an inspector's account is always linked (accounts.inspector_for)
        raise NotAllowed
    return user


def _base(user: SignedInUser, title: str) -> dict:
    return {"title": title, "user": user, "kind_labels": KIND_LABELS, "stage_labels": INSPECTION.labels,
            "item_labels": ITEM.labels, "event_labels": EVENT_LABELS, "severities": SEVERITY}


def _home_page(request: Request, *, errors: list[str] = (), status: int = 200) -> Response:
    today = _today(request)
    with session_scope() as session:
        user = _inspector(request, session)
        context = {**_base(user, "督学工作台"), "today": today, "errors": list(errors),
                   "done": "" if errors else request.query_params.get("done", ""),
                   "inspections": views.team_inspections(session, user.inspector_id, today),
                   "rechecks": views.awaiting_recheck(session, user.inspector_id, today)}
    return page(request, "inspector_home.html", context, status_code=status)


@router.get("")
def inspector_home(request: Request) -> Response:
    return _home_page(request)


def _inspection_page(request: Request, inspection_id: int, *, errors: list[str] = (), form: OnsiteForm | None = None,
                     status: int = 200) -> Response:
    today = _today(request)
    rows = request.query_params.get("rows", "")
    with session_scope() as session:
        user = _inspector(request, session)
        team = views.inspection_of(session, user.inspector_id, inspection_id, today)
        if team is None:
            return not_found(request)
        may_visit = bool(VISIT_EVENTS & set(allowed_events(team.inspection)))
        framework = framework_for(session, team.inspection, team.unit, today) if may_visit else None
        form = form or OnsiteForm()
        blank = max(FINDING_ROWS, min(int(rows), 50) if rows.isdigit() else 0, len(form.findings))
        context = {**_base(user, f"督导 {team.inspection.code}"), "team": team, "today": today,
                   "members": views.team_of(session, inspection_id), "findings": views.findings_of(session, inspection_id),
                   "onsite_scores": views.onsite_scores_of(session, inspection_id),
                   "history": views.history_of(session, inspection_id), "may_visit": may_visit,
                   "framework": framework, "entries": framework.entries() if framework else [], "form": form, "max_note": MAX_NOTE,
                   "finding_rows": [*form.findings, *[{}] * (blank - len(form.findings))],
                   "more_rows": blank + FINDING_ROWS, "errors": list(errors),
                   "saved": request.query_params.get("saved") == "1"}
    return page(request, "inspector_inspection.html", context, status_code=status)


@router.get("/inspections/{inspection_id}")
def inspector_inspection(request: Request, inspection_id: int) -> Response:
    return _inspection_page(request, inspection_id)


def _onsite(request: Request, inspection_id: int, form: OnsiteForm) -> Response:
    today = _today(request)
    try:
        with session_scope() as session:  # all or nothing: a refusal rolls the transaction back
            user = _inspector(request, session)
            team = views.inspection_of(session, user.inspector_id, inspection_id, today)
            if team is None:
                return not_found(request)
            record_onsite(session, user, team, framework_for(session, team.inspection, team.unit, today), form, today)
    except FormRefused as refused:
        return _inspection_page(request, inspection_id, errors=refused.problems, form=form, status=409)
    return RedirectResponse(f"/inspector/inspections/{inspection_id}?saved=1", status_code=303)


def _by_item(data: FormData, prefix: str) -> dict[str, str]:
    """The fields named PREFIX + an item's code, by code."""
    return {key.removeprefix(prefix): str(value) for key, value in data.multi_items() if key.startswith(prefix)}


def _onsite_form(data: FormData) -> OnsiteForm:
    values = {name: [str(v) for v in data.getlist(f"finding_{name}")] for name in
              ("item", "text", "severity", "requirement", "deadline")}
    return OnsiteForm(_by_item(data, "score_"), findings_from(values), _by_item(data, "note_"))


@router.post("/inspections/{inspection_id}/visit")
async def inspector_visit(request: Request, inspection_id: int) -> Response:
    data = await request.form()
    check_csrf(request, str(data.get("csrf", "")))
    return await run_in_threadpool(_onsite, request, inspection_id, _onsite_form(data))


def _recheck(request: Request, item_id: int, result: str, note: str) -> Response:
    today = _today(request)
    try:
        with session_scope() as session:
            user = _inspector(request, session)
            view = views.recheck_item_of(session, user.inspector_id, item_id, today)
            if view is None:
                return not_found(request)
            record_recheck_result(session, user, view, result, note, today)
    except FormRefused as refused:
        return _home_page(request, errors=refused.problems, status=409)
    return RedirectResponse("/inspector?done=recheck", status_code=303)


@router.post("/items/{item_id}/recheck")
async def inspector_recheck(request: Request, item_id: int) -> Response:
    data = await request.form()
    check_csrf(request, str(data.get("csrf", "")))
    return await run_in_threadpool(_recheck, request, item_id, str(data.get("result", "")), str(data.get("note", "")))


def _routine_page(request: Request, *, errors: list[str] = (), entered: dict | None = None,
                  status: int = 200) -> Response:
    today = _today(request)
    with session_scope() as session:
        user = _inspector(request, session)
        context = {**_base(user, "挂牌督导记录"), "today": today, "errors": list(errors),
                   "schools": views.zone_schools(session, user.inspector_id), "items": routine_items(today),
                   "visits": views.routine_visits_of(session, user.inspector_id), "entered": entered or {},
                   "saved": request.query_params.get("saved") == "1"}
    return page(request, "inspector_routine.html", context, status_code=status)


@router.get("/routine")
def inspector_routine(request: Request) -> Response:
    return _routine_page(request)


def _routine(request: Request, entered: dict) -> Response:
    today = _today(request)
    try:
        with session_scope() as session:
            user = _inspector(request, session)
            record_routine_visit(session, user, entered["school"], entered["visit_on"], entered["items"], today)
    except FormRefused as refused:
        return _routine_page(request, errors=refused.problems, entered=entered, status=409)
    return RedirectResponse("/inspector/routine?saved=1", status_code=303)


@router.post("/routine")
async def inspector_routine_post(request: Request) -> Response:
    data = await request.form()
    check_csrf(request, str(data.get("csrf", "")))
    names = routine_items(_today(request))
    entered = {"school": str(data.get("school", "")), "visit_on": str(data.get("visit_on", "")),
               "items": {name: str(data.get(f"item_{index}", "")) for index, name in enumerate(names)}}
    return await run_in_threadpool(_routine, request, entered)
