"""暗访: a covert visit is named nowhere — notice, document, audit detail, artifact, flow or task run name,
the plan's views — before its day; after the visit it runs its cycle like any inspection."""

import json
from datetime import date, timedelta

from sqlmodel import select

from core.db import session_scope
from models import AuditEvent, Document, Inspection, Notice, SimulationRun, Unit
from rules.runtime import load_runtime
from tasks.planning.plan_document import plan_view
from tasks.simulation.days import simulate_day

AS_OF = date(2027, 1, 4)


def _covert() -> list[tuple[Inspection, Unit]]:
    with session_scope() as session:
        return list(session.exec(select(Inspection, Unit).join(Unit, Inspection.unit_id == Unit.id).where(
            Inspection.covert.is_(True)).order_by(Inspection.visit_on)).all())


def _simulate(start: date, end: date) -> None:
    rt = load_runtime()
    day = start
    while day <= end:
        with session_scope() as session:
            run = session.get(SimulationRun, 2027) or SimulationRun(year=2027, seed=5)
            simulate_day(session, run, day, rt)
        day += timedelta(days=1)


def _prefect_texts(api_url: str) -> list[str]:
    """Run names, task run names and artifact contents of the annual-plan runs."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterKey,
        FlowRunFilter,
        FlowRunFilterId,
        FlowRunFilterName,
    )

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(like_="年度督导工作计划")))
        tasks = [t.name for t in client.read_task_runs(flow_run_filter=FlowRunFilter(
            id=FlowRunFilterId(any_=[r.id for r in runs])))]
        artifacts = client.read_artifacts(artifact_filter=ArtifactFilter(
            key=ArtifactFilterKey(like_="annual-plan-2027")))
    assert runs and tasks and len(artifacts) >= 2
    return [r.name for r in runs] + tasks + [json.dumps(a.data, ensure_ascii=False) for a in artifacts]


def _mentions(text: str, covert: list[tuple[Inspection, Unit]]) -> bool:
    return "暗访督导" in text or any(i.code in text for i, _ in covert)


def test_a_covert_visit_is_named_nowhere_before_its_day(seeded, prefect_harness):
    from flows.annual_plan import annual_plan

    annual_plan(2027, seed=9, as_of=AS_OF)
    covert = _covert()
    assert len(covert) == 4 and all(i.notice_on is None for i, _ in covert)
    first_visit = covert[0][0].visit_on
    _simulate(AS_OF + timedelta(days=1), first_visit - timedelta(days=1))
    ids = {i.id for i, _ in covert}
    with session_scope() as session:
        notices = session.exec(select(Notice)).all()
        documents = session.exec(select(Document)).all()
        audits = session.exec(select(AuditEvent).where(AuditEvent.entity == "inspection",
                                                       AuditEvent.entity_id.in_(ids))).all()
        view = plan_view(session, 2027, first_visit)
    assert len(notices) > 20  # the announced inspections went on meanwhile
    assert not [n for n in notices if n.inspection_id in ids or _mentions(n.subject + n.body_text, covert)]
    assert not [d for d in documents if d.inspection_id in ids]
    for document in documents:
        assert not _mentions((seeded.out_dir / document.path).read_text(encoding="utf-8"), covert)
    assert audits and all(json.loads(a.detail) in ({"covert": True, "sealed_until_visit": True}, {}) for a in audits)
    assert view["sealed_covert_visits"] == 4 and not [t for t in view["targets"] if t["kind"] == "covert"]
    for text in _prefect_texts(prefect_harness):
        assert not _mentions(text, covert)
        assert not any(unit.name in text and "暗访" in text for _, unit in covert)


def test_after_its_day_the_covert_visit_runs_its_cycle_and_shows(seeded):
    from flows.annual_plan import draw_up_plan

    draw_up_plan(2027, AS_OF, 9, 4)
    inspection, unit = _covert()[0]
    _simulate(inspection.visit_on, inspection.visit_on + timedelta(days=10))
    with session_scope() as session:
        visited = session.get(Inspection, inspection.id)
        assert visited.stage not in ("planned", "notified", "self_assessment")
        assert visited.self_assessment_on is None
        notices = session.exec(select(Notice).where(Notice.inspection_id == inspection.id)).all()
        assert {n.kind for n in notices} >= {"feedback"} and all(n.created_on > inspection.visit_on for n in notices)
        view = plan_view(session, 2027, inspection.visit_on + timedelta(days=1))
    shown = [t for t in view["targets"] if t["kind"] == "covert"]
    assert [t["unit_code"] for t in shown] == [unit.code] and view["sealed_covert_visits"] == 3
