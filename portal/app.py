"""The portal's application: its one middleware (portal/gate.py: the signed session cookie, the secure headers
on every answer, a POST's limits), error pages in Chinese, the routes.
`create_app()` builds one; `dudao portal serve` runs it under uvicorn."""

from collections.abc import Callable
from datetime import date

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from core import clock
from core.settings import get_settings
from portal import dashboard_pages, inspector_pages, office_pages, unit_forms, unit_pages
from portal.gate import PortalGate
from portal.guard import CsrfRefused, NotAllowed, NotSignedIn
from portal.links import LinkRefused
from portal.rendering import TEMPLATES, message, page
from portal.reports import max_evidence_bytes
from tasks.access.secret import derived_key
from tasks.cycle.evidence import MAX_FILES

STATUS_TEXT = {404: ("未找到", "没有找到该页面，或该内容不属于本单位。"),
               405: ("不支持的操作", "该页面不支持此操作。")}


def create_app(today: Callable[[], date] = clock.today) -> FastAPI:
    """The portal. `today`: the district's day (tests pass a fixed one)."""
    app = FastAPI(title="督导门户", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.today = today
    _errors(app)
    # A POST says its length and stays within what a report with its files may weigh (each file is checked
    # again on its own); the session, leadership's read-only refusal and the headers: portal/gate.py.
    app.add_middleware(PortalGate, session_key=derived_key("portal-session"),
                       https_only=get_settings().portal_base_url.startswith("https://"),
                       body_limit=MAX_FILES * max_evidence_bytes() + 1024 * 1024)
    app.include_router(unit_pages.router)
    app.include_router(unit_forms.router)
    app.include_router(office_pages.router)
    app.include_router(dashboard_pages.router)
    app.include_router(inspector_pages.router)
    _basics(app)
    return app


def _basics(app: FastAPI) -> None:
    stylesheet = (TEMPLATES / "portal.css").read_text(encoding="utf-8")

    @app.get("/")
    def home(request: Request) -> Response:
        if request.session.get("unit") is not None:
            return RedirectResponse("/unit", status_code=303)
        return page(request, "message.html", {"title": "教育督导门户",
                                               "message": "请使用督导室在通知中发送的链接进入本单位页面。",
                                               "office_link": True})

    @app.get("/static/portal.css")
    def css() -> Response:
        return Response(stylesheet, media_type="text/css; charset=utf-8", headers={"Cache-Control": "max-age=3600"})


def _errors(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    def not_signed_in(request: Request, _exc: NotSignedIn) -> Response:
        if request.url.path.startswith(("/office", "/inspector")):
            return RedirectResponse("/office/signin", status_code=303)
        return message(request, "请先登录", "登录已失效或尚未登录，请使用督导室发送的链接重新进入。", 401)

    @app.exception_handler(CsrfRefused)
    def csrf_refused(request: Request, _exc: CsrfRefused) -> Response:
        return message(request, "表单已失效", "表单已失效或来源不明，未作任何处理。请返回页面刷新后重新提交。", 403)

    @app.exception_handler(NotAllowed)
    def not_allowed(request: Request, _exc: NotAllowed) -> Response:
        return message(request, "无权访问", "当前登录的账号不能使用该页面。", 403)

    @app.exception_handler(LinkRefused)
    def link_refused(request: Request, exc: LinkRefused) -> Response:
        return message(request, "无法登录", str(exc), 403)

    @app.exception_handler(RequestValidationError)
    def bad_request(request: Request, _exc: RequestValidationError) -> Response:
        return message(request, "请求有误", "请求的地址或表单内容不正确。", 400)

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException) -> Response:
        title, text = STATUS_TEXT.get(exc.status_code, ("出错了", "请求未能完成。"))
        return message(request, title, text, exc.status_code)
