"""Helpers of the slow operator tests: a ledger of their own that lives as long as a test module, the
environment every child process shares, waiting for flow runs through the Prefect API, headless Chromium."""

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parent.parent
OUTPUT = REPO / "test-output"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
_RUN_URL = re.compile(r"- View at \S*/runs/flow-run/([0-9a-f-]{36})")


def module_ledger(tmp: Path) -> str:
    """A migrated, seeded ledger: the suite's PostgreSQL database (emptied) or a SQLite file in `tmp`."""
    from sqlmodel import Session

    from core.db import engine_for, migrate
    from tasks.exchange.district_file import load_district, read_district_file
    from tests.conftest import ON_POSTGRES, SERVER_URL, _truncate_all

    url = SERVER_URL if ON_POSTGRES else f"sqlite:///{tmp / 'ledger.db'}"
    migrate(url)
    if ON_POSTGRES:
        _truncate_all(url)
    with Session(engine_for(url)) as session:
        load_district(session, read_district_file(REPO / "data" / "nanan.toml"))
        session.commit()
    return url


def child_env(server_env: dict, ledger_url: str, var_dir: Path, **extra: str) -> dict:
    return {**server_env, "DUDAO_DATABASE_URL": ledger_url, "DUDAO_VAR_DIR": str(var_dir),
            "PREFECT_LOGGING_LEVEL": "INFO", "PREFECT_RUNNER_POLL_FREQUENCY": "1",
            "PREFECT_WORKER_QUERY_SECONDS": "1", "PREFECT_WORKER_PREFETCH_SECONDS": "1", **extra}


def dudao(*args: str, env: dict, timeout: float = 240) -> subprocess.CompletedProcess:
    result = subprocess.run([str(Path(sys.executable).parent / "dudao"), *args], env=env, cwd=REPO,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"dudao {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def spawn(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    """A long-running child (serve, worker) in its own process group, output to `log`. Ctrl-C (SIGINT) stops it
    as at a terminal, however the suite was started: a shell starting pytest in the background (`pytest &`)
    ignores SIGINT for it, every child inherits that, and Python then installs no KeyboardInterrupt handler, so
    a test's Ctrl-C went unheard (seen: `dudao serve` still polling nine minutes later)."""
    out = open(log, "ab")  # noqa: SIM115 - the child keeps it; closed when the test ends
    return subprocess.Popen(args, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                            preexec_fn=_hear_sigint)


def _hear_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def api(api_url: str, path: str, body: dict | None = None) -> list | dict:
    """POST to the Prefect API; a server on SQLite answers 503 while it is busy writing: ask again."""
    for delay in (0.5, 1, 2, 4, 8, 0):
        response = httpx.post(f"{api_url}{path}", json=body or {}, timeout=30)
        if response.status_code != 503 or not delay:
            break
        time.sleep(delay)
    response.raise_for_status()
    return response.json()


def shown(page, text: str, log: Path, timeout: float = 60_000) -> None:
    """Wait until `text` is visible on `page` (a form's answer: a minute, as a write can wait on a disk the other
    backend's session keeps busy); when it is not, fail naming what the page shows instead and the end of the
    server's log (a refusal, an error page, a traceback), not only "timeout"."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.get_by_text(text).wait_for(timeout=timeout)
    except PlaywrightTimeout:
        body = page.locator("body").inner_text(timeout=5_000)[:3000]
        tail = log.read_text(errors="replace")[-4000:] if log.exists() else "(no log)"
        raise AssertionError(f"{text!r} not shown at {page.url}; the page says:\n{body}\n"
                             f"--- end of {log}:\n{tail}") from None


def wait_for(predicate, timeout: float, what: str, every: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def deployment_id(api_url: str, name: str, timeout: float = 90) -> str:
    def find():
        found = api(api_url, "/deployments/filter", {"deployments": {"name": {"any_": [name]}}})
        return found[0]["id"] if found else None

    return wait_for(find, timeout, f"deployment {name}")


def flow_runs(api_url: str, **flow_run_filter) -> list[dict]:
    return api(api_url, "/flow_runs/filter", {"flow_runs": flow_run_filter, "sort": "EXPECTED_START_TIME_ASC"})


def wait_finished(api_url: str, run_id: str, timeout: float = 120) -> dict:
    def finished():
        run = httpx.get(f"{api_url}/flow_runs/{run_id}", timeout=30).json()
        return run if run["state_type"] in TERMINAL else None

    return wait_for(finished, timeout, f"flow run {run_id}")


def ledger_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        counts = {table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                  for table in ("inspection", "notice", "document", "auditevent", "finding")}
    engine.dispose()
    return counts




def pg_admin(sql: str) -> None:
    """One statement on the PostgreSQL server's `postgres` database, outside a transaction (CREATE DATABASE)."""
    engine = create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


def prefect_cli(*args: str, env: dict, timeout: float = 300) -> None:
    """The `prefect` command in the repository, as an operator runs it; fails with its output."""
    done = subprocess.run([str(REPO / ".venv/bin/prefect"), *args], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)
    assert done.returncode == 0, f"prefect {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def submit_months(api_url: str, months: int, seed: int, year: int = 2026) -> list[str]:
    """Every month of the simulate-month deployment at once: each run waits for the month before it itself."""
    deployment = deployment_id(api_url, "simulate-month")
    return [api(api_url, f"/deployments/{deployment}/create_flow_run",
                {"parameters": {"year": year, "month": month, "seed": seed}})["id"]
            for month in range(1, months + 1)]


def runs_by_worker(logs: dict[str, Path]) -> dict[str, set[str]]:
    """The runs each worker executed: a flow run's own process prints its URL into its worker's output
    (a worker's "submitting" line is no proof: two workers may race for one run and one is refused)."""
    return {name: set(_RUN_URL.findall(path.read_text(errors="replace"))) for name, path in logs.items()}
