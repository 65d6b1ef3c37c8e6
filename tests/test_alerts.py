"""The office's alerts fire on a real Prefect server (the test harness): a failed run, a late daily sweep and
stuck notices each reach a webhook the test runs on loopback and start the alert-office deployment, whose
flow e-mails the office once per occurrence."""

import json
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlmodel import select

from core.db import session_scope
from models import Notice

pytestmark = pytest.mark.slow
D = date.fromisoformat


class _Recorder(BaseHTTPRequestHandler):
    received: list[str] = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
        self.received.append(json.loads(body)["text"]["content"])
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def webhook():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/robot", _Recorder.received
    server.shutdown()


@pytest.fixture(scope="module")
def alerts(prefect_harness, webhook):
    from prefect import get_client

    from deployments.alerts import ALERT_DEPLOYMENT, apply_alerts, remove_alerts
    from flows.alert_office import alert_office

    alert_office.to_deployment(name="alert-office").apply()
    ids = apply_alerts(webhook[0], sweep_within=timedelta(seconds=10))
    yield ids
    with get_client(sync_client=True) as client:
        remove_alerts(client)
        deployment = client.read_deployment_by_name(ALERT_DEPLOYMENT)
        client.delete_deployment(deployment.id)  # and the runs it was asked for, so no later test sees them


def _wait_for(received: list[str], text: str, seconds: float = 90) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = [message for message in list(received) if text in message]
        if found:
            return found[0]
        time.sleep(0.5)
    raise AssertionError(f"no webhook message with {text!r} within {seconds} s; got {received}")


def _alert_runs(alert: str) -> list:
    from prefect import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=["alert-office"])))
    return [run for run in runs if run.parameters.get("alert") == alert]


def _wait_for_run(alert: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if runs := _alert_runs(alert):
            return runs[0]
        time.sleep(0.5)
    raise AssertionError(f"no alert-office run for {alert} within {seconds} s")


def _office_alerts() -> list[Notice]:
    with session_scope() as session:
        return session.exec(select(Notice).where(Notice.kind == "alert")).all()


def test_a_failed_run_alerts_the_office_by_webhook_and_once_by_mail(seeded, alerts, webhook):
    from prefect import flow, tags

    from flows.alert_office import alert_office

    @flow(name="alert-check-failing", flow_run_name="会失败的运行")
    def failing():
        raise RuntimeError("故意失败")

    with tags("manual"):
        state = failing(return_state=True)
    assert state.is_failed()
    message = _wait_for(webhook[1], "运行失败")
    assert "会失败的运行" in message
    run = _wait_for_run("run-failed")
    assert run.parameters["subject"] == "会失败的运行" and run.parameters["occurrence"].startswith("prefect.flow-run.")
    parameters = {**run.parameters, "as_of": D("2026-03-02")}
    first, again = alert_office(**parameters), alert_office(**parameters)  # the automation may fire twice
    assert first is not None and again is None
    [notice] = _office_alerts()
    assert notice.status == "sent" and "会失败的运行" in notice.body_text
    assert json.loads(notice.recipients)[0][0] == "南岸区政府教育督导室"


def test_a_run_of_the_alert_flow_itself_failing_starts_no_alert(seeded, alerts):
    from prefect import flow, tags

    @flow(name="alert-check-untagged")
    def failing_alert():
        raise RuntimeError("告警流程失败")

    with tags("alert"):
        assert failing_alert(return_state=True).is_failed()
    time.sleep(8)
    assert all("alert-check-untagged" not in run.parameters.get("subject", "") for run in _alert_runs("run-failed"))


def test_a_sweep_not_completed_in_time_alerts_the_office(alerts, webhook):
    # the harness runs no daily sweep: the proactive trigger (10 s here, 25.5 h in production) fires
    assert "每日巡检" in _wait_for(webhook[1], "每日巡检未按时完成")
    assert _wait_for_run("sweep-missing").parameters["occurrence"] == ""


def test_stuck_notices_alert_the_office(seeded, alerts, webhook):
    from prefect.events.worker import EventsWorker

    from tasks.operator.alerts import report_stuck_notices

    assert report_stuck_notices(D("2026-03-02")) == 0
    with session_scope() as session:
        session.add(Notice(key="stuck:1", kind="reminder", subject="【整改提醒】", recipients="[]", body_text="",
                           body_html="", created_on=D("2026-03-02"), status="pending", attempts=5,
                           message_id="<stuck.1@example>", last_error="421 try later"))
    assert report_stuck_notices(D("2026-03-02")) == 1
    EventsWorker.drain_all()
    assert "通知滞留" in _wait_for(webhook[1], "通知滞留")
    _wait_for_run("outbox-stuck")
