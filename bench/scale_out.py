"""Issue 9, item 3: a generated province's months through the `simulate-month` deployment on a Prefect
server backed by PostgreSQL, once with ONE process worker and once with TWO, the ledger on PostgreSQL;
beside it the same months in one process without Prefect (baseline, on PostgreSQL too).

Every run starts from a copy of one seeded ledger (CREATE DATABASE … TEMPLATE) and writes its documents to
a DUDAO_VAR_DIR of its own; all months are submitted at once, as tests/test_scale_out.py does, and each month
waits (its first task retries every 2 s) until the month before is simulated. Wall time runs from the
submission to the last flow run's end, as the server recorded it; the workers are online before it starts.
Domain time is the `simulate-days` and `deliver-notices` task runs (start to end, as recorded); what is
outside every domain task run — worker pick-up, the flow run's process start and imports, the task engine,
waiting for the month before — is the share of orchestration. The ledgers must end equal row by row.

    .venv/bin/python bench/scale_out.py [--units 300] [--months 4] [--no-baseline]

Databases dudao_bench_scale_<pid>_* on 127.0.0.1:5432, dropped afterwards. Prints a table, then one JSON
object as the last line.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import prefect_pool as pool  # noqa: E402
from tests.ui_stack import runs_by_worker, submit_months  # noqa: E402

YEAR, SEED = 2026, 2026


def last_day(months: int) -> date:
    return date(YEAR + months // 12, months % 12 + 1, 1) - timedelta(days=1)


def ledger_state(url: str, var: Path) -> dict:
    """The year's summary, every row (wall-clock columns aside) and the documents written."""
    from sqlmodel import Session

    from core.db import engine_for
    from tasks.operator.summary import year_summary
    from tests.ledger_compare import ledger_rows

    with Session(engine_for(url)) as session:
        summary = year_summary(session, YEAR)
    engine_for(url).dispose()
    files = sorted(str(p.relative_to(var)) for p in (var / "out").rglob("*")) if (var / "out").exists() else []
    return {"summary": summary, "rows": ledger_rows(url), "files": files}


def bare_child(url: str, until: str) -> None:
    """In a fresh process: the months' task bodies without Prefect (bench/year_run.py's baseline)."""
    import resource

    import year_run  # bench/ is this script's folder

    year_run._instrument()
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    year_run._bare(YEAR, SEED, date.fromisoformat(until))
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"wall_s": round(wall, 2), "cpu_s": round(after.ru_utime + after.ru_stime - cpu.ru_utime
                                                                  - cpu.ru_stime, 2),
                      "domain_s": round(year_run.TIMERS.get("task_bodies", 0.0), 2), "url": url}))


def run_bare(url: str, var: Path, until: date) -> dict:
    env = {**os.environ, "DUDAO_DATABASE_URL": url, "DUDAO_VAR_DIR": str(var), "PREFECT_HOME": str(var / "prefect")}
    env.pop("PREFECT_API_URL", None)
    load = os.getloadavg()[0]
    done = subprocess.run([sys.executable, __file__, "--bare-child", url, until.isoformat()], env=env,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"baseline run failed:\n{done.stderr[-3000:]}")
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "load_before": load,
            "load_after": os.getloadavg()[0]}


def run_workers(count: int, server_env: dict, url: str, var: Path, logs: Path, months: int, timeout: float) -> dict:
    """The months on `count` process workers; the server's timeline of the run."""
    from tests.ui_stack import child_env

    env = child_env(server_env, url, var)
    api_url = env["PREFECT_API_URL"]
    workers = pool.start_workers(count, env, logs, tag=f"w{count}")
    load = os.getloadavg()[0]
    try:
        submitted = time.time()
        run_ids = submit_months(api_url, months, SEED)
        pool.wait_all_finished(api_url, run_ids, timeout)
    finally:
        pool.stop_all(workers)
    figures = pool.timeline(api_url, run_ids, submitted)
    if figures["states"] != ["COMPLETED"] * months:
        raise SystemExit(f"{count} worker(s): runs ended {figures['states']}; logs in {logs}")
    ran_on = runs_by_worker({f"w{count}-{n}": logs / f"w{count}-{n}.log" for n in range(1, count + 1)})
    return {**figures, "workers": count, "runs_per_worker": {name: len(ids & set(run_ids))
                                                             for name, ids in ran_on.items()},
            "load_before": load, "load_after": os.getloadavg()[0]}


def compare(states: dict[str, dict]) -> dict:
    from tests.ledger_compare import differences

    reference_name, reference = next(iter(states.items()))
    result = {}
    for name, state in list(states.items())[1:]:
        diff = differences(reference["rows"], state["rows"])
        result[f"{name}_vs_{reference_name}"] = {"same_summary": state["summary"] == reference["summary"],
                                                 "same_rows": not diff, "same_files": state["files"] == reference["files"],
                                                 "differences": diff[:5]}
    return result


