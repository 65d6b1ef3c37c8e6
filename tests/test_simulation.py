"""A simulated year through the real flows: the cycle runs end to end, re-runs add nothing, a killed run
resumes to the same result."""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from sqlmodel import func, select

from dudao.db import session_scope
from models import AuditEvent, Notice
from tasks.summary import year_summary
from tests.conftest import REPO, run_cli


def _summary(year=2026):
    with session_scope() as session:
        return year_summary(session, year)


def test_a_simulated_year_walks_every_stage(seeded, prefect_harness):
    from flows.simulate_year import simulate_year

    summary = simulate_year(2026, seed=7)
    assert sum(summary["inspections"].values()) == 103  # every department, town and school
    assert summary["inspections"].get("closed", 0) > 0
    assert summary["rectification"].get("closed", 0) > 0
    assert summary["overdue_items"] > 0
    assert summary["ladder"].get("urge", 0) > 0
    assert summary["notices"]["notice"] >= 100
    assert summary["notices_by_status"] == {"sent": sum(summary["notices"].values())}
    out = seeded.out_dir / "2026"
    assert len(list(out.glob("*/*report.html"))) == summary["documents"]["report"]
    assert len(list((seeded.outbox_dir / "new").iterdir())) == sum(summary["notices"].values())


def test_sweeping_a_day_again_adds_nothing(seeded, prefect_harness):
    from flows.daily_sweep import daily_sweep
    from flows.simulate_year import simulate_year

    simulate_year(2026, seed=3, until=date(2026, 5, 20))
    before = _counts()
    daily_sweep(date(2026, 5, 20))
    simulate_year(2026, seed=3, until=date(2026, 5, 20))
    assert _counts() == before


def _counts():
    with session_scope() as session:
        return (session.exec(select(func.count()).select_from(Notice)).one(),
                session.exec(select(func.count()).select_from(AuditEvent)).one())


def _env(settings, var: Path, url: str, api_url: str) -> dict:
    return {"DUDAO_VAR_DIR": str(var), "DUDAO_DATABASE_URL": url, "PREFECT_API_URL": api_url}


def test_a_killed_simulation_resumes_to_the_same_year(seeded, prefect_harness, tmp_path):
    """kill -9 in the middle of the year, start again: the same final counts as an uninterrupted run."""
    env = _env(seeded, seeded.var_dir, seeded.ledger_url, prefect_harness)
    proc = subprocess.Popen([str(Path(sys.executable).parent / "dudao"), "simulate", "--year", "2026", "--seed", "11"],
                            env={**os.environ, **env}, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_until_past(date(2026, 3, 1), proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert run_cli("simulate", "--year", "2026", "--seed", "11", env=env).returncode == 0
    resumed = json.loads(run_cli("summary", "--year", "2026", "--json", env=env).stdout)

    other = tmp_path / "uninterrupted"
    other.mkdir()
    clean_url = _fresh_ledger(seeded, other)
    env2 = _env(seeded, other / "var", clean_url, prefect_harness)
    assert run_cli("seed", env=env2).returncode == 0
    assert run_cli("simulate", "--year", "2026", "--seed", "11", env=env2).returncode == 0
    uninterrupted = json.loads(run_cli("summary", "--year", "2026", "--json", env=env2).stdout)
    assert resumed == uninterrupted


def _wait_until_past(day: date, proc, limit: float = 120) -> None:
    from models import SimulationRun

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        with session_scope() as session:
            run = session.get(SimulationRun, 2026)
            if run is not None and run.last_day is not None and run.last_day >= day:
                return
        time.sleep(0.2)
    raise AssertionError(f"the simulation did not reach {day}")


def _fresh_ledger(seeded, folder: Path) -> str:
    """A second ledger beside the test's own: another SQLite file, or another PostgreSQL schema-less DB."""
    from dudao.db import migrate

    if seeded.ledger_url.startswith("sqlite"):
        url = f"sqlite:///{folder / 'ledger.db'}"
    else:
        url = _postgres_database(seeded.ledger_url, "dudao_uninterrupted")
    migrate(url)
    return url


def _postgres_database(url: str, name: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return url.rsplit("/", 1)[0] + f"/{name}"


def test_a_simulated_year_shows_its_progress_and_its_summary_as_artifacts(seeded, prefect_harness):
    """What an operator watching the long run sees in the UI: progress up to 100 %, then the summary table,
    also for a resumed run that finds nothing left to do."""
    import asyncio

    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    from flows.simulate_year import simulate_year

    async def latest(key: str):
        async with get_client() as client:
            [found] = await client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
                                                  sort=ArtifactSort.CREATED_DESC, limit=1)
            return found

    for _ in range(2):  # the second run resumes with nothing left to simulate
        state = simulate_year(2026, seed=3, until=date(2026, 2, 10), return_state=True)
        progress = asyncio.run(latest("simulate-2026"))
        assert progress.type == "progress" and float(progress.data) == 100.0
        assert progress.flow_run_id == state.state_details.flow_run_id
    summary = asyncio.run(latest("summary-2026"))
    rows = json.loads(summary.data) if isinstance(summary.data, str) else summary.data
    assert summary.description == "2026年度督导台账汇总"
    expected = [{"表": "inspections", "项": stage, "数量": n} for stage, n in _summary()["inspections"].items()]
    assert expected and all(row in rows for row in expected)
