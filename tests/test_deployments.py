"""The deployments as operators get them: schedules in Asia/Shanghai that reach every working morning,
forms whose unit is a list from the ledger, prefect.yaml in step with `dudao serve`, artifacts of the
sweep, and the publication sign-off in the UI (approve, timeout) and by `dudao approve`."""

import asyncio
import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
import yaml
from sqlmodel import select

from core.db import session_scope
from deployments import prefect_yaml
from deployments.build import build_deployments
from deployments.catalog import BY_NAME, SPECS, load_flow
from deployments.unit_choices import ledger_unit_names, with_unit_choices
from models import AuditEvent, Document, Inspection, Notice, SimulationRun
from rules.runtime import load_runtime
from tasks.documents.issuing import document_text
from tasks.simulation.days import simulate_day
from tests.conftest import run_cli


def simulate_until(last: date, year: int = 2026) -> None:
    """People act and the sweep runs, day by day, without Prefect (fast)."""
    rt = load_runtime()
    with session_scope() as session:
        session.add(SimulationRun(year=year, seed=2026))
    day = date(year, 1, 1)
    while day <= last:
        with session_scope() as session:
            simulate_day(session, session.get(SimulationRun, year), day, rt)
        day += timedelta(days=1)


def issued_unreleased() -> Inspection:
    with session_scope() as session:
        return session.exec(select(Inspection).where(Inspection.issued_on.is_not(None),
                                                     Inspection.released_on.is_(None))).first()


def fire_dates(cron: str, start: datetime, end: datetime) -> list[date]:
    from prefect.server.schemas.schedules import CronSchedule

    dates = asyncio.run(CronSchedule(cron=cron, timezone="Asia/Shanghai").get_dates(n=400, start=start, end=end))
    return [d.date() for d in dates]


def test_daily_sweep_runs_on_every_chinese_working_morning_and_only_then(runtime):
    """October 2026: National Day holidays on weekdays, 调休 working days on weekends."""
    start, end = datetime(2026, 9, 1, tzinfo=UTC), datetime(2026, 10, 31, 16, tzinfo=UTC)
    fired = sorted({d for cron in BY_NAME["daily-sweep"].crons for d in fire_dates(cron, start, end)})
    swept = [d for d in fired if runtime.calendar.is_workday(d)]
    workdays = [date(2026, 9, 1) + timedelta(days=n) for n in range(61)]
    assert swept == [d for d in workdays if runtime.calendar.is_workday(d)]
    assert date(2026, 10, 1) in fired and date(2026, 10, 1) not in swept  # 国庆: the flow skips it
    assert any(d.weekday() >= 5 for d in swept), "a 调休 weekend working day must be swept"


def test_scheduled_deployments_fire_in_shanghai_time():
    assert fire_dates("30 8 * * 1-5", datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 3, tzinfo=UTC)) == [
        date(2026, 3, 2)]
    plan = BY_NAME["annual-plan"].crons[0]
    assert [d.month for d in fire_dates(plan, datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))] == [1, 1]
    summary = BY_NAME["year-end-summary"].crons[0]
    assert [d.month for d in fire_dates(summary, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))] == [12]
    assert not BY_NAME["emergency-inspection"].crons and not BY_NAME["special-inspection"].crons


def test_unit_fields_become_a_list_and_other_fields_stay():
    schema = {"properties": {"request": {"$ref": "#/definitions/R"}, "unit": {"type": "string"}},
              "definitions": {"R": {"properties": {"units": {"type": "array", "items": {"type": "string"}},
                                                   "reason": {"type": "string"}}}}}
    patched = with_unit_choices(schema, ["甲校", "乙校"])
    assert patched["properties"]["unit"]["enum"] == ["甲校", "乙校"]
    assert patched["definitions"]["R"]["properties"]["units"]["items"]["enum"] == ["甲校", "乙校"]
    assert "enum" not in patched["definitions"]["R"]["properties"]["reason"]
    assert "enum" not in schema["properties"]["unit"]  # the original is left alone
    assert with_unit_choices(schema, []) == schema


def test_emergency_form_offers_the_ledgers_units(seeded):
    from tasks.exchange.district_file import read_district_file
    from tests.conftest import REPO

    names = ledger_unit_names()
    district = read_district_file(REPO / "data" / "nanan.toml")
    assert names == [u.name for u in sorted(district.units, key=lambda u: u.code) if u.kind != "office"]
    assert "花园路明德小学（示例）" in names and not any("督导室" in name for name in names)
    (deployment,) = build_deployments(["emergency-inspection"])
    schema = deployment._parameter_openapi_schema.model_dump(exclude_unset=True)
    units = [p["enum"] for d in schema.get("definitions", {}).values() for k, p in d["properties"].items()
             if k == "unit"]
    assert units == [names]
    [request] = [d for d in schema.get("definitions", {}).values() if "unit" in d["properties"]]
    deadline = request["properties"]["deadline"]  # the form's date picker for the 整改期限, not required
    assert deadline["title"] == "整改期限" and (deadline["type"], deadline["format"]) == ("string", "date")
    assert "anyOf" not in deadline and "default" not in deadline  # an empty field is left out, not "None"
    assert set(request["required"]) == {"unit", "reason"}
    assert deployment.enforce_parameter_schema is True  # the server refuses bad input before a run exists


def test_prefect_yaml_is_generated_from_the_catalog_and_names_real_flows():
    assert prefect_yaml.PATH.read_text(encoding="utf-8") == prefect_yaml.render(), \
        "deployments/prefect.yaml is stale: run `python -m deployments.prefect_yaml`"
    entries = yaml.safe_load(prefect_yaml.PATH.read_text(encoding="utf-8"))["deployments"]
    assert [e["name"] for e in entries] == [s.name for s in SPECS]
    assert {e["work_pool"]["name"] for e in entries} == {"dudao-pool"}
    for spec in SPECS:
        flow = load_flow(spec)
        assert flow is not None and flow.name == spec.name, spec.entrypoint


