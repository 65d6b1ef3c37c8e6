"""Scale-out: the deployments of deployments/prefect.yaml on a Prefect server backed by PostgreSQL, a process
work pool with two workers, the ledger on PostgreSQL. Three months of a simulated year, submitted at once,
run in order across both workers (each month waits for the one before), and the ledger afterwards equals
a single-process `dudao simulate` with the same seed (its ledger on SQLite, the embedded default)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from deployments.local_server import running_server, server_env, stop
from tests.ledger_compare import differences, ledger_rows
from tests.ui_stack import (
    OUTPUT,
    PG,
    REPO,
    child_env,
    flow_runs,
    pg_admin,
    prefect_cli,
    runs_by_worker,
    spawn,
    submit_months,
    wait_finished,
)

pytestmark = pytest.mark.slow
MONTHS = 3
SEED = 2026
LOGS = OUTPUT / "scale-out"


@pytest.fixture(scope="module")
def databases():
    """A database for the Prefect server and one for the ledger, dropped afterwards."""
    names = [f"dudao_scale_prefect_{os.getpid()}", f"dudao_scale_ledger_{os.getpid()}"]
    try:
        for name in names:
            pg_admin(f"DROP DATABASE IF EXISTS {name}")
            pg_admin(f"CREATE DATABASE {name}")
    except OperationalError as exc:
        pytest.skip(f"PostgreSQL does not answer on 127.0.0.1:5432 ({exc.orig})")
    yield {"prefect": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{names[0]}", "ledger": f"{PG}/{names[1]}"}
    for name in names:
        pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def seeded_ledger(url: str) -> None:
    from sqlmodel import Session

    from core.db import engine_for, migrate
    from tasks.exchange.district_file import load_district, read_district_file

    migrate(url)
    with Session(engine_for(url)) as session:
        load_district(session, read_district_file(REPO / "data" / "nanan.toml"))
        session.commit()
    engine_for(url).dispose()


def reference_run(tmp: Path, env: dict) -> tuple[subprocess.Popen, str]:
    """The single-process run: `dudao simulate` on a SQLite ledger, in the background."""
    url = f"sqlite:///{tmp / 'reference.db'}"
    seeded_ledger(url)
    env = {**env, "DUDAO_DATABASE_URL": url, "DUDAO_VAR_DIR": str(tmp / "var-reference")}
    until = f"2026-{MONTHS:02d}-{[31, 28, 31, 30, 31, 30][MONTHS - 1]}"
    process = subprocess.Popen([str(REPO / ".venv/bin/dudao"), "simulate", "--year", "2026", "--seed", str(SEED),
                                "--until", until], env=env, cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    return process, url


# Its ledger and its Prefect server are on PostgreSQL whatever the suite's backend: the suite's backend cannot
# matter, so it runs once (in the SQLite run), not twice the same.
def test_two_workers_share_a_year_and_the_ledger_equals_one_process_backend_independent(databases, tmp_path):
    shutil.rmtree(LOGS, ignore_errors=True)
    LOGS.mkdir(parents=True)
    seeded_ledger(databases["ledger"])
    extra = {"PREFECT_API_DATABASE_CONNECTION_URL": databases["prefect"],
             "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false"}  # only the runs this test submits
    with running_server(tmp_path / "prefect", log=LOGS / "server.log", extra_env=extra) as server:
        env = child_env(server_env(tmp_path / "prefect", server.api_url), databases["ledger"], tmp_path / "var")
        reference, reference_url = reference_run(tmp_path, env)
        prefect_cli("work-pool", "create", "dudao-pool", "--type", "process", env=env)
        prefect_cli("--no-prompt", "deploy", "--all", "--prefect-file", "deployments/prefect.yaml", env=env)
        logs = {name: LOGS / f"{name}.log" for name in ("worker-a", "worker-b")}
        workers = [spawn([str(REPO / ".venv/bin/prefect"), "worker", "start", "--pool", "dudao-pool", "--name", name,
                          "--limit", "1", "--type", "process"], env, log) for name, log in logs.items()]
        try:
            run_ids = submit_months(server.api_url, MONTHS, SEED)
            finished = [wait_finished(server.api_url, run_id, timeout=150) for run_id in run_ids]
        finally:
            for worker in workers:
                stop(worker)
            out, err = reference.communicate(timeout=240)
        names = {r["id"]: r["name"] for r in flow_runs(server.api_url)}
    assert [r["state_type"] for r in finished] == ["COMPLETED"] * MONTHS, [r["state"]["message"] for r in finished]
    assert [names[i] for i in run_ids] == [f"模拟2026年{m}月督导 · 南岸区" for m in range(1, MONTHS + 1)]
    by_worker = runs_by_worker(logs)
    assert all(by_worker.values()), f"runs landed on {by_worker}"
    assert sorted(set().union(*by_worker.values())) == sorted(run_ids) and not set.intersection(*by_worker.values())
    assert reference.returncode == 0, err[-3000:]
    assert differences(ledger_rows(databases["ledger"]), ledger_rows(reference_url)) == []
    documents = {p.relative_to(tmp_path / "var") for p in (tmp_path / "var" / "out").rglob("*")}
    assert documents == {p.relative_to(tmp_path / "var-reference") for p in (tmp_path / "var-reference" / "out").rglob("*")}
