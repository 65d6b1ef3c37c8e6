"""Helpers of the slow operator tests: a ledger of their own that lives as long as a test module, the
environment every child process shares, waiting for flow runs through the Prefect API, headless Chromium."""

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


def module_ledger(tmp: Path) -> str:
    """A migrated, seeded ledger: the suite's PostgreSQL database (emptied) or a SQLite file in `tmp`."""
    from sqlmodel import Session

    from dudao.db import engine_for, migrate
    from dudao.district_file import load_district, read_district_file
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
    """A long-running child (serve, worker) in its own process group, output to `log`."""
    out = open(log, "ab")  # noqa: SIM115 - the child keeps it; closed when the test ends
    return subprocess.Popen(args, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def api(api_url: str, path: str, body: dict | None = None) -> list | dict:
    """POST to the Prefect API; a server on SQLite answers 503 while it is busy writing: ask again."""
    for delay in (0.5, 1, 2, 4, 8, 0):
        response = httpx.post(f"{api_url}{path}", json=body or {}, timeout=30)
        if response.status_code != 503 or not delay:
            break
        time.sleep(delay)
    response.raise_for_status()
    return response.json()


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


