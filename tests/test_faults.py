"""Faults: a sweep and a delivery batch killed with SIGKILL half-way, two sweeps of one day at once, and (on
PostgreSQL) the database connections cut during a sweep. After the next run the ledger equals an
uninterrupted run's, no notice is in the Maildir twice and the audit chain holds. (The simulated year killed
half-way is tests/test_simulation.py::test_a_killed_simulation_resumes_to_the_same_year.)"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from email import message_from_binary_file, policy
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session

from models.audit_chain import verify
from tests.conftest import ON_POSTGRES, REPO, commands_prefect, run_cli
from tests.figures import tally
from tests.test_simulation import _fresh_ledger

BUSY_DAY = "2026-05-15"  # every annual inspection announced by mid-May: ~80 notices in one sweep
DUDAO = str(Path(sys.executable).parent / "dudao")
_REFERENCE: dict[str, dict] = {}


def _env(settings, api_url: str | None = None) -> dict:
    env = {"DUDAO_DATABASE_URL": settings.ledger_url, "DUDAO_VAR_DIR": str(settings.var_dir)}
    return env | ({"PREFECT_API_URL": api_url} if api_url else {})


def _driver(env: dict, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "tests.fault_driver", *args], env=commands_prefect({**os.environ, **env}),
                            cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def _spawn(argv: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(argv, env=commands_prefect({**os.environ, **env}), cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _kill_when(proc: subprocess.Popen, ready, limit: float = 300) -> None:
    """SIGKILL the process as soon as `ready()` holds; fail if it ended first."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        if ready():
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            return
        time.sleep(0.002)
    raise AssertionError(f"the process ended (rc {proc.poll()}) before the fault could be injected")


def _processes_of(var_dir: str) -> list[int]:
    """Live processes run with this DUDAO_VAR_DIR (forked workers inherit the environment)."""
    mark = f"DUDAO_VAR_DIR={var_dir}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and mark in (proc / "environ").read_bytes().split(b"\0") \
                    and (proc / "stat").read_text().split(") ")[-1][:1] != "Z":
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def _files(folder: Path, pattern: str) -> int:
    return sum(1 for _ in folder.glob(pattern)) if folder.exists() else 0


def ledger_state(url: str) -> dict:
    """What a run leaves behind, without ids of its own making or wall-clock times."""
    engine = create_engine(url)
    queries = {
        "inspections": "SELECT code, stage, version, notice_on, visit_on FROM inspection",
        "items": "SELECT finding_id, stage, version, current_deadline FROM rectificationitem",
        "documents": "SELECT key, kind, path FROM document",
        "notices": "SELECT key, kind, status, subject, message_id, hold_until FROM notice",
        "audit": "SELECT entity, entity_id, event, from_stage, to_stage, as_of, actor, detail FROM auditevent",
    }
    with engine.connect() as conn:
        state = {name: Counter(tuple(map(str, row)) for row in conn.execute(text(sql)))
                 for name, sql in queries.items()}
    with Session(engine) as session:
        state["audit_chain_break"] = verify(session)[1]
    engine.dispose()
    return state


def maildir_message_ids(var_dir: Path) -> Counter:
    ids: Counter = Counter()
    for path in (var_dir / "outbox" / "new").iterdir():
        with path.open("rb") as handle:
            ids[message_from_binary_file(handle, policy=policy.default)["Message-ID"]] += 1
    return ids


def reference(settings, tmp_path_factory) -> dict:
    """The ledger and Maildir of one uninterrupted sweep and delivery of the busy day (made once)."""
    backend = "postgresql" if ON_POSTGRES else "sqlite"
    if backend not in _REFERENCE:
        folder = tmp_path_factory.mktemp("uninterrupted")
        url = _reference_ledger(settings, folder)
        env = {"DUDAO_DATABASE_URL": url, "DUDAO_VAR_DIR": str(folder / "var")}
        for args in (("prepare",), ("sweep", BUSY_DAY), ("deliver", BUSY_DAY)):
            _driver(env, *args)
        _REFERENCE[backend] = {"state": ledger_state(url), "mail": maildir_message_ids(folder / "var")}
    return _REFERENCE[backend]