def print_table(args, seed_s: float, server_s: float, bare: dict | None, runs: dict[int, dict]) -> None:
    print(f"province of {args.units} schools, {args.months} month(s) to {last_day(args.months)}; "
          f"seeding {seed_s:.1f} s, server start {server_s:.1f} s (both apart)")
    print(f"{'run':<22}{'wall s':>9}{'domain Σ s':>12}{'domain ∪ s':>12}{'overlap s':>11}{'outside domain':>16}"
          f"{'load':>12}")
    if bare:
        print(f"{'one process, bare':<22}{bare['wall_s']:>9}{bare['domain_s']:>12}{bare['domain_s']:>12}{0:>11}"
              f"{bare['wall_s'] - bare['domain_s']:>9.2f} s    {bare['load_before']:>5.2f}-{bare['load_after']:.2f}")
    for count, run in runs.items():
        print(f"{f'{count} worker(s)':<22}{run['makespan_s']:>9}{run['domain_sum_s']:>12}{run['domain_union_s']:>12}"
              f"{run['overlap_s']:>11}{run['outside_domain_s']:>7.2f} = {run['outside_domain_share']:>5.1%}"
              f" {run['load_before']:>5.2f}-{run['load_after']:.2f}")
    print("per month (seconds from the submission / durations): claimed by a worker, process start (spawn,"
          " imports, engine), flow run = waiting for the month before + domain + engine, ended")
    for count, run in runs.items():
        for m in run["months"]:
            print(f"  {count} worker(s) month {m['month']}: claimed {m['claimed_s']:>6}  start {m['process_start_s']:>6}"
                  f"  flow run {m['flow_run_s']:>6} = wait {m['await_previous_s']:>6} + domain {m['domain_s']:>6}"
                  f" + engine {m['engine_s']:>5}  ended {m['ended_s']:>6}")
        print(f"  {count} worker(s): runs per worker {run['runs_per_worker']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=300, help="schools in the generated province (default 300)")
    parser.add_argument("--months", type=int, default=4, help="months from January (default 4)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the one-process run without Prefect")
    parser.add_argument("--timeout", type=float, default=900, help="seconds a run of months may take")
    parser.add_argument("--bare-child", nargs=2, metavar=("URL", "UNTIL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_child:
        return bare_child(*args.bare_child)
    if not 1 <= args.months <= 12 or args.units < 1:
        raise SystemExit(f"--months must be 1 to 12 (got {args.months}) and --units at least 1 (got {args.units})")
    tag = f"dudao_bench_scale_{os.getpid()}"
    names = {k: f"{tag}_{k}" for k in ("seed", "prefect", "w1", "w2", "bare")}
    work = Path(tempfile.mkdtemp(prefix="dudao-bench-scale-"))
    try:
        print(json.dumps(measure(args, names, work), ensure_ascii=False))
    finally:
        for name in names.values():
            pool.drop_database(name)
        shutil.rmtree(work, ignore_errors=True)


def measure(args, names: dict[str, str], work: Path) -> dict:
    from deployments.local_server import running_server, server_env

    started = time.perf_counter()
    counts = pool.seed_province(pool.create_database(names["seed"]), args.units)
    seed_s = time.perf_counter() - started
    urls = {k: pool.create_database(names[k], template=names["seed"]) for k in ("w1", "w2", "bare")}
    bare = None if args.no_baseline else run_bare(urls["bare"], work / "var-bare", last_day(args.months))
    prefect_url = pool.create_database(names["prefect"]).replace("+psycopg", "+asyncpg")
    extra = {"PREFECT_API_DATABASE_CONNECTION_URL": prefect_url,
             "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false"}  # only the runs submitted here
    logs = work / "logs"
    logs.mkdir()
    started = time.perf_counter()
    with running_server(work / "prefect", log=logs / "server.log", extra_env=extra) as server:
        server_s = time.perf_counter() - started
        env = server_env(work / "prefect", server.api_url, extra)
        pool.deploy(env)
        runs = {}
        for count in (1, 2):
            runs[count] = run_workers(count, env, urls[f"w{count}"], work / f"var-w{count}", logs, args.months,
                                      args.timeout)
            pool.settle()
    states = {f"w{n}": ledger_state(urls[f"w{n}"], work / f"var-w{n}") for n in (1, 2)}
    if bare:
        states["bare"] = ledger_state(urls["bare"], work / "var-bare")
    equal = compare(states)
    print_table(args, seed_s, server_s, bare, runs)
    speed_up = runs[1]["makespan_s"] / runs[2]["makespan_s"]
    print(f"speed-up 1 worker / 2 workers = {speed_up:.2f}"
          + (f"; 1 worker / bare = {runs[1]['makespan_s'] / bare['wall_s']:.2f}" if bare else ""))
    for pair, verdict in equal.items():
        print(f"{pair}: same summary {verdict['same_summary']}, same rows {verdict['same_rows']}, "
              f"same documents {verdict['same_files']}" + (f" {verdict['differences']}" if verdict["differences"] else ""))
    return {"units": args.units, "months": args.months, "until": last_day(args.months).isoformat(), "seeded": counts,
            "seed_s": round(seed_s, 2), "server_start_s": round(server_s, 2), "bare": bare,
            "one_worker": runs[1], "two_workers": runs[2], "speed_up": round(speed_up, 3),
            "one_worker_over_bare": round(runs[1]["makespan_s"] / bare["wall_s"], 3) if bare else None,
            "ledgers_equal": all(v["same_summary"] and v["same_rows"] and v["same_files"] for v in equal.values()),
            "comparisons": equal, "summary": states["w1"]["summary"], "cores": os.cpu_count()}


if __name__ == "__main__":
    main()
