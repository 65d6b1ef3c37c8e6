"""The inspectors themselves: roster import (impossible terms refused, nothing written), recusal by employer
history and declared conflicts, term reminders and term-end inspections from the sweep, training
shortfalls, appraisal and dismissal, and the ratio report on the command line."""

import json
from collections import Counter
from datetime import date

from sqlmodel import func, select

from core.db import session_scope
from models import Inspection, InspectionMember, Inspector, Notice, Unit
from models.planning import EmploymentHistory, InspectorConflict, PlanEntry, ZoneAssignment
from rules.runtime import load_runtime
from tasks.cycle.annual_openings import open_annual_inspections
from tasks.planning.term_end import raise_term_end_inspections
from tasks.roster.lookups import candidates, find_inspector
from tasks.roster.records import add_training, appraise, flag_training_shortfalls, remind_expiring_terms
from tasks.roster.teams import choose_team
from tasks.roster.zones import assign_zones
from tests.conftest import run_cli

HEADER = "督学代码,姓名,电子邮箱,专职,挂牌督学,工作单位代码,聘期开始,聘期结束,连任届数,曾任职单位代码,申报回避单位代码\n"


def _count(table) -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(table)).one()


def test_a_roster_row_with_an_impossible_term_is_refused_and_nothing_is_written(seeded, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(HEADER + "I101,新督学甲（示例）,i101@example.cn,是,是,,2026-09-01,2029-08-31,1,S001,S002\n"
                      "I102,新督学乙（示例）,i102@example.cn,否,是,S003,2026-09-01,2030-08-31,1,,\n", encoding="utf-8")
    before = _count(Inspector)
    result = run_cli("inspectors", "import", str(roster))
    assert result.returncode == 2
    assert "roster.csv：第 3 行，聘期结束 (H) 列：聘期 2026-09-01 至 2030-08-31 超过 3 年" in result.stderr
    assert _count(Inspector) == before and _count(EmploymentHistory) == 0 and _count(InspectorConflict) == 0
    roster.write_text(HEADER + "I103,新督学丙（示例）,i103@example.cn,否,否,S999,2026-09-01,2029-08-31,4,,S998\n",
                      encoding="utf-8")
    stderr = run_cli("import", "inspectors", str(roster)).stderr  # the same import under its other name
    assert "第 2 行，连任届数 (I) 列：连任届数 4：最多连任 3 届" in stderr
    assert "第 2 行，工作单位代码 (F) 列：台账中没有单位“S999”" in stderr
    assert "第 2 行，申报回避单位代码 (K) 列：台账中没有单位“S998”" in stderr


def test_a_good_roster_loads_with_history_and_conflicts_that_recuse(seeded, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(HEADER + "I101,新督学甲（示例）,i101@example.cn,是,是,S003,2026-09-01,2029-08-31,1,S001,S002\n",
                      encoding="gbk")
    assert run_cli("inspectors", "import", str(roster)).returncode == 0
    assert run_cli("inspectors", "import", str(roster)).returncode == 0  # again: nothing doubled
    with session_scope() as session:
        new = find_inspector(session, "I101")
        mine = next(c for c in candidates(session) if c.inspector_id == new.id)
        codes = set(session.exec(select(Unit.code).where(Unit.id.in_(mine.conflicts))).all())
    assert codes == {"S001", "S002", "S003"}  # employer, former employer, declared conflict
    assert _count(EmploymentHistory) == 1 and _count(InspectorConflict) == 1


def test_a_declared_conflict_keeps_the_inspector_off_the_team(seeded):
    with session_scope() as session:
        unit = session.exec(select(Unit).where(Unit.code == "S010")).one()
        pool = candidates(session)
        first = choose_team(pool, unit, 3, Counter(), date(2026, 4, 1))
        for inspector_id in first:
            session.add(InspectorConflict(inspector_id=inspector_id, unit_id=unit.id, reason="子女就读",
                                          declared_on=date(2026, 1, 1)))
        session.flush()
        second = choose_team(candidates(session), unit, 3, Counter(), date(2026, 4, 1))
    assert set(first).isdisjoint(second)


def test_the_sweep_reminds_of_expiring_terms_once(seeded, monkeypatch):
    from tasks.roster import records as inspector_records

    rt = load_runtime()
    with session_scope() as session:
        reminded = remind_expiring_terms(session, date(2026, 7, 15), rt)
        roster_reads = []
        monkeypatch.setattr(inspector_records, "serving", lambda *args, **kw: roster_reads.append(args) or [])
        again = remind_expiring_terms(session, date(2026, 7, 16), rt)
        notices = session.exec(select(Notice).where(Notice.kind == "term_reminder")).all()
    assert len(reminded) == 6 and again == []  # the six whose terms end on 2026-08-31
    assert roster_reads == []  # all six reminded: the roster is not read again
    third_term = next(n for n in notices if "I003" in n.body_text)
    assert "i003@dudao.nanan.example.cn" in third_term.recipients and "不再续聘" in third_term.body_text


def test_the_sweep_raises_a_term_end_inspection_unless_one_covers_it(seeded):
    rt = load_runtime()
    with session_scope() as session:
        opened = raise_term_end_inspections(session, date(2027, 5, 15), rt)
        units = session.exec(select(Unit.code).join(Inspection, Inspection.unit_id == Unit.id).where(
            Inspection.id.in_(opened))).all()
        assert sorted(units) == ["S016", "S028"]  # terms ending 2027-06-30
        assert raise_term_end_inspections(session, date(2027, 5, 16), rt) == []
        entries = session.exec(select(PlanEntry).where(PlanEntry.kind == "term_end")).all()
        assert len(entries) == 2 and all("自动发起" in e.reason for e in entries)
    with session_scope() as session:  # a comprehensive inspection within the year before the end covers it
        open_annual_inspections(session, year=2026, rt=rt, as_of=date(2026, 1, 5))
        assert raise_term_end_inspections(session, date(2026, 5, 15), rt) == []


def test_training_shortfalls_are_flagged_once_on_the_check_day(seeded):
    rt = load_runtime()
    with session_scope() as session:
        keen = find_inspector(session, "I004")
        for month in range(3, 8):
            add_training(session, keen, date(2026, month, 10), 8, "督学专业化培训")
        assert flag_training_shortfalls(session, date(2026, 11, 30), rt) == []
        assert flag_training_shortfalls(session, date(2026, 12, 1), rt) == [1]
        assert flag_training_shortfalls(session, date(2026, 12, 2), rt) == []
        notice = session.exec(select(Notice).where(Notice.kind == "training_shortfall")).one()
    assert "I004" not in notice.body_text and "I006" in notice.body_text
    rows = json.loads(run_cli("inspectors", "training", "--year", "2026", "--json").stdout)
    assert next(r for r in rows if r["code"] == "I004")["shortfall"] == 0


def test_failing_the_appraisal_dismisses_the_inspector(seeded):
    rt = load_runtime()
    with session_scope() as session:
        open_annual_inspections(session, year=2026, rt=rt, as_of=date(2026, 1, 5))
        assign_zones(session, date(2026, 1, 5), rt)
        failing = find_inspector(session, "I004")
        assert session.exec(select(ZoneAssignment).where(ZoneAssignment.inspector_id == failing.id)).all()
        teams_before = _team_sizes(session)
        assert failing.id in {m.inspector_id for m in session.exec(select(InspectionMember)).all()}
        appraise(session, failing, 2025, False, "未按规定履职", date(2026, 2, 1))
        mine = next(c for c in candidates(session) if c.inspector_id == failing.id)
        assert mine.serves_on(date(2026, 2, 1)) and not mine.serves_on(date(2026, 2, 2))
        assert not session.exec(select(ZoneAssignment).where(ZoneAssignment.inspector_id == failing.id)).all()
        assert failing.id not in {m.inspector_id for m in session.exec(select(InspectionMember)).all()}
        assert _team_sizes(session) == teams_before  # each team got a replacement


def _team_sizes(session) -> Counter:
    return Counter(session.exec(select(InspectionMember.inspection_id)).all())


def test_inspectors_ratio_on_the_command_line(seeded):
    shown = run_cli("inspectors", "ratio", "--as-of", "2026-03-01")
    assert shown.returncode == 0 and "督学配备比例报告" in shown.stdout and "应配挂牌督学" in shown.stdout
    report = json.loads(run_cli("inspectors", "ratio", "--as-of", "2026-03-01", "--json").stdout)
    assert report["schools"] == 60 and report["large"] == 4 and report["required"] == 16
    assert report["listed_serving"] == 18 and report["ratio_met"]  # the sample roster meets 1:5 / 1:1
