"""Benchmark: the CPU one portal page costs, in-process, without the network or uvicorn: each page requested
N times in a row through httpx's ASGI transport, the process's CPU time (every thread: the sync handlers run
in the threadpool) divided by N. Beside it, in the same run and the same way, the bare FastAPI endpoint of
bench/bare_app.py: the ratios to it are what the portal's own code costs, whatever the machine's speed.

The ledger is bench/portal_world.py's (the sample district, BACKGROUND open items, one school per report POST
with one open item and its link), on SQLite or PostgreSQL (database dudao_bench_portal_cpu, made afresh).

    .venv/bin/python bench/portal_cpu.py                      # SQLite, 300 requests a page
    .venv/bin/python bench/portal_cpu.py --db postgresql --requests 500

The last line printed is one JSON object with every figure.
"""

import argparse
import asyncio
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from bench.ladder_data import fresh_database  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/dudao_bench_portal_cpu"
BASE = "http://127.0.0.1:8000"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
WARMUP = 20


def _world(url: str, var: Path, units: int, background: int) -> dict:
    fresh_database(url)
    os.environ.update({"DUDAO_DATABASE_URL": url, "DUDAO_VAR_DIR": str(var), "DUDAO_PORTAL_BASE_URL": BASE,
                       "DUDAO_PORTAL_SECRET": secrets.token_hex(32)})
    built = subprocess.run([sys.executable, str(REPO / "bench" / "portal_world.py"), "build", str(units),
                            str(background)], cwd=REPO, capture_output=True, text=True, check=True)
    return json.loads(built.stdout.strip().splitlines()[-1])


async def _cpu_ms(requests: list, expect: int) -> float:
    """CPU ms per request of `requests` (callables returning an awaitable), after a few to warm up."""
    for make in requests[:WARMUP]:
        assert (await make()).status_code == expect
    started = time.process_time()
    for make in requests[WARMUP:]:
        answer = await make()
        assert answer.status_code == expect, (answer.status_code, answer.text[:300])
    return (time.process_time() - started) * 1000 / (len(requests) - WARMUP)


def _client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE)


async def _measure(world: dict, n: int) -> dict:
    from bench.bare_app import app as bare_app
    from portal.app import create_app

    portal = create_app()
    links = [(link.removeprefix(BASE), item) for link, item in world["links"]]
    (link, item), figures = links[0], {}
    async with _client(bare_app) as bare:
        figures["bare endpoint"] = await _cpu_ms([lambda: bare.get("/ping")] * (n + WARMUP), 200)
    async with _client(portal) as unit:
        figures["sign-in link"] = await _cpu_ms([lambda: unit.get(link)] * (n + WARMUP), 303)
        figures["unit home"] = await _cpu_ms([lambda: unit.get("/unit")] * (n + WARMUP), 200)
        figures["item page"] = await _cpu_ms([lambda: unit.get(f"/unit/items/{item}")] * (n + WARMUP), 200)
    figures["report POST"] = await _posts(portal, links[1:])
    return figures


async def _posts(portal, links: list) -> float:
    """Each POST is another unit's first report on its item (a second would be refused, a cheaper path)."""
    ready = []
    for link, item in links:
        client = _client(portal)
        await client.get(link)
        token = CSRF.search((await client.get(f"/unit/items/{item}")).text).group(1)
        ready.append((client, item, token))
    try:
        return await _cpu_ms([lambda c=c, i=i, t=t: c.post(f"/unit/items/{i}/report", data={
            "csrf": t, "text": "已完善安全台账，每周由副校长复核。"}) for c, i, t in ready], 303)
    finally:
        for client, _, _ in ready:
            await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=300, help="requests measured a page")
    parser.add_argument("--background", type=int, default=2_000, help="open items besides the units' own")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dudao-portal-cpu-") as work:
        url = PG_URL if args.db == "postgresql" else f"sqlite:///{Path(work) / 'ledger.db'}"
        world = _world(url, Path(work), args.requests + WARMUP + 1, args.background)
        figures = asyncio.run(_measure(world, args.requests))
    bare = figures["bare endpoint"]
    print("| page | CPU ms a request | × bare |")
    print("| --- | ---: | ---: |")
    for page, ms in figures.items():
        print(f"| {page} | {ms:.2f} | {ms / bare:.1f} |")
    print(json.dumps({"benchmark": "portal_cpu", "db": args.db, "requests": args.requests,
                      "load_average": os.getloadavg(),
                      "cpu_ms": {page: round(ms, 3) for page, ms in figures.items()}}, ensure_ascii=False))


if __name__ == "__main__":
    main()
