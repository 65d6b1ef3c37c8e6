"""The office's dashboard (/office/dashboard): the figures and charts of tasks/operator/dashboard.py, and one
list page per number (/office/dashboard/<list>?filters), paged. The office's and leadership's accounts (the
guard's default roles): a unit's session is sent to the office's sign-in, an inspector's is refused (403)."""

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from core.db import session_scope
from portal import dashboard_views
from portal.guard import signed_in_user
from portal.rendering import not_found, page
from rules.dashboard import BUCKET_LABELS
from rules.runtime import load_runtime
from rules.scoring import GRADES
from tasks.operator.dashboard import dashboard
from tasks.operator.dashboard_lists import (
    PAGE,
    UnknownList,
    grade_list,
    overdue_list,
    reports_list,
    week_list,
    zone_list,
)

router = APIRouter(prefix="/office/dashboard")
MAX_PAGE = 10_000
FILTERS = ("unit", "step", "what", "state", "zone", "short", "grade")  # what the dashboard's links carry


@router.get("")
def dashboard_page(request: Request) -> Response:
    today = request.app.state.today()
    with session_scope() as session:
        user = signed_in_user(request, session)
        figures = dashboard(session, today, load_runtime())
    return page(request, "dashboard.html", {"title": "督导室仪表盘", "user": user, "f": figures,
                                            "charts": dashboard_views.charts(figures), "link": dashboard_views.link,
                                            "bucket_labels": BUCKET_LABELS, "grades": GRADES})


def _lister(name: str, request: Request, filters: dict, session: Session, page_no: int):
    today = request.app.state.today()
    builders = {
        "overdue": lambda: overdue_list(session, today, page_no, filters.get("unit", ""), filters.get("step", "")),
        "week": lambda: week_list(session, today, page_no, filters.get("what", "")),
        "reports": lambda: reports_list(session, page_no, filters.get("state", "")),
        "zones": lambda: zone_list(session, today, load_runtime(), page_no, filters.get("zone", ""),
                                   filters.get("short", "") == "1"),
        "grades": lambda: grade_list(session, today.year, load_runtime(), page_no, filters.get("grade", "")),
    }
    if name not in builders:
        raise UnknownList
    return builders[name]()


@router.get("/{name}")
def list_page(request: Request, name: str, page_no: int = Query(0, alias="page", ge=0, le=MAX_PAGE)) -> Response:
    filters = {k: v[:64] for k, v in request.query_params.items() if k in FILTERS}
    with session_scope() as session:
        try:
            user = signed_in_user(request, session)
            listing = _lister(name, request, filters, session, page_no)
        except UnknownList:
            return not_found(request)
    pages = max((listing.total - 1) // PAGE + 1, 1)
    here = dashboard_views.link(name, **filters)
    return page(request, "dashboard_list.html", {"title": listing.title, "user": user, "listing": listing,
                                                 "page_no": page_no, "pages": pages, "here": here,
                                                 "joiner": "&" if "?" in here else "?"})
