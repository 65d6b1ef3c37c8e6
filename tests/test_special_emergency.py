"""Inspections started by hand: an emergency runs a fast-tracked cycle in the simulation; a special one
merges into a still-unannounced inspection of the same semester; bad input is refused, nothing written."""

from datetime import date, timedelta

from sqlmodel import func, select

from dudao.db import session_scope
from dudao.runtime import load_runtime
from models import Document, Inspection, InspectionMember, Notice, RectificationItem, SimulationRun
from rules import behaviour
from tasks.annual_cycle import open_annual_inspections
from tasks.simulation import simulate_day
from tests.conftest import run_cli

DAY = date(2026, 5, 11)


def _seed_with_findings(code: str) -> int:
    return next(s for s in range(1, 100) if behaviour.findings_for(s, code, "school"))


def test_dudao_emergency_runs_a_complete_fast_tracked_cycle(seeded, prefect_harness):
    env = {"PREFECT_API_URL": prefect_harness}
    result = run_cli("emergency", "--unit", "南坪育才小学（示例）", "--reason", "学生食物中毒事件",
                     "--as-of", str(DAY), env=env)
    assert result.returncode == 0, result.stderr
    rt = load_runtime()
    with session_scope() as session:
        inspection = session.exec(select(Inspection).where(Inspection.kind == "emergency")).one()
        assert inspection.stage == "planned" and inspection.visit_on == DAY and inspection.notice_on is None
        team = session.exec(select(InspectionMember).where(InspectionMember.inspection_id == inspection.id)).all()
        assert len(team) >= rt.policy.inspection.team_min
        upward = session.exec(select(Notice).where(Notice.kind == "emergency_report")).one()
        assert upward.created_on == DAY and "shi-duddaoshi@cq.example.cn" in upward.recipients
        assert "quwei-quzhengfu@nanan.example.cn" in upward.recipients and "学生食物中毒事件" in upward.body_text
        session.add(SimulationRun(year=2026, seed=_seed_with_findings(inspection.code), last_day=DAY - timedelta(1)))
    for n in range(21):
        with session_scope() as session:
            simulate_day(session, session.get(SimulationRun, 2026), DAY + timedelta(days=n), rt)
    with session_scope() as session:
        done = session.get(Inspection, inspection.id)
        assert done.stage in ("rectifying", "recheck", "closed") and done.self_assessment_on is None
        assert done.feedback_on == rt.calendar.add_workdays(DAY, rt.policy.inspection.emergency_feedback_workdays)
        items = session.exec(select(RectificationItem).where(RectificationItem.inspection_id == done.id)).all()
        assert items and all(i.deadline == done.issued_on + timedelta(days=10) for i in items)
        kinds = set(session.exec(select(Notice.kind).where(Notice.inspection_id == done.id)).all())
        assert "notice" not in kinds and {"feedback", "report", "opinion"} <= kinds


def test_an_emergency_for_an_unknown_unit_is_refused_and_nothing_is_written(seeded):
    result = run_cli("emergency", "--unit", "不存在的学校", "--reason", "火情", "--as-of", str(DAY))
    assert result.returncode == 2
    assert result.stderr.strip() == "dudao: error: unit 1 ('不存在的学校'): no unit named or coded '不存在的学校' in the ledger"
    with session_scope() as session:
        for table in (Inspection, Notice, Document):
            assert session.exec(select(func.count()).select_from(table)).one() == 0


def test_a_special_inspection_merges_into_an_unannounced_annual_one_and_opens_elsewhere(seeded, prefect_harness):
    rt = load_runtime()
    with session_scope() as session:
        open_annual_inspections(session, year=2026, rt=rt, as_of=date(2026, 1, 5))
    env = {"PREFECT_API_URL": prefect_harness}
    spring = run_cli("special", "--theme", "校园安全", "--units", "S001,区教委", "--as-of", "2026-01-10", env=env)
    assert spring.returncode == 0, spring.stderr
    autumn = run_cli("special", "--theme", "课后服务", "--units", "S003", "--as-of", "2026-08-20", env=env)
    assert autumn.returncode == 0, autumn.stderr
    with session_scope() as session:
        themes = dict(session.exec(select(Inspection.code, Inspection.theme).where(Inspection.kind == "annual")).all())
        assert sum(1 for t in themes.values() if t and "专项督导：校园安全" in t) == 2
        special = session.exec(select(Inspection).where(Inspection.kind == "special")).one()
        assert special.theme == "课后服务" and special.visit_on >= date(2026, 9, 19)
        assert session.exec(select(func.count()).where(InspectionMember.inspection_id == special.id)).one() >= 3


def test_a_special_inspection_naming_an_unknown_unit_writes_nothing(seeded):
    result = run_cli("special", "--theme", "校园安全", "--units", "S001,S999", "--as-of", "2026-01-10")
    assert result.returncode == 2 and "S999" in result.stderr
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(Inspection)).one() == 0


def test_an_emergency_reason_of_only_spaces_is_refused():
    import pydantic
    import pytest

    from tasks.special import EmergencyInspectionInput

    with pytest.raises(pydantic.ValidationError, match="the reason is empty"):
        EmergencyInspectionInput(unit="S001", reason="   ")
    assert EmergencyInspectionInput(unit=" S001 ", reason=" 校舍局部坍塌 ").reason == "校舍局部坍塌"