def _reference_ledger(settings, folder: Path) -> str:
    if not ON_POSTGRES:
        return _fresh_ledger(settings, folder)
    from core.db import migrate
    from tests.test_simulation import _postgres_database

    url = _postgres_database(settings.ledger_url, settings.ledger_url.rsplit("/", 1)[1] + "_reference")
    migrate(url)
    return url


def assert_same_as_uninterrupted(settings, tmp_path_factory) -> None:
    expected = reference(settings, tmp_path_factory)
    state = ledger_state(settings.ledger_url)
    assert state["audit_chain_break"] is None
    for part in ("inspections", "items", "documents", "notices", "audit"):
        assert state[part] == expected["state"][part], f"{part} differ from the uninterrupted run"
    mail = maildir_message_ids(settings.var_dir)
    assert max(mail.values()) == 1, "a notice was delivered twice"
    assert mail == expected["mail"]


def test_a_sweep_killed_half_way_resumes_to_the_uninterrupted_ledger(ledger, prefect_harness, tmp_path_factory):
    env = _env(ledger, prefect_harness)
    _driver(env, "prepare")
    out = ledger.var_dir / "out"
    sweep = _spawn([DUDAO, "sweep", "--as-of", BUSY_DAY], env)
    # documents being filed (under their temporary names until the commit), the transaction not committed
    _kill_when(sweep, lambda: _files(out, "*/*/.*.html.part") >= 5)
    tally("faults.kill9.sweep")
    assert ledger_state(ledger.ledger_url)["notices"] == Counter()
    again = run_cli("sweep", "--as-of", BUSY_DAY, env=env)
    assert again.returncode == 0, again.stderr[-2000:]
    assert_same_as_uninterrupted(ledger, tmp_path_factory)
    assert _files(out, "*/*/.*.part") == 0  # the run again filed the same documents over what the kill left
    assert _files(out, "*/*/*.pdf") == _files(out, "*/*/*.html") > 0


