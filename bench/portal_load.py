"""Benchmark: N units (300) sign in with their links and submit a rectification report, while the daily sweep
runs, against the portal served by uvicorn in a subprocess (`dudao portal serve --workers W`), on SQLite and on
PostgreSQL; beside it, in the same run, a bare FastAPI endpoint under the same clients and workers (the
baseline). p50/p95 per page, errors (goal 0, no "database is locked", no "too many clients"), and the ratio to
the baseline.

Each unit's client: its link (303 to /unit), /unit, its item's page, the report POSTed with the page's CSRF
token. Two modes: `burst`, every unit at the same instant and each page right after the last (the worst
moment); `people`, each unit arriving at a random moment within the first think time and then reading each
page a random THINK seconds (uniform between the two numbers) before the next, as people do. The office
meanwhile signs in and opens its dashboard a few times. Each mode has a ledger and a sweep of its own;
afterwards the ledger must hold one report per unit and the sweep must have finished.

    .venv/bin/python bench/portal_load.py                 # 300 units, 10 000 background items, both backends, burst
    .venv/bin/python bench/portal_load.py --quick         # 100 units, 2 000 background items, both backends
    .venv/bin/python bench/portal_load.py --db postgresql --mode both --think 1 5 --workers 2

The last line printed is one JSON object with every figure.
"""

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from bench.ladder_data import fresh_database  # noqa: E402
from bench.portal_world import OFFICE_PASSWORD, OFFICE_USER  # noqa: E402
from deployments.local_server import free_port, stop, wait_answering  # noqa: E402
from portal.serving import KEEP_ALIVE_SECONDS  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/dudao_bench_portal"
BIN = REPO / ".venv" / "bin"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
PAGES = ("sign-in link", "unit home", "item page", "report POST", "office dashboard")


class Timings:
    def __init__(self) -> None:
        self.ms: dict[str, list[float]] = {}
        self.errors: list[str] = []

    async def call(self, page: str, request, expect: int) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            answer = await request
        except httpx.HTTPError as failed:
            self.errors.append(f"{page}: {type(failed).__name__}")
            return None
        self.ms.setdefault(page, []).append((time.perf_counter() - started) * 1000)
        if answer.status_code != expect:
            self.errors.append(f"{page}: HTTP {answer.status_code}")
        return answer

    def summary(self) -> dict:
        return {page: {"n": len(v), "p50_ms": round(statistics.median(v), 1),
                       "p95_ms": round(statistics.quantiles(v, n=20)[18] if len(v) > 1 else v[0], 1)}
                for page, v in self.ms.items()}


def _client(base: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=base, timeout=120, limits=httpx.Limits(max_connections=1))


class Pace:
    """How long a unit waits before each page: nothing in a burst, a random think time for people."""

    def __init__(self, think: tuple[float, float] | None, seed: int) -> None:
        self.think, self.random = think, random.Random(seed)

    async def wait(self) -> None:
        if self.think is not None:
            await asyncio.sleep(self.random.uniform(*self.think))


async def _unit(base: str, link: str, item_id: int, timings: Timings, go: asyncio.Event, pace: Pace) -> None:
    async with _client(base) as client:
        await go.wait()
        await pace.wait()
        if await timings.call("sign-in link", client.get(link.removeprefix(base)), 303) is None:
            return
        await pace.wait()
        await timings.call("unit home", client.get("/unit"), 200)
        await pace.wait()
        page = await timings.call("item page", client.get(f"/unit/items/{item_id}"), 200)
        token = CSRF.search(page.text).group(1) if page is not None and CSRF.search(page.text) else ""
        await pace.wait()
        await timings.call("report POST", client.post(f"/unit/items/{item_id}/report", data={
            "csrf": token, "text": "已完善安全台账，每周由副校长复核。"}), 303)


