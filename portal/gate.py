"""What every request of the portal passes through before and after its handler, as one pure ASGI middleware:
the signed session cookie, a POST's length within what a report may weigh, leadership's posts refused, no more
than `WRITES_AT_ONCE` posts in their handlers at once, and the secure headers on every answer.

Why the posts are let through a few at a time: a handler runs in one of the worker's 40 threads, and on SQLite a
post waits there for the one write lock while a sweep step holds it, for seconds. Three hundred units posting at
once then held every thread, and a page, which needs no lock, waited for a thread (item page p95 7.3 s under load,
bench/README). Posts beyond the few wait here, in the event loop, holding no thread, so pages keep theirs.

One layer rather than one `@app.middleware("http")` each: Starlette runs each of those as a BaseHTTPMiddleware,
which wraps every request and answer in streams and tasks of its own, and three of them cost more CPU than a
page's own queries (bench/portal_cpu.py). Here the answer passes through untouched but for its headers."""

import asyncio

from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.db import session_scope
from portal.guard import (
    PAGE_CSP,
    SECURE_HEADERS,
    SESSION_COOKIE,
    SESSION_HOURS,
    ReadOnly,
    refuse_if_read_only,
)
from portal.rendering import message

WRITES_AT_ONCE = 8  # a worker's posts in their handlers at once; its other threads stay free for pages

# Every answer's headers, unless the handler set its own (a document's CSP): (lowercase name, raw pair).
_DEFAULT_HEADERS = [(name.lower().encode(), (name.lower().encode(), value.encode()))
                    for name, value in {**SECURE_HEADERS, "Content-Security-Policy": PAGE_CSP}.items()]


def _with_secure_headers(start: Message) -> None:
    headers = start.setdefault("headers", [])
    present = {name.lower() for name, _ in headers}
    headers.extend(pair for name, pair in _DEFAULT_HEADERS if name not in present)


def _check_read_only(request: Request) -> None:
    with session_scope() as session:
        refuse_if_read_only(request, session)


class PortalGate:
    """The portal's one middleware. `body_limit`: the largest POST in bytes; `session_key` signs the cookie."""

    def __init__(self, app: ASGIApp, *, session_key: str, https_only: bool, body_limit: int,
                 writes_at_once: int = WRITES_AT_ONCE) -> None:
        self.app, self.body_limit, self.writes_at_once = app, body_limit, writes_at_once
        self._writes: tuple[asyncio.AbstractEventLoop, asyncio.Semaphore] | None = None
        # Starlette's session middleware is pure ASGI already: the gate runs inside it, so it sees the session.
        self.entry = SessionMiddleware(self._gate, secret_key=session_key, session_cookie=SESSION_COOKIE,
                                       max_age=SESSION_HOURS * 3600, same_site="lax", https_only=https_only)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.entry(scope, receive, send)

    async def _gate(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def secured(message_: Message) -> None:
            if message_["type"] == "http.response.start":
                _with_secure_headers(message_)
            await send(message_)

        if scope["method"] != "POST":
            await self.app(scope, receive, secured)
            return
        refusal = await self._refusal(scope)
        if refusal is not None:
            await refusal(scope, receive, secured)
            return
        async with self._writes_gate():
            await self.app(scope, receive, secured)

    def _writes_gate(self) -> asyncio.Semaphore:
        """The semaphore of the running event loop (a test client may run the same app on another loop)."""
        loop = asyncio.get_running_loop()
        if self._writes is None or self._writes[0] is not loop:
            self._writes = (loop, asyncio.Semaphore(self.writes_at_once))
        return self._writes[1]

    async def _refusal(self, scope: Scope):
        """The page refusing this POST before a byte of it is parsed, or None to let it through."""
        request = Request(scope)
        length = request.headers.get("content-length", "")
        if not length.isdigit():
            return message(request, "请求有误", "请求未注明长度，未作任何处理。", 411)
        if int(length) > self.body_limit:
            return message(request, "内容过大",
                           f"提交的内容超过 {self.body_limit // (1024 * 1024)} MB，未作任何处理。", 413)
        if "user" in scope["session"]:  # only an account can be read-only: a unit's post asks no query
            try:
                await run_in_threadpool(_check_read_only, request)
            except ReadOnly:
                return message(request, "只读账号", "领导账号只能查看，不能提交、审核或签发任何内容；未作任何处理。", 403)
        return None
