"""A sign-off started from the publication-signoff deployment suspends: while it waits no process runs it;
resumed with the form, `dudao serve` starts it again and it releases the report, once."""

import os
import signal
import time
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from core.db import session_scope
from models import AuditEvent, Inspection
from tests.test_deployments import issued_unreleased, simulate_until
from tests.ui_stack import spawn, wait_for

pytestmark = pytest.mark.slow


def _processes_running(flow_run_id) -> list[int]:
    """Processes whose environment names the flow run (the runner starts each run with PREFECT__FLOW_RUN_ID)."""
    marker = f"PREFECT__FLOW_RUN_ID={flow_run_id}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and marker in (proc / "environ").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except OSError:  # gone, or not ours to read
            continue
    return found


def _state(flow_run_id):
    from prefect import get_client

    with get_client(sync_client=True) as client:
        return client.read_flow_run(flow_run_id).state


def _suspended_or_ended(flow_run_id) -> bool:
    state = _state(flow_run_id)
    assert not state.is_final(), state
    return state.is_paused()


def _deployment_registered() -> bool:
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound

    with get_client(sync_client=True) as client:
        try:
            return bool(client.read_deployment_by_name("publication-signoff/publication-signoff"))
        except ObjectNotFound:
            return False


def test_a_waiting_signoff_holds_no_process_and_resumes(seeded, prefect_harness, tmp_path):
    from prefect.deployments import run_deployment
    from prefect.flow_runs import resume_flow_run

    simulate_until(date(2026, 3, 31))
    code = issued_unreleased().code
    env = {**os.environ, "PREFECT_API_URL": prefect_harness, "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    server = spawn([str(Path(os.sys.executable).parent / "dudao"), "serve", "--only", "publication-signoff"],
                   env, tmp_path / "serve.log")
    try:
        wait_for(_deployment_registered, 120, "dudao serve to register publication-signoff")
        run = run_deployment("publication-signoff/publication-signoff", timeout=0,
                             parameters={"inspection": code, "as_of": "2026-04-22"})
        wait_for(lambda: _suspended_or_ended(run.id), 120, "the sign-off run to suspend", every=0.5)
        assert _state(run.id).name == "Suspended"
        # the run's process has ended: nothing waits for the operator
        wait_for(lambda: not _processes_running(run.id), 30, "the suspended run's process to end", every=0.5)
        time.sleep(3)
        assert not _processes_running(run.id) and _state(run.id).is_paused()
        with session_scope() as session:
            assert session.exec(select(Inspection).where(Inspection.code == code)).one().released_on is None

        resume_flow_run(run.id, run_input={"approve": True, "operator": "张三", "note": "同意公开"})
        final = wait_for(lambda: (s := _state(run.id)).is_final() and s, 180, "the resumed run to finish")
        assert final.is_completed(), (final, (tmp_path / "serve.log").read_text(errors="replace")[-3000:])
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(30)
    with session_scope() as session:
        inspection = session.exec(select(Inspection).where(Inspection.code == code)).one()
        actors = session.exec(select(AuditEvent.actor).where(AuditEvent.entity_id == inspection.id,
                                                             AuditEvent.event == "release")).all()
    assert inspection.released_on == date(2026, 4, 22) and actors == ["ui:张三"]
