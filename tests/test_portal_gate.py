"""The portal's gate lets posts into their handlers a few at a time: the others wait in the event loop, holding
no thread, so a page asked for meanwhile is answered while every post is still held. The backend cannot matter
(no ledger: a bare application behind the gate)."""

import asyncio
import threading

import httpx
from fastapi import FastAPI

from portal.gate import PortalGate

WRITES = 2
POSTS = 6


def _app(inside: list[int], peak: list[int], release: threading.Event) -> FastAPI:
    app = FastAPI()

    @app.post("/write")
    def write() -> dict:  # a sync handler: it runs in a thread, as the portal's forms do
        inside.append(1)
        peak[0] = max(peak[0], len(inside))
        release.wait(30)
        inside.pop()
        return {"ok": True}

    @app.get("/page")
    def page() -> dict:
        return {"ok": True}

    app.add_middleware(PortalGate, session_key="k" * 32, https_only=False, body_limit=1024, writes_at_once=WRITES)
    return app


async def _run() -> tuple[int, int, bool, list[int]]:
    inside, peak, release = [], [0], threading.Event()
    transport = httpx.ASGITransport(app=_app(inside, peak, release))
    async with httpx.AsyncClient(transport=transport, base_url="http://portal") as client:
        posts = [asyncio.create_task(client.post("/write", content=b"x=1")) for _ in range(POSTS)]
        while len(inside) < WRITES:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)  # room for a third post to get in, were the gate open
        page = await client.get("/page")
        held = all(not post.done() for post in posts)
        release.set()
        statuses = [answer.status_code for answer in await asyncio.gather(*posts)]
    return page.status_code, peak[0], held, statuses


def test_posts_wait_at_the_gate_and_a_page_goes_by_backend_independent():
    page, peak, held, statuses = asyncio.run(_run())
    assert page == 200 and held  # the page answered while every post was still held
    assert peak == WRITES  # never more posts in their handlers than the gate lets in
    assert statuses == [200] * POSTS  # and every post went through once let in
