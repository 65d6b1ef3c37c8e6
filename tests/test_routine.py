"""Routine visits (挂牌督导): a batch of visit records over the eight items; a problem opens a finding that
follows the rectification path; coverage against two visits a semester; bad rows refused, nothing written."""

import json
from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from core.db import session_scope
from models import Finding, Inspection, Inspector, RectificationItem, Unit
from models.planning import RoutineVisit, ZoneAssignment
from rules.runtime import load_runtime
from tasks.cycle.routine_visits import routine_items
from tasks.roster.zones import assign_zones
from tasks.sweep import sweep_day
from tests.conftest import run_cli

ROUTINE_ITEMS = routine_items(date(2026, 4, 8))  # the areas of data/indicators/guapai-2026.1.toml
HEADER = "school,inspector,visit_on," + ",".join(ROUTINE_ITEMS) + "\n"


def _responsible(code: str) -> str:
    with session_scope() as session:
        return session.exec(select(Inspector.code).join(ZoneAssignment, ZoneAssignment.inspector_id == Inspector.id)
                            .join(Unit, ZoneAssignment.unit_id == Unit.id).where(Unit.code == code)).one()


def test_a_visit_that_finds_a_problem_opens_the_rectification_path(seeded, tmp_path):
    rt = load_runtime()
    with session_scope() as session:
        assign_zones(session, date(2026, 3, 1), rt)
    school_a, school_b = "S005", "S006"
    empty = "," * (len(ROUTINE_ITEMS) - 1)
    problem = ",".join("食堂留样记录缺3天" if item == "食堂、饮水与宿舍卫生" else "" for item in ROUTINE_ITEMS)
    visits = tmp_path / "visits.csv"
    visits.write_text(HEADER + f"{school_a},{_responsible(school_a)},2026-04-08,{empty}\n"
                      f"{school_b},{_responsible(school_b)},2026-04-09,{problem}\n", encoding="utf-8")
    result = run_cli("visits", "import", str(visits), "--as-of", "2026-04-09")
    assert result.returncode == 0, result.stderr
    assert run_cli("visits", "import", str(visits)).stdout.startswith("0 visits recorded")  # once per visit
    with session_scope() as session:
        rows = session.exec(select(RoutineVisit).order_by(RoutineVisit.visit_on)).all()
        assert [r.problems for r in rows] == [0, 1] and rows[0].inspection_id is None
        assert set(json.loads(rows[0].items)) == set(ROUTINE_ITEMS)
        inspection = session.get(Inspection, rows[1].inspection_id)
        assert inspection.kind == "routine" and inspection.stage == "onsite" and inspection.notice_on is None
        finding = session.exec(select(Finding).where(Finding.inspection_id == inspection.id)).one()
        assert finding.area == "食堂、饮水与宿舍卫生"
    for n in range(1, 16):
        with session_scope() as session:
            sweep_day(session, date(2026, 4, 9) + timedelta(days=n), rt)
    with session_scope() as session:
        assert session.get(Inspection, inspection.id).stage == "rectifying"
        assert session.exec(select(func.count()).where(RectificationItem.inspection_id == inspection.id)).one() == 1
    report = json.loads(run_cli("visits", "coverage", "--semester", "2026-1", "--json").stdout)
    assert report["required"] == 2 and report["short"][school_a] == 1 and report["short"]["S001"] == 2


def test_a_visit_row_by_a_recused_inspector_is_refused_and_nothing_is_written(seeded, tmp_path):
    empty = "," * (len(ROUTINE_ITEMS) - 1)
    visits = tmp_path / "visits.csv"
    visits.write_text(HEADER + f"S001,I004,2026-04-08,{empty}\nS028,I009,2026-04-08,{empty}\n", encoding="utf-8")
    result = run_cli("visits", "import", str(visits))
    assert result.returncode == 2
    assert result.stderr.strip() == f"dudao：错误：{visits}:3：I009 不能于 2026-04-08 督导 S028（须回避或不在任期内）"
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(RoutineVisit)).one() == 0


