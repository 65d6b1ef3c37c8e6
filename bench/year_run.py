"""One measured simulated year in this process, for bench/year_district.py and bench/year_province.py.

`python bench/year_run.py MODE DISTRICT` with MODE `prefect` (the `simulate-year` flow on an ephemeral
Prefect server started first and timed apart) or `bare` (the same task bodies, month by month, without
Prefect) and DISTRICT `sample` (data/nanan.toml) or `province:N` (bench/province_data.py, N schools).
A fresh SQLite ledger and Prefect home under a temporary DUDAO_VAR_DIR. Prints one JSON object.

Domain time is measured inside the tasks: the time during which at least one task body runs (`simulate-days`:
a transaction per day around `simulate_day`; `deliver-notices`: the outbox to Maildir, overlapping the next
month's simulation) or the year's summary; the rest of the flow's wall time is Prefect's own (engine, task
runs, artifacts, API calls).
"""

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TIMERS: dict[str, float] = {}
SPANS: list[tuple[float, float]] = []  # (start, end) of every domain body: a month's delivery overlaps the next


def _timed(name, fn, domain: bool = False):
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            end = time.perf_counter()
            TIMERS[name] = TIMERS.get(name, 0.0) + end - start
            if domain:
                SPANS.append((start, end))
    wrapper.__wrapped__ = fn
    return wrapper


def _environment() -> Path:
    var = Path(tempfile.mkdtemp(prefix="dudao-bench-year-"))
    os.environ["DUDAO_VAR_DIR"] = str(var)
    os.environ.pop("DUDAO_DATABASE_URL", None)
    os.environ["PREFECT_HOME"] = str(var / "prefect")
    os.environ.pop("PREFECT_API_URL", None)
    from core.prefect_env import configure_prefect

    configure_prefect()
    return var


def _seed(district: str) -> dict:
    from core.db import migrate, session_scope
    from core.settings import get_settings
    from tasks.exchange.district_file import load_district, read_district_file

    migrate()
    if district == "sample":
        data = read_district_file(get_settings().district_path)
    else:
        from bench.province_data import province

        data = province(int(district.split(":", 1)[1]))
    with session_scope() as session:
        return load_district(session, data)


def _instrument() -> None:
    import flows.simulate_year as sy
    import tasks.mail.delivery as delivery
    import tasks.simulation.days as simulation

    sy.simulate_day = _timed("simulate_day", simulation.simulate_day)
    sy.simulate_days.fn = _timed("task_bodies", sy.simulate_days.fn, domain=True)
    delivery.deliver_notices.fn = _timed("task_bodies", delivery.deliver_notices.fn, domain=True)
    delivery.deliver_pending_now = _timed("deliver", delivery.deliver_pending_now)
    sy.year_summary = _timed("summary", sy.year_summary, domain=True)


def _bare(year: int, seed: int, until) -> dict:
    """The flow's body without Prefect: the same task bodies, month by month, each month's delivery in a
    thread while the next month is simulated, as the flow does."""
    from concurrent.futures import ThreadPoolExecutor

    import flows.simulate_year as sy
    import tasks.mail.delivery as delivery
    from core.db import session_scope

    deliver = _timed("task_bodies", delivery.deliver_pending_now, domain=True)
    with ThreadPoolExecutor(1) as pool:
        pending = None
        for start, end in sy.month_chunks(sy.start_or_resume(year, seed), until or sy.date(year, 12, 31)):
            sy.simulate_days.fn(year, start, end)
            if pending is not None:
                pending.result()
            pending = pool.submit(deliver, end)
        if pending is not None:
            pending.result()
    sy.drain_pdfs()
    with session_scope() as session:
        return sy.year_summary(session, year)


def run(mode: str, district: str, until: str | None = None, year: int = 2026, seed: int = 2026) -> dict:
    """One year (or up to `until`, YYYY-MM-DD) in this process; the figures as a dict."""
    var = _environment()
    started = time.perf_counter()
    counts = _seed(district)
    seed_s = time.perf_counter() - started
    _instrument()
    server_s = 0.0
    if mode == "prefect":
        from prefect.server.api.server import SubprocessASGIServer

        started = time.perf_counter()
        SubprocessASGIServer().start(timeout=300)
        server_s = time.perf_counter() - started
    import flows.simulate_year as sy

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    from bench.tree_memory import TreePeak

    started = time.perf_counter()
    last = sy.date.fromisoformat(until) if until else None
    from tasks.documents.filing import close_pdf_workers

    with TreePeak() as tree_peak:  # this process and every child: the Prefect server, build workers, typesetting
        summary = sy.simulate_year(year, seed, last) if mode == "prefect" else _bare(year, seed, last)
        wall = time.perf_counter() - started
        close_pdf_workers()  # the PDF workers ended and waited for, so their CPU counts below (all PDFs are set)
    from bench.spans import union_seconds

    domain = union_seconds(SPANS)
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu_s = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime  # this process only, not the server
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)  # build and PDF workers, typesetting (ended, waited for)
    return {"mode": mode, "district": district, "until": until or f"{year}-12-31", "units": counts, "seed_s": round(seed_s, 2),
            "server_start_s": round(server_s, 2), "wall_s": round(wall, 2), "cpu_s": round(cpu_s, 2),
            "cpu_workers_s": round(workers.ru_utime + workers.ru_stime - children.ru_utime - children.ru_stime, 2),
            "domain_s": round(domain, 2),
            "simulate_day_s": round(TIMERS.get("simulate_day", 0.0), 2),
            "deliver_s": round(TIMERS.get("deliver", 0.0), 2),
            "orchestration_s": round(wall - domain, 2), "orchestration_share": round((wall - domain) / wall, 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "peak_tree_rss_mb": round(tree_peak.mb, 1), "peak_tree_parts": tree_peak.parts,
            "peak_tree_at_s": round(tree_peak.at, 1), "cpu_by_process": tree_peak.cpu_by_name(),
            "rss_before_run_mb": round(rss_before, 1), "var_dir": str(var),
            "summary": {k: summary[k] for k in ("inspections", "rectification", "ladder", "audit_events")
                        if k in summary},
            "documents": sum(summary.get("documents", {}).values())}


if __name__ == "__main__":
    print(json.dumps(run(*sys.argv[1:4]), ensure_ascii=False))