def test_every_deployed_flow_names_its_own_runs():
    """The UI's form prefills a random English run name in the browser; a flow with its own flow_run_name
    renames the run when it starts (issue 20 item 5), so every deployed flow must have one (the Chinese names
    themselves are asserted by each flow's tests and the browser test)."""
    unnamed = [spec.name for spec in SPECS if load_flow(spec).flow_run_name is None]
    assert unnamed == []


def test_dudao_approve_releases_once_and_refuses_unknown_or_unissued(seeded):
    simulate_until(date(2026, 3, 31))
    inspection = issued_unreleased()
    assert inspection is not None
    first = run_cli("approve", inspection.code, "--as-of", "2026-04-01", "--operator", "李四")
    assert first.returncode == 0 and "released on 2026-04-01" in first.stdout
    again = run_cli("approve", str(inspection.id))
    assert again.returncode == 0 and "already released on 2026-04-01" in again.stdout
    with session_scope() as session:
        events = session.exec(select(AuditEvent).where(AuditEvent.entity_id == inspection.id,
                                                       AuditEvent.event == "release")).all()
        planned = session.exec(select(Inspection).where(Inspection.stage == "planned")).first()
    assert [e.actor for e in events] == ["cli:李四"]
    unknown = run_cli("approve", "2026-ZH-999")
    assert unknown.returncode == 2 and "2026-ZH-999" in unknown.stderr
    unissued = run_cli("approve", planned.code)
    assert unissued.returncode == 2 and "尚未下达报告" in unissued.stderr


@pytest.fixture
def issued(seeded):
    simulate_until(date(2026, 3, 31))
    return issued_unreleased().code


def test_signoff_times_out_cleanly_and_points_to_the_cli(issued, prefect_harness):
    from flows.publication_signoff import publication_signoff

    state = publication_signoff(issued, timeout_seconds=2, return_state=True)
    assert state.is_completed()
    assert f"dudao approve {issued}" in state.result()
    with session_scope() as session:
        assert session.exec(select(Inspection).where(Inspection.code == issued)).one().released_on is None


def _paused_run(name_part: str):
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

    with get_client(sync_client=True) as client:
        for _ in range(60):
            runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(like_=name_part)))
            paused = [r for r in runs if r.state and r.state.is_paused()]
            if paused:
                return paused[0]
            time.sleep(0.5)
    raise AssertionError("the sign-off run never paused for input")


def test_signoff_given_in_the_ui_releases_the_report(issued, prefect_harness):
    from prefect.flow_runs import resume_flow_run

    from flows.publication_signoff import publication_signoff

    result = {}
    worker = threading.Thread(target=lambda: result.update(
        value=publication_signoff(issued, timeout_seconds=60, as_of=date(2026, 4, 22))))
    worker.start()
    run = _paused_run("报告签发")
    assert "2026" in run.name and "签发" in run.name and {"2026"} <= set(run.tags)
    resume_flow_run(run.id, run_input={"approve": True, "operator": "张三", "note": "同意公开"})
    worker.join(60)
    assert result["value"] == f"{issued} released on 2026-04-22"
    with session_scope() as session:
        inspection = session.exec(select(Inspection).where(Inspection.code == issued)).one()
        actors = session.exec(select(AuditEvent.actor).where(AuditEvent.entity_id == inspection.id,
                                                             AuditEvent.event == "release")).all()
    assert inspection.released_on == date(2026, 4, 22) and actors == ["ui:张三"]


def test_sweep_publishes_reports_and_a_table_of_moves_and_failures(seeded, prefect_harness):
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.daily_sweep import daily_sweep

    simulate_until(date(2026, 3, 20))
    with session_scope() as session:
        notice = session.exec(select(Notice)).first()
        notice.status, notice.last_error = "failed", "550 mailbox unavailable"
        session.add(notice)
    moved = daily_sweep(date(2026, 4, 30), skip_non_working_days=False)
    assert moved["issue"] > 0
    with session_scope() as session:
        codes = session.exec(select(Inspection.code).where(Inspection.issued_on == date(2026, 4, 30))).all()
    keys = [f"report-{c.lower()}" for c in codes]
    with get_client(sync_client=True) as client:
        reports = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=keys)))
        links = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(any_=[f"{k}-document" for k in keys])))
        table = client.read_latest_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["daily-sweep"])))
    assert {a.key for a in reports} == set(keys) and len(keys) == moved["issue"]
    assert all("督导报告" in a.data and "dudao approve" in a.data for a in reports)
    with session_scope() as session:  # the report's text (its notice's) is in the artifact, line by line
        report = session.exec(select(Document).join(Inspection, Document.inspection_id == Inspection.id).where(
            Inspection.code == codes[0], Document.kind == "report")).one()
        lines = [line.strip() for line in document_text(session, report.id).splitlines() if line.strip()]
    assert len(lines) > 5 and all(line in next(a.data for a in reports if a.key == keys[0]) for line in lines)
    assert len(links) == len(keys) and all("(file://" in a.data and ".html)" in a.data for a in links)
    assert "550 mailbox unavailable" in str(table[0].data) and codes[0] in str(table[0].data)


def test_scheduled_deployments_need_no_parameter_the_schedule_cannot_give():
    """A schedule fires with the deployment's parameters only: every required one must be among them."""
    for spec in SPECS:
        if spec.crons:
            (deployment,) = build_deployments([spec.name], unit_names=[])
            required = set(deployment._parameter_openapi_schema.required or [])
            assert required <= set(spec.parameters), f"{spec.name} needs {required - set(spec.parameters)}"