def test_the_items_are_the_frameworks_areas_and_problems_keep_their_order():
    from rules.routine import problems_of

    assert len(ROUTINE_ITEMS) == 8 and ROUTINE_ITEMS[0] == "校务管理" and "食堂、饮水与宿舍卫生" in ROUTINE_ITEMS
    found = problems_of({ROUTINE_ITEMS[6]: " 留样缺3天 ", ROUTINE_ITEMS[1]: "公示不全", ROUTINE_ITEMS[3]: "  "},
                        ROUTINE_ITEMS)
    assert found == [(ROUTINE_ITEMS[1], "公示不全"), (ROUTINE_ITEMS[6], "留样缺3天")]
    with pytest.raises(ValueError, match="未知的项目“食堂/饮水/宿舍卫生”"):
        problems_of({"食堂/饮水/宿舍卫生": "x"}, ROUTINE_ITEMS)


def test_a_visits_file_with_the_old_item_names_is_refused_naming_the_items(seeded, tmp_path):
    visits = tmp_path / "visits.csv"
    visits.write_text("school,inspector,visit_on,食堂/饮水/宿舍卫生\nS001,I004,2026-04-08,\n", encoding="utf-8")
    result = run_cli("visits", "import", str(visits), "--as-of", "2026-04-09")
    assert result.returncode == 2
    assert f"{visits}:1：表头须为 school、inspector、visit_on 及各项 校务管理、" in result.stderr


def _visit_rows(rows: list[tuple[str, str, str]]) -> str:
    empty = "," * (len(ROUTINE_ITEMS) - 1)
    return HEADER + "".join(f"{school},{inspector},{day},{empty}\n" for school, inspector, day in rows)


def _another_inspector(school: str) -> str:
    """A serving inspector who may visit `school` but is not its responsible one."""
    from tasks.roster.lookups import candidates

    responsible = _responsible(school)
    with session_scope() as session:
        unit = session.exec(select(Unit).where(Unit.code == school)).one()
        codes = dict(session.exec(select(Inspector.id, Inspector.code)).all())
        return next(codes[c.inspector_id] for c in candidates(session)
                    if codes[c.inspector_id] != responsible and c.may_inspect(unit.id, date(2026, 4, 8)))


def test_only_the_responsible_inspectors_visits_cover_a_school(seeded, tmp_path):
    rt = load_runtime()
    with session_scope() as session:
        assign_zones(session, date(2026, 3, 1), rt)
    other = _another_inspector("S005")
    visits = tmp_path / "visits.csv"
    visits.write_text(_visit_rows([("S005", other, "2026-04-08"), ("S005", other, "2026-05-08"),
                                   ("S006", _responsible("S006"), "2026-04-08"),
                                   ("S006", _responsible("S006"), "2026-05-08")]), encoding="utf-8")
    assert run_cli("visits", "import", str(visits), "--as-of", "2026-05-08").returncode == 0
    report = json.loads(run_cli("visits", "coverage", "--semester", "2026-1", "--json").stdout)
    assert report["short"]["S005"] == 2 and "S006" not in report["short"]
    assert report["by_others"] == {"S005": 2}
    text = run_cli("visits", "coverage", "--semester", "2026-1").stdout
    assert "visits by other inspectors (not counted): S005 2" in text


def test_schools_short_of_visits_are_flagged_once_on_the_semesters_check_day(seeded, tmp_path):
    from sqlmodel import delete

    from models import Notice
    from tasks.cycle.routine_visits import flag_routine_shortfalls

    rt = load_runtime()
    with session_scope() as session:
        assign_zones(session, date(2026, 3, 1), rt)
        codes = session.exec(select(Unit.code).where(Unit.kind == "school").order_by(Unit.code)).all()
        last = session.exec(select(Unit.id).where(Unit.code == codes[-1])).one()
        session.exec(delete(ZoneAssignment).where(ZoneAssignment.unit_id == last))  # its inspector left
    schools, unzoned = codes[:-1], codes[-1:]
    covered = [(s, _responsible(s), day) for s in schools[1:] for day in ("2026-03-10", "2026-05-12")]
    visits = tmp_path / "visits.csv"
    visits.write_text(_visit_rows(covered + [(schools[0], _responsible(schools[0]), "2026-04-08")]), encoding="utf-8")
    assert run_cli("visits", "import", str(visits), "--as-of", "2026-05-12").returncode == 0
    with session_scope() as session:
        assert flag_routine_shortfalls(session, date(2026, 6, 12), rt) == []  # before the check day (06-15)
    with session_scope() as session:
        assert flag_routine_shortfalls(session, date(2026, 6, 15), rt) == [1]
    with session_scope() as session:
        assert flag_routine_shortfalls(session, date(2026, 6, 16), rt) == []  # once a semester
        notice = session.exec(select(Notice).where(Notice.kind == "routine_shortfall")).one()
        inspector = session.exec(select(Inspector).where(Inspector.code == _responsible(schools[0]))).one()
    assert notice.key == "routine:2026-1:shortfall" and notice.subject == "【挂牌督导情况提示】南岸区政府教育督导室"
    assert f"{schools[0]} " in notice.body_text and "已督导1次，尚缺1次" in notice.body_text
    assert inspector.name in notice.body_text and inspector.email in notice.recipients
    assert all(f"{s} " not in notice.body_text for s in schools[1:])
    assert f"{unzoned[0]} " in notice.body_text  # no responsible inspector: flagged as such
    assert notice.body_text.count("未配备挂牌责任督学") == len(unzoned)
    with session_scope() as session:  # the autumn semester is checked on its own day; a sweep that missed it
        assert flag_routine_shortfalls(session, date(2026, 12, 14), rt) == []  # sends it later that month
        assert flag_routine_shortfalls(session, date(2027, 1, 4), rt) == []  # no time left to catch up
        assert flag_routine_shortfalls(session, date(2026, 12, 28), rt) == [1]
        autumn = session.exec(select(Notice).where(Notice.key == "routine:2026-2:shortfall")).one()
    assert f"{schools[1]} " in autumn.body_text and "2026年秋季学期" in autumn.body_text