async def _office(base: str, timings: Timings, go: asyncio.Event, visits: int) -> None:
    async with _client(base) as client:
        token = CSRF.search((await client.get("/office/signin")).text).group(1)
        await go.wait()
        await client.post("/office/signin", data={"csrf": token, "username": OFFICE_USER, "password": OFFICE_PASSWORD})
        for _ in range(visits):
            await timings.call("office dashboard", client.get("/office/dashboard"), 200)


async def _bare(base: str, clients: int, requests: int, think: tuple[float, float] | None) -> dict:
    timings, go = Timings(), asyncio.Event()

    async def one(pace: Pace) -> None:
        async with _client(base) as client:
            await go.wait()
            for _ in range(requests):
                await pace.wait()
                await timings.call("bare endpoint", client.get("/ping"), 200)

    tasks = [asyncio.create_task(one(Pace(think, n))) for n in range(clients)]
    await asyncio.sleep(0.2)
    go.set()
    await asyncio.gather(*tasks)
    return {**timings.summary()["bare endpoint"], "errors": len(timings.errors)}


async def _portal(base: str, links: list, office_visits: int, sweep: subprocess.Popen,
                  think: tuple[float, float] | None) -> tuple[Timings, float]:
    timings, go = Timings(), asyncio.Event()
    tasks = [asyncio.create_task(_unit(base, link, item, timings, go, Pace(think, n)))
             for n, (link, item) in enumerate(links)]
    tasks.append(asyncio.create_task(_office(base, timings, go, office_visits)))
    await asyncio.sleep(0.5)
    started = time.perf_counter()
    sweep.stdin.write(b"go\n")
    sweep.stdin.flush()
    go.set()
    await asyncio.gather(*tasks)
    return timings, time.perf_counter() - started


def _serve(command: list[str], env: dict, log: Path, url: str) -> subprocess.Popen:
    with open(log, "ab") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                   cwd=REPO)
    wait_answering(url, process, 60, " ".join(command[:3]))
    return process


