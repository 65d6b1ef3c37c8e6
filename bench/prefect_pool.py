"""The pieces of bench/scale_out.py that talk to PostgreSQL and to a Prefect server: throwaway databases,
a seeded province ledger (cloned per run with CREATE DATABASE … TEMPLATE, so every run starts from the same
rows), the deployments of deployments/prefect.yaml on a process work pool, workers, and the timeline of the
flow and task runs as the server recorded it. Servers, workers and ledgers are started the way
tests/test_scale_out.py starts them (deployments/local_server.py, tests/ui_stack.py)."""

import subprocess
import time
from datetime import datetime
from pathlib import Path

import httpx

from bench.spans import union_seconds
from tests.ui_stack import PG, REPO, api, pg_admin, prefect_cli, spawn, wait_for

POOL = "dudao-pool"
DOMAIN_TASKS = ("simulate_days-", "deliver_notices-")  # task keys of the runs whose bodies are the domain work


def create_database(name: str, template: str | None = None) -> str:
    """A fresh database (a copy of `template` if given); its SQLAlchemy URL."""
    pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    pg_admin(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
    return f"{PG}/{name}"


def drop_database(name: str) -> None:
    pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def seed_province(url: str, units: int) -> dict:
    """Migrate the ledger and load the generated province (bench/province_data.py), as `dudao seed --file`."""
    from sqlmodel import Session

    from bench.province_data import province
    from core.db import engine_for, migrate
    from tasks.exchange.district_file import load_district

    migrate(url)
    try:
        with Session(engine_for(url)) as session:
            counts = load_district(session, province(units))
            session.commit()
    finally:
        engine_for(url).dispose()  # a template database must have no connections
    return counts


def deploy(env: dict) -> None:
    """The process work pool and every deployment of deployments/prefect.yaml, as an operator makes them."""
    prefect_cli("work-pool", "create", POOL, "--type", "process", env=env)
    prefect_cli("--no-prompt", "deploy", "--all", "--prefect-file", "deployments/prefect.yaml", env=env)


def start_workers(count: int, env: dict, logs: Path, tag: str) -> list[subprocess.Popen]:
    """`count` process workers of one flow run at a time each, and wait until the server lists them online
    (their start-up — imports, first poll — is not part of the timed run)."""
    names = [f"{tag}-{n}" for n in range(1, count + 1)]
    workers = [spawn([str(REPO / ".venv/bin/prefect"), "worker", "start", "--pool", POOL, "--name", name,
                      "--limit", "1", "--type", "process"], env, logs / f"{name}.log") for name in names]

    def online():
        listed = api(env["PREFECT_API_URL"], f"/work_pools/{POOL}/workers/filter")
        return {w["name"] for w in listed if w.get("status") == "ONLINE"} >= set(names)

    wait_for(online, 120, f"workers {names} online")
    return workers


def epoch(stamp: str | None) -> float | None:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() if stamp else None


def flow_run(api_url: str, run_id: str) -> dict:
    return httpx.get(f"{api_url}/flow_runs/{run_id}", timeout=30).json()


def task_runs(api_url: str, run_ids: list[str], expected: int, timeout: float = 60) -> list[dict]:
    """The task runs of the flow runs, once the server has recorded all of them finished (task run states
    reach it as events, a moment after the flow run ends)."""
    def recorded():
        found = api(api_url, "/task_runs/filter", {"flow_runs": {"id": {"any_": run_ids}}, "limit": 200})
        done = [t for t in found if t.get("end_time")]
        return done if len(done) >= expected else None

    return wait_for(recorded, timeout, f"{expected} finished task runs")


def state_times(api_url: str, run_id: str) -> dict[str, float]:
    """When the flow run first entered each state type (PENDING: a worker claimed it; RUNNING: its process
    started the flow)."""
    states = httpx.get(f"{api_url}/flow_run_states/", params={"flow_run_id": run_id}, timeout=30).json()
    first: dict[str, float] = {}
    for state in sorted(states, key=lambda s: s["timestamp"]):
        first.setdefault(state["type"], epoch(state["timestamp"]))
    return first


def _seconds(task: dict) -> float:
    return epoch(task["end_time"]) - epoch(task["start_time"])


def month_row(api_url: str, run: dict, tasks: list[dict], submitted: float) -> dict:
    """One month's flow run: claimed by a worker (from the submission), its process's start (PENDING to
    RUNNING: spawn, imports, the engine), the flow run, waiting for the month before, the domain task runs
    and what the engine spent around them."""
    times = state_times(api_url, run["id"])
    own = [t for t in tasks if t["flow_run_id"] == run["id"]]
    domain = sum(_seconds(t) for t in own if t["task_key"].startswith(DOMAIN_TASKS))
    waited = sum(_seconds(t) for t in own if t["task_key"].startswith("first_day_to_simulate-"))
    flow_s = epoch(run["end_time"]) - epoch(run["start_time"])
    return {"month": run["parameters"]["month"], "claimed_s": round(times["PENDING"] - submitted, 2),
            "process_start_s": round(times["RUNNING"] - times["PENDING"], 2), "flow_run_s": round(flow_s, 2),
            "await_previous_s": round(waited, 2), "domain_s": round(domain, 2),
            "engine_s": round(flow_s - waited - domain, 2), "ended_s": round(epoch(run["end_time"]) - submitted, 2)}


def timeline(api_url: str, run_ids: list[str], submitted: float) -> dict:
    """Where the wall time of a run of months went, from the server's records."""
    flows = [flow_run(api_url, run_id) for run_id in run_ids]
    tasks = task_runs(api_url, run_ids, expected=3 * len(run_ids))
    domain = [(epoch(t["start_time"]), epoch(t["end_time"])) for t in tasks if t["task_key"].startswith(DOMAIN_TASKS)]
    makespan = max(epoch(f["end_time"]) for f in flows) - submitted
    domain_sum = sum(end - start for start, end in domain)
    domain_union = union_seconds(domain)
    months = [month_row(api_url, run, tasks, submitted) for run in flows]
    return {
        "states": [f["state_type"] for f in flows],
        "makespan_s": round(makespan, 2),
        "domain_sum_s": round(domain_sum, 2),
        "domain_union_s": round(domain_union, 2),
        "overlap_s": round(domain_sum - domain_union, 2),
        "outside_domain_s": round(makespan - domain_union, 2),
        "outside_domain_share": round((makespan - domain_union) / makespan, 3),
        "process_start_sum_s": round(sum(m["process_start_s"] for m in months), 2),
        "engine_sum_s": round(sum(m["engine_s"] for m in months), 2),
        "months": months,
        "task_runs": len(tasks),
    }


def wait_all_finished(api_url: str, run_ids: list[str], timeout: float) -> list[dict]:
    terminal = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}

    def finished():
        runs = [flow_run(api_url, run_id) for run_id in run_ids]
        return runs if all(r["state_type"] in terminal for r in runs) else None

    return wait_for(finished, timeout, f"{len(run_ids)} flow runs", every=0.5)


def stop_all(processes: list[subprocess.Popen]) -> None:
    from deployments.local_server import stop

    for process in processes:
        stop(process)


def settle(seconds: float = 2.0) -> None:
    """A pause between runs so one run's stragglers (events, worker exits) do not land in the next."""
    time.sleep(seconds)
