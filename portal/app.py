"""The portal's application: the signed session cookie, the secure headers on every answer, error pages in
Chinese, the unit's routes. `create_app()` builds one; `dudao portal serve` runs it under uvicorn."""

from collections.abc import Callable
from datetime import date

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from core import clock
from core.db import session_scope
from core.settings import get_settings
from portal import dashboard_pages, inspector_pages, office_pages, unit_forms, unit_pages
from portal.guard import (
    PAGE_CSP,
    SECURE_HEADERS,
    SESSION_COOKIE,
    SESSION_HOURS,
    CsrfRefused,
    NotAllowed,
    NotSignedIn,
    ReadOnly,
    refuse_if_read_only,
)
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
    _body_limit(app)
    _read_only(app)
    _headers(app)
    app.add_middleware(SessionMiddleware, secret_key=derived_key("portal-session"), session_cookie=SESSION_COOKIE,
                       max_age=SESSION_HOURS * 3600, same_site="lax",
                       https_only=get_settings().portal_base_url.startswith("https://"))
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


def _body_limit(app: FastAPI) -> None:
    """A POST says its length and stays within what a report with its files may weigh: refused before a byte
    of it is parsed (each file is checked again on its own)."""
    limit = MAX_FILES * max_evidence_bytes() + 1024 * 1024

    @app.middleware("http")
    async def body_limit(request: Request, call_next):
        if request.method == "POST":
            length = request.headers.get("content-length", "")
            if not length.isdigit():
                return message(request, "请求有误", "请求未注明长度，未作任何处理。", 411)
            if int(length) > limit:
                return message(request, "内容过大", f"提交的内容超过 {limit // (1024 * 1024)} MB，未作任何处理。", 413)
        return await call_next(request)


def _check_read_only(request: Request) -> None:
    with session_scope() as session:
        refuse_if_read_only(request, session)


def _read_only(app: FastAPI) -> None:
    """Leadership reads without writing: every form it posts is refused here, before any handler runs (added
    before the session middleware, so it runs inside it and sees the session)."""

    @app.middleware("http")
    async def read_only(request: Request, call_next):
        if request.method == "POST":
            try:
                await run_in_threadpool(_check_read_only, request)
            except ReadOnly:
                return message(request, "只读账号", "领导账号只能查看，不能提交、审核或签发任何内容；未作任何处理。", 403)
        return await call_next(request)


def _headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def secure_headers(request: Request, call_next):
        response = await call_next(request)
        for name, value in SECURE_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
        return response