def _count_reports(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM submission")).scalar_one()
    engine.dispose()
    return count


def _start(db: str, work: Path, units: int, background: int) -> tuple[dict, dict, str]:
    var = work / db
    var.mkdir(parents=True)
    url = PG_URL if db == "postgresql" else f"sqlite:///{var / 'ledger.db'}"
    fresh_database(url)
    base = f"http://127.0.0.1:{free_port()}"
    env = {**os.environ, "DUDAO_DATABASE_URL": url, "DUDAO_VAR_DIR": str(var), "DUDAO_PORTAL_BASE_URL": base,
           "DUDAO_PORTAL_SECRET": secrets.token_hex(32)}
    built = subprocess.run([sys.executable, str(REPO / "bench" / "portal_world.py"), "build", str(units),
                            str(background)], env=env, cwd=REPO, capture_output=True, text=True, check=True)
    return env, json.loads(built.stdout.strip().splitlines()[-1]), base


def _servers(env: dict, base: str, bare_base: str, workers: int) -> list[subprocess.Popen]:
    """The portal and the bare endpoint, each with `workers` processes, both answering every worker."""
    var = Path(env["DUDAO_VAR_DIR"])
    servers = [_serve([str(BIN / "dudao"), "portal", "serve", "--port", base.rsplit(":", 1)[1], "--workers",
                       str(workers)], env, var / "portal.log", f"{base}/"),
               _serve([str(BIN / "uvicorn"), "bench.bare_app:app", "--port", bare_base.rsplit(":", 1)[1],
                       "--workers", str(workers), "--log-level", "warning", "--timeout-keep-alive",
                       str(KEEP_ALIVE_SECONDS)], env, var / "bare.log",
                      f"{bare_base}/ping")]
    time.sleep(3 * workers)  # the workers after the first are still importing when it answers
    return servers


def run_backend(db: str, mode: str, work: Path, args: argparse.Namespace) -> dict:
    units, think = args.units, tuple(args.think) if mode == "people" else None
    env, world, base = _start(db, work / mode, units, args.background)
    var = Path(env["DUDAO_VAR_DIR"])
    bare_base = f"http://127.0.0.1:{free_port()}"
    servers = _servers(env, base, bare_base, args.workers)
    sweep_log = open(var / "sweep.log", "wb")  # noqa: SIM115 - closed below
    sweep = subprocess.Popen([sys.executable, str(REPO / "bench" / "portal_world.py"), "sweep"], env=env, cwd=REPO,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=sweep_log)
    try:
        bare = asyncio.run(_bare(bare_base, units, 4, think))
        assert sweep.stdout.readline().strip() == b"ready"
        timings, wall = asyncio.run(_portal(base, world["links"], args.office_visits, sweep, think))
        swept = json.loads(sweep.communicate(timeout=600)[0].decode().strip().splitlines()[-1])
    finally:
        for server in servers:
            stop(server)
        sweep_log.close()
    logs = "".join((var / name).read_text(errors="replace") for name in ("portal.log", "sweep.log"))
    return {"db": db, "mode": mode, "think_s": think, "workers": args.workers, "units": units,
            "background_items": args.background, "due_on_sweep_day": world["due"],
            "pages": timings.summary(), "bare": bare, "errors": len(timings.errors),
            "error_kinds": sorted(set(timings.errors))[:10], "database_is_locked": logs.count("database is locked"),
            "too_many_clients": logs.count("too many clients"),
            "server_tracebacks": logs.count("Traceback"), "reports_in_ledger": _count_reports(env["DUDAO_DATABASE_URL"]),
            "load_seconds": round(wall, 2), "sweep_seconds": swept["seconds"], "sweep_moved": sum(swept["moved"].values())}


def _table(results: list[dict]) -> None:
    print("| backend | mode | page | requests | p50 ms | p95 ms | p50 / bare | p95 / bare |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        bare, at = r["bare"], f"| {r['db']} | {r['mode']} |"
        print(f"{at} bare FastAPI endpoint | {bare['n']} | {bare['p50_ms']} | {bare['p95_ms']} | 1 | 1 |")
        for page in PAGES:
            if page in r["pages"]:
                p = r["pages"][page]
                print(f"{at} {page} | {p['n']} | {p['p50_ms']} | {p['p95_ms']} | "
                      f"{p['p50_ms'] / bare['p50_ms']:.1f} | {p['p95_ms'] / bare['p95_ms']:.1f} |")
    for r in results:
        print(f"{r['db']} {r['mode']} ({r['workers']} workers): {r['units']} units in {r['load_seconds']} s beside "
              f"the sweep ({r['sweep_seconds']} s, {r['sweep_moved']} moved, {r['due_on_sweep_day']} due); errors "
              f"{r['errors']} {r['error_kinds']}; 'database is locked' {r['database_is_locked']}; 'too many "
              f"clients' {r['too_many_clients']}; reports in the ledger {r['reports_in_ledger']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--background", type=int, default=10_000, help="open items besides the units' own")
    parser.add_argument("--office-visits", type=int, default=5, help="dashboard requests by the office")
    parser.add_argument("--mode", choices=["burst", "people", "both"], default="burst",
                        help="burst: every unit at once, no pause; people: a think time before each page")
    parser.add_argument("--think", type=float, nargs=2, default=[1.0, 5.0], metavar=("MIN", "MAX"),
                        help="people mode: seconds a unit reads a page before the next (uniform)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="uvicorn workers of each server")
    parser.add_argument("--quick", action="store_true", help="100 units, 2 000 background items")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR and keep it (the servers' logs)")
    args = parser.parse_args()
    if args.quick:
        args.units, args.background = 100, 2_000
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    modes = ["burst", "people"] if args.mode == "both" else [args.mode]
    with tempfile.TemporaryDirectory(prefix="dudao-portal-load-") as work:
        work = args.keep or work
        results = [run_backend(db, mode, Path(work), args) for db in dbs for mode in modes]
    _table(results)
    print(json.dumps({"benchmark": "portal_load", "cpus": os.cpu_count(), "load_average": os.getloadavg(),
                      "results": results}, ensure_ascii=False))


if __name__ == "__main__":
    main()
