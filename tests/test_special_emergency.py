"""Inspections started by hand: an emergency runs a fast-tracked cycle in the simulation; a special one
merges into a still-unannounced inspection of the same semester; bad input is refused, nothing written."""

from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from core.db import session_scope
from models import Document, Inspection, InspectionMember, Notice, RectificationItem, SimulationRun
from rules import behaviour
from rules.runtime import load_runtime
from tasks.cycle.annual_openings import open_annual_inspections
from tasks.simulation.days import simulate_day
from tests.conftest import run_cli

DAY = date(2026, 5, 11)


def _seed_with_findings(code: str) -> int:
    return next(s for s in range(1, 100) if behaviour.findings_for(s, code, "school"))


def _simulate_three_weeks(code: str, rt) -> None:
    """From DAY on, 21 simulated days with a seed that gives the inspection `code` findings."""
    with session_scope() as session:
        session.add(SimulationRun(year=2026, seed=_seed_with_findings(code), last_day=DAY - timedelta(1)))
    for n in range(21):
        with session_scope() as session:
            simulate_day(session, session.get(SimulationRun, 2026), DAY + timedelta(days=n), rt)


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
    _simulate_three_weeks(inspection.code, rt)
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
    assert result.stderr.strip() == "dudao：错误：第 1 个单位“不存在的学校”：台账中没有名称或编码为“不存在的学校”的单位"
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

    from tasks.cycle.special_emergency import EmergencyInspectionInput

    with pytest.raises(pydantic.ValidationError, match="突发事件情况不能为空"):
        EmergencyInspectionInput(unit="S001", reason="   ")
    assert EmergencyInspectionInput(unit=" S001 ", reason=" 校舍局部坍塌 ").reason == "校舍局部坍塌"


def _ledger_counts() -> dict[str, int]:
    from models import AuditEvent

    with session_scope() as session:
        return {table.__name__: session.exec(select(func.count()).select_from(table)).one()
                for table in (Inspection, InspectionMember, Notice, Document, AuditEvent)}


def test_a_deadline_set_by_hand_becomes_every_items_deadline_and_is_reported_upward(seeded, prefect_harness):
    deadline = date(2026, 5, 29)  # the policy would give issued_on + 10 days: 2026-05-30 at the earliest
    env = {"PREFECT_API_URL": prefect_harness}
    result = run_cli("emergency", "--unit", "S001", "--reason", "教学楼外墙脱落", "--as-of", str(DAY),
                     "--deadline", str(deadline), env=env)
    assert result.returncode == 0, result.stderr
    rt = load_runtime()
    with session_scope() as session:
        inspection = session.exec(select(Inspection).where(Inspection.kind == "emergency")).one()
        assert inspection.rectification_due == deadline
        upward = session.exec(select(Notice).where(Notice.kind == "emergency_report")).one()
        assert "整改期限为2026年5月29日" in upward.body_text
    _simulate_three_weeks(inspection.code, rt)
    with session_scope() as session:
        done = session.get(Inspection, inspection.id)
        assert done.issued_on is not None and done.issued_on < deadline
        items = session.exec(select(RectificationItem).where(RectificationItem.inspection_id == done.id)).all()
        assert items and {(i.deadline, i.current_deadline) for i in items} == {(deadline, deadline)}
        opinion = session.exec(select(Notice).where(Notice.inspection_id == done.id, Notice.kind == "opinion")).one()
        assert "2026年5月29日" in opinion.body_text


@pytest.mark.parametrize(("deadline", "message"), [
    ("2026-05-08", "dudao：错误：整改期限 2026-05-08 不在发起日之后（督导自 2026-05-11 开始）"),
    ("2026-05-11", "dudao：错误：整改期限 2026-05-11 不在发起日之后（督导自 2026-05-11 开始）"),
    ("2026-05-20", "dudao：错误：整改期限 2026-05-20 过早：督导意见书最早于 2026-05-20 下发（实地督导 2026-05-11，"
                   "1 个工作日后出具初步督导意见反馈书，申辩 5 个工作日）；请选择此后的日期"),
    ("2027-05-13", "dudao：错误：整改期限 2027-05-13 距 2026-05-11 超过 366 天"),
    ("2026-02-30", "dudao emergency：错误：参数 --deadline：“2026-02-30”不是 YYYY-MM-DD 格式的日期（`dudao emergency --help` 查看用法）"),
    ("5/29", "dudao emergency：错误：参数 --deadline：“5/29”不是 YYYY-MM-DD 格式的日期（`dudao emergency --help` 查看用法）"),
])
def test_a_past_early_distant_or_malformed_deadline_is_refused_and_nothing_is_written(seeded, deadline, message):
    before = _ledger_counts()
    result = run_cli("emergency", "--unit", "S001", "--reason", "教学楼外墙脱落", "--as-of", str(DAY),
                     "--deadline", deadline)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == message
    assert _ledger_counts() == before


def test_the_form_with_a_bad_deadline_fails_the_run_readably_and_writes_nothing(seeded, prefect_harness):
    """What the deployment's form posts, run as the flow: a past deadline, then one that is no date at all."""
    from flows.emergency_inspection import emergency_inspection

    before = _ledger_counts()
    past = emergency_inspection(request={"unit": "南坪育才小学（示例）", "reason": "火情", "as_of": str(DAY),
                                         "deadline": "2026-05-01"}, return_state=True)
    assert past.is_failed()
    assert past.message == "整改期限 2026-05-01 不在发起日之后（督导自 2026-05-11 开始）"
    malformed = emergency_inspection(request={"unit": "南坪育才小学（示例）", "reason": "火情", "as_of": str(DAY),
                                              "deadline": "2026-02-30"}, return_state=True)
    assert malformed.is_failed()
    assert "deadline" in malformed.message and "valid date" in malformed.message, malformed.message
    assert _ledger_counts() == before


def test_the_deadline_rule_leaves_time_for_the_opinion(runtime):
    from rules.emergency_deadline import deadline_problem, earliest_issue_day

    policy, calendar = runtime.policy.inspection, runtime.calendar
    # visit Friday 2026-09-25; feedback Monday 09-28; five working days for rebuttal run into the National
    # Day holiday (10-01..10-08, with 调休 on Sunday 09-27 and Saturday 10-10): rebuttal ends 10-10, issue 10-12
    assert earliest_issue_day(date(2026, 9, 25), calendar, policy) == date(2026, 10, 12)
    check = {"as_of": date(2026, 9, 25), "visit_on": date(2026, 9, 25), "calendar": calendar, "policy": policy}
    assert "过早" in deadline_problem(date(2026, 10, 12), **check)
    assert deadline_problem(date(2026, 10, 13), **check) is None
    assert deadline_problem(date(2027, 9, 26), **check) is None
    assert "超过 366 天" in deadline_problem(date(2027, 9, 27), **check)