def test_a_delivery_killed_mid_batch_sends_no_notice_twice(ledger, tmp_path_factory):
    env = _env(ledger)
    _driver(env, "prepare")
    _driver(env, "sweep", BUSY_DAY)
    pending = sum(ledger_state(ledger.ledger_url)["notices"].values())
    assert pending >= 50
    new = ledger.var_dir / "outbox" / "new"
    delivery = _spawn([sys.executable, "-m", "tests.fault_driver", "deliver", BUSY_DAY], env)
    _kill_when(delivery, lambda: _files(new, "*") >= 3)
    tally("faults.kill9.delivery")
    delivered_before_kill = _files(new, "*")
    assert delivered_before_kill < pending, "the batch finished before the kill"
    deadline = time.monotonic() + 10  # its build workers leave with it (they check every half second)
    while _processes_of(env["DUDAO_VAR_DIR"]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_of(env["DUDAO_VAR_DIR"]) == [], "build workers outlived their killed delivery"
    _driver(env, "deliver", BUSY_DAY)
    assert_same_as_uninterrupted(ledger, tmp_path_factory)


def test_two_sweeps_of_the_same_day_at_once(ledger, prefect_harness, tmp_path_factory):
    env = _env(ledger, prefect_harness)
    _driver(env, "prepare")
    sweeps = [_spawn([DUDAO, "sweep", "--as-of", BUSY_DAY], env) for _ in range(2)]
    results = [(proc.wait(600), proc.stderr.read()) for proc in sweeps]
    tally("faults.concurrent_sweeps", 2)
    assert [code for code, _ in results] == [0, 0], [err[-1500:] for _, err in results]
    assert_same_as_uninterrupted(ledger, tmp_path_factory)


@pytest.mark.skipif(not ON_POSTGRES, reason="cutting live connections needs PostgreSQL (DUDAO_DATABASE_URL)")
def test_connections_cut_during_a_sweep_fail_cleanly_then_the_next_run_completes(ledger, prefect_harness,
                                                                              tmp_path_factory):
    env = _env(ledger, prefect_harness)
    _driver(env, "prepare")
    out = ledger.var_dir / "out"
    sweep = _spawn([DUDAO, "sweep", "--as-of", BUSY_DAY], env)
    cut = 0
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and sweep.poll() is None and cut == 0:
        if _files(out, "*/*/*.html") >= 3:
            cut = _terminate_other_backends(ledger.ledger_url)
        time.sleep(0.005)
    assert cut >= 1, "no connection of the sweep was cut"
    tally("faults.db_connections_cut", cut)
    _, stderr = sweep.communicate(timeout=600)
    if sweep.returncode != 0:  # failed: saying so last, nothing half-written (checked by the run after it)
        assert sweep.returncode == 1, stderr[-2000:]
        assert stderr.splitlines()[-1].startswith("dudao：错误：台账数据库没有响应"), stderr[-2000:]
    again = run_cli("sweep", "--as-of", BUSY_DAY, env=env)
    assert again.returncode == 0, again.stderr[-2000:]
    assert_same_as_uninterrupted(ledger, tmp_path_factory)


def _terminate_other_backends(url: str) -> int:
    """pg_terminate_backend on every other session of this test's database (never a cluster restart)."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        cut = conn.execute(text(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
    engine.dispose()
    return int(cut)


@pytest.mark.skipif(not ON_POSTGRES, reason="the database going away needs PostgreSQL (DUDAO_DATABASE_URL)")
@pytest.mark.parametrize("seconds, outcome", [(3, "retried"), (12, "failed")])
def test_the_database_going_away_during_a_sweep_then_the_next_run_completes(ledger, prefect_harness,
                                                                          tmp_path_factory, seconds, outcome):
    """As a PostgreSQL restart looks to a client: every connection cut and new ones refused for a while (a
    relay in front of the server is taken down; the shared server itself is never restarted). A short outage
    is ridden out by the steps' retries; a long one fails the sweep with a last line saying so, exit 1. Either
    way the run after it completes to the uninterrupted ledger."""
    from tests.pg_outage import Outage

    env = _env(ledger, prefect_harness)
    _driver(env, "prepare")
    out = ledger.var_dir / "out"
    outage = Outage(ledger.ledger_url)
    try:
        relayed = env | {"DUDAO_DATABASE_URL": outage.url}
        sweep = _spawn([DUDAO, "sweep", "--as-of", BUSY_DAY], relayed)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and sweep.poll() is None and _files(out, "*/*/*.html") < 3:
            time.sleep(0.005)
        assert sweep.poll() is None, "the sweep ended before the database went away"
        cut = outage.down()
        time.sleep(seconds)
        refused = subprocess.run([sys.executable, "-c", f"import socket; socket.create_connection(('127.0.0.1', "
                                  f"{outage.port}), timeout=2)"], capture_output=True, text=True)
        assert refused.returncode != 0 and "ConnectionRefused" in refused.stderr  # really gone meanwhile
        outage.up()
        assert cut >= 1, "no connection of the sweep was open"
        tally("faults.db_outage", cut)
        _, stderr = sweep.communicate(timeout=600)
        if outcome == "retried":
            assert sweep.returncode == 0, stderr[-2000:]
        else:
            assert sweep.returncode == 1, stderr[-2000:]
            assert stderr.splitlines()[-1].startswith("dudao：错误：台账数据库没有响应（connection "
                                                      "failed: "), stderr[-2000:]
            assert "重新运行该命令" in stderr.splitlines()[-1]
        again = run_cli("sweep", "--as-of", BUSY_DAY, env=relayed)
        assert again.returncode == 0, again.stderr[-2000:]
    finally:
        outage.close()
    assert_same_as_uninterrupted(ledger, tmp_path_factory)
