"""Recusal holds after the plan too: a conflict declared later, a roster re-imported with a new conflict, or a
dismissal takes the inspector off every future team of the unit (balanced replacement, team size kept) and off
the school's zone; a covert team's change names nothing; where no replacement exists the declaration is
refused with a clear error and nothing is written."""

import json
from datetime import date

from sqlmodel import func, select

from core.db import session_scope
from models import AuditEvent, Inspection, InspectionMember, Inspector, Unit
from models.planning import InspectorConflict, InspectorExit, ZoneAssignment
from tasks.roster.lookups import candidates
from tests.conftest import run_cli

AS_OF = date(2027, 1, 4)
LATER = date(2027, 1, 11)
HEADER = "督学代码,姓名,电子邮箱,专职,挂牌督学,工作单位代码,聘期开始,聘期结束,连任届数,曾任职单位代码,申报回避单位代码\n"


def _plan() -> None:
    from flows.annual_plan import draw_up_plan

    draw_up_plan(2027, AS_OF, 9, 7)


def _team(session, inspection_id: int) -> list[int]:
    return sorted(session.exec(select(InspectionMember.inspector_id).where(
        InspectionMember.inspection_id == inspection_id)).all())


def _a_member_of_a_future_school_inspection(session, kind: str = "annual") -> tuple[Inspection, Inspector, Unit]:
    inspection = session.exec(select(Inspection).join(Unit, Inspection.unit_id == Unit.id).where(
        Inspection.kind == kind, Unit.kind == "school", Inspection.visit_on > LATER).order_by(Inspection.code)).first()
    member = session.get(Inspector, _team(session, inspection.id)[0])
    return inspection, member, session.get(Unit, inspection.unit_id)


def _assert_valid(session, inspection: Inspection, size: int) -> None:
    pool = {c.inspector_id: c for c in candidates(session)}
    team = _team(session, inspection.id)
    assert len(team) == size
    assert all(pool[i].may_inspect(inspection.unit_id, inspection.visit_on) for i in team), inspection.code


def test_a_conflict_declared_after_the_plan_takes_the_inspector_off_the_team(seeded):
    _plan()
    with session_scope() as session:
        inspection, member, unit = _a_member_of_a_future_school_inspection(session)
        size = len(_team(session, inspection.id))
    shown = run_cli("inspectors", "conflict", "--inspector", member.code, "--unit", unit.code, "--reason", "配偶任职",
                    "--as-of", str(LATER))
    assert shown.returncode == 0, shown.stderr
    assert inspection.code in shown.stdout
    with session_scope() as session:
        assert member.id not in _team(session, inspection.id)
        _assert_valid(session, session.get(Inspection, inspection.id), size)
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "inspection",
                                                      AuditEvent.entity_id == inspection.id,
                                                      AuditEvent.event == "team_change")).one()
        assert json.loads(event.detail)["out"] == member.code


def test_a_responsible_inspector_in_conflict_leaves_the_school_zone(seeded):
    from tasks.roster.team_upkeep import declare_conflict

    _plan()
    with session_scope() as session:
        zone = session.exec(select(ZoneAssignment).order_by(ZoneAssignment.unit_id)).first()
        inspector, unit = session.get(Inspector, zone.inspector_id), session.get(Unit, zone.unit_id)
        others = session.exec(select(func.count()).where(ZoneAssignment.inspector_id == inspector.id)).one()
        declare_conflict(session, inspector, unit, "子女就读", LATER)
    with session_scope() as session:
        assert session.get(ZoneAssignment, unit.id) is None
        assert session.exec(select(func.count()).where(ZoneAssignment.inspector_id == inspector.id)).one() == others - 1