def test_a_visit_check_day_outside_its_semester_is_refused():
    from rules.policy import InspectorPolicy

    with pytest.raises(ValueError, match="visit_check_on: \\['12-15', '06-15'\\] 须为春季学期"):
        InspectorPolicy(visit_check_on=("12-15", "06-15"))
    with pytest.raises(ValueError, match="visit_check_on: '06-31' 不是 MM-DD 格式的日期"):
        InspectorPolicy(visit_check_on=("06-31", "12-15"))


def _simulate_visits(seed: int, start: date, end: date) -> list[tuple]:
    from tasks.simulation.visits import simulate_routine_visits

    rt = load_runtime()
    day = start
    while day <= end:
        with session_scope() as session:
            simulate_routine_visits(session, seed, day, rt)
        day += timedelta(days=1)
    with session_scope() as session:
        return [tuple(r) for r in session.exec(select(RoutineVisit.unit_id, RoutineVisit.inspector_id,
                                                      RoutineVisit.visit_on, RoutineVisit.by_responsible)
                                               .order_by(RoutineVisit.unit_id, RoutineVisit.visit_on)).all()]


def test_simulated_responsible_inspectors_visit_their_schools_on_working_days(seeded):
    from sqlmodel import delete

    rt = load_runtime()
    with session_scope() as session:
        assign_zones(session, date(2026, 2, 20), rt)
        responsible = dict(session.exec(select(ZoneAssignment.unit_id, ZoneAssignment.inspector_id)).all())
    visits = _simulate_visits(7, date(2026, 2, 20), date(2026, 7, 10))
    assert visits and all(responsible[unit] == inspector and by for unit, inspector, _, by in visits)
    assert all(rt.calendar.is_workday(day) and date(2026, 3, 1) <= day <= date(2026, 7, 6) for *_, day, _ in visits)
    per_school = {unit: sum(1 for v in visits if v[0] == unit) for unit in responsible}
    assert max(per_school.values()) == 2 and min(per_school.values()) < 2  # most have both visits, not all
    assert sum(1 for n in per_school.values() if n == 2) > len(per_school) / 2
    report = json.loads(run_cli("visits", "coverage", "--semester", "2026-1", "--json").stdout)
    with session_scope() as session:
        codes = dict(session.exec(select(Unit.id, Unit.code).where(Unit.kind == "school")).all())
    unzoned = {codes[u]: 2 for u in codes if u not in responsible}  # nobody responsible: no visit
    assert report["short"] == {**{codes[u]: 2 - n for u, n in per_school.items() if n < 2}, **unzoned}
    with session_scope() as session:  # the same seed makes the same visits; another seed others
        session.exec(delete(RoutineVisit))
    assert _simulate_visits(7, date(2026, 2, 20), date(2026, 7, 10)) == visits
    with session_scope() as session:
        session.exec(delete(RoutineVisit))
    assert _simulate_visits(8, date(2026, 2, 20), date(2026, 7, 10)) != visits
