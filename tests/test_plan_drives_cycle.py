"""The plan drives the year (issue 16): annual-cycle opens nothing beyond the year's plan, and refuses a year
without one with one line naming annual-plan (CLI exit 2; a failed Prefect state whose message is that line)."""

from collections import Counter
from datetime import date

from sqlmodel import func, select

from core.db import session_scope
from models import Inspection, Unit
from models.planning import PlanEntry
from rules.frequency import ANNOUNCED, semester_of
from tests.conftest import run_cli

PLAN_DAY, CYCLE_DAY = date(2027, 1, 4), date(2027, 1, 6)


def _announced_by_semester(session, code: str) -> Counter:
    rows = session.exec(select(Inspection.kind, Inspection.visit_on).join(Unit, Inspection.unit_id == Unit.id).where(
        Unit.code == code, Inspection.kind.in_(ANNOUNCED), Inspection.covert.is_(False))).all()
    return Counter(semester_of(day) for _kind, day in rows)


def test_the_2027_cycle_opens_exactly_the_plans_targets(seeded, prefect_harness):
    from flows.annual_cycle import annual_cycle
    from flows.annual_plan import draw_up_plan

    draw_up_plan(2027, PLAN_DAY, None, 7)
    with session_scope() as session:
        before = session.exec(select(func.count()).select_from(Inspection)).one()
    carried = annual_cycle(2027, CYCLE_DAY)
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(Inspection)).one() == before  # nothing beyond the plan
        schools = session.exec(select(Unit.code).join(Inspection, Inspection.unit_id == Unit.id).where(
            Inspection.year == 2027, Inspection.kind == "annual", Unit.kind == "school")).all()
        planned = session.exec(select(Unit.code).join(PlanEntry, PlanEntry.unit_id == Unit.id).where(
            PlanEntry.year == 2027, PlanEntry.kind == "annual", PlanEntry.status.in_(("scheduled", "moved")),
            Unit.kind == "school")).all()
        assert sorted(schools) == sorted(planned) and len(schools) == 20  # the rotation's third, not all 60
        # S016's principal leaves in June 2027: one comprehensive visit that semester, not a term-end and an annual
        assert max(_announced_by_semester(session, "S016").values()) == 1
        for code in session.exec(select(Unit.code).where(Unit.kind == "school")).all():
            assert max(_announced_by_semester(session, code).values(), default=0) <= 1, code
        listed = session.exec(select(func.count()).select_from(Inspection).where(
            Inspection.year == 2027, Inspection.covert.is_(False))).one()
    assert carried == listed  # the plan's announced inspections, covert visits never listed


def test_without_a_plan_the_cycle_is_refused_in_one_line_and_writes_nothing(seeded, prefect_harness):
    from flows.annual_cycle import annual_cycle

    state = annual_cycle(2027, CYCLE_DAY, return_state=True)
    assert state.is_failed()
    assert state.message == ("2027年度督导工作计划尚未编制：年度综合督导按计划开展，请先运行 annual-plan"
                             "（dudao plan --year 2027）")
    done = run_cli("cycle", "--year", "2027", "--as-of", "2027-01-06")
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "annual-plan" in lines[0] and "2027年度督导工作计划尚未编制" in lines[0]
    assert "Traceback" not in done.stderr and done.stdout == ""
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(Inspection)).one() == 0


def test_the_cli_cycle_after_the_plan_lists_it_and_opens_nothing_more(seeded):
    assert run_cli("plan", "--year", "2027", "--as-of", "2027-01-04", "--json").returncode == 0
    with session_scope() as session:
        before = session.exec(select(func.count()).select_from(Inspection)).one()
    done = run_cli("cycle", "--year", "2027", "--as-of", "2027-01-06")
    assert done.returncode == 0, done.stderr
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(Inspection)).one() == before
        announced = session.exec(select(func.count()).select_from(Inspection).where(
            Inspection.covert.is_(False))).one()
    assert f'"inspections": {announced}' in done.stdout