def test_a_reimported_roster_row_with_a_new_conflict_takes_the_inspector_off_the_team(seeded, tmp_path):
    _plan()
    with session_scope() as session:
        inspection, member, unit = _a_member_of_a_future_school_inspection(session)
        size = len(_team(session, inspection.id))
        employer = session.get(Unit, member.employer_unit_id).code if member.employer_unit_id else ""
        row = (f"{member.code},{member.name},{member.email},{'是' if member.full_time else '否'},"
               f"{'是' if member.listed else '否'},{employer},{member.term_start},{member.term_end},"
               f"{member.consecutive_terms},,{unit.code}\n")
    roster = tmp_path / "roster.csv"
    roster.write_text(HEADER + row, encoding="utf-8")
    result = run_cli("inspectors", "import", str(roster), "--as-of", str(LATER))
    assert result.returncode == 0, result.stderr
    with session_scope() as session:
        assert member.id not in _team(session, inspection.id)
        _assert_valid(session, session.get(Inspection, inspection.id), size)


def test_dismissing_a_covert_team_member_names_no_covert_visit(seeded):
    from tasks.roster.records import dismiss

    _plan()
    with session_scope() as session:
        covert = session.exec(select(Inspection).where(Inspection.covert.is_(True), Inspection.visit_on > LATER)
                              .order_by(Inspection.visit_on)).first()
        size = len(_team(session, covert.id))
        leaving = session.get(Inspector, _team(session, covert.id)[0])
        dismiss(session, leaving, LATER, "本人辞职")
    with session_scope() as session:
        assert leaving.id not in _team(session, covert.id)
        _assert_valid(session, session.get(Inspection, covert.id), size)
        details = session.exec(select(AuditEvent.detail).where(AuditEvent.event.in_(("dismiss", "team_change")))).all()
        sealed = session.exec(select(AuditEvent.detail).where(AuditEvent.entity == "inspection",
                                                              AuditEvent.entity_id == covert.id)).all()
    assert details and not [d for d in details if covert.code in d]
    assert json.loads(next(d for d in details if "replaced_on" in d))["replaced_on"]  # announced ones are named
    assert all(json.loads(d) == {"covert": True, "sealed_until_visit": True} for d in sealed)


def test_a_conflict_with_no_replacement_is_refused_and_nothing_is_written(seeded):
    _plan()
    with session_scope() as session:
        inspection, member, unit = _a_member_of_a_future_school_inspection(session)
        team = set(_team(session, inspection.id))
        for other in session.exec(select(Inspector.id)).all():
            if other not in team:
                session.add(InspectorConflict(inspector_id=other, unit_id=unit.id, reason="t", declared_on=AS_OF))
        declared = session.exec(select(func.count()).select_from(InspectorConflict)).one()
    result = run_cli("inspectors", "conflict", "--inspector", member.code, "--unit", unit.code, "--reason", "配偶任职",
                     "--as-of", str(LATER))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1] == (
        f"dudao：错误：{member.code} 须退出 {inspection.code} ({unit.code}, {inspection.visit_on}) 的督导组，"
        "但没有其他无利益冲突且在任的督学可以接替；请先在名册中增加督学（未写入任何数据）")
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(InspectorConflict)).one() == declared
        assert set(_team(session, inspection.id)) == team


def test_an_inspector_leaves_the_roster_on_the_command_line(seeded):
    _plan()
    with session_scope() as session:
        inspection, member, _unit = _a_member_of_a_future_school_inspection(session)
        size = len(_team(session, inspection.id))
    shown = run_cli("inspectors", "exit", "--inspector", member.code, "--reason", "调离教育系统", "--as-of", str(LATER))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"{member.code} leaves the roster after {LATER}; replaced on ")
    assert inspection.code in shown.stdout
    with session_scope() as session:
        exit_row = session.get(InspectorExit, member.id)
        assert exit_row.on == LATER and exit_row.reason == "调离教育系统"
        _assert_valid(session, session.get(Inspection, inspection.id), size)
        assert not session.exec(select(ZoneAssignment).where(ZoneAssignment.inspector_id == member.id)).all()
    again = run_cli("inspectors", "exit", "--inspector", member.code, "--reason", "x", "--as-of", str(LATER))
    assert again.returncode == 2 and f"{member.code} 已离任" in again.stderr
    unknown = run_cli("inspectors", "exit", "--inspector", "I999", "--reason", "x")
    assert unknown.returncode == 2 and "台账中没有代码为“I999”的督学" in unknown.stderr
