"""annual-cycle: carry the year's plan into the cycle (实施方案 §二: the annual comprehensive inspection, by the
年度督导工作计划). The plan opens its targets when it is drawn up (annual-plan, 2 January); this January schedule
checks that the plan is there and lists what it opened. A year without a plan is refused with one line naming
annual-plan: no inspection is opened outside the plan."""

from datetime import date

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.runtime import flow_run
from prefect.states import Failed

from core import clock
from core.db import session_scope
from core.errors import InputError
from flows.naming import district_suffix
from models import KIND_LABELS, Unit
from tasks.cycle.annual_openings import plan_problem, planned_inspections


def cycle_rows(year: int) -> list[dict]:
    """The plan's announced inspections as rows; InputError (one line naming annual-plan) without a plan."""
    with session_scope() as session:
        problem = plan_problem(session, year)
        if problem:
            raise InputError(problem)
        return [{"编号": i.code, "督导类型": KIND_LABELS[i.kind], "被督导单位": session.get(Unit, i.unit_id).name,
                 "实地督导日期": str(i.visit_on)} for i in planned_inspections(session, year)]


@task(name="carry-annual-plan", task_run_name="carry the annual plan · {year}")
def carry_plan(year: int) -> list[dict]:
    return cycle_rows(year)


def _cycle_run_name() -> str:
    """The January schedule passes no year: the run is named after the year it opens."""
    return f"{flow_run.parameters.get('year') or clock.today().year}年度综合督导{district_suffix()}"


@flow(name="annual-cycle", flow_run_name=_cycle_run_name)
def annual_cycle(year: int | None = None, as_of: date | None = None) -> int:
    """Carry the year's plan: its inspections (opened with the plan) go on by the daily sweep.

    Args:
        year: the inspection year (default: the year of `as_of`, as the January schedule runs it).
        as_of: the day the schedule runs (default: today).

    Returns:
        how many announced inspections the plan holds; without a plan, a failed state whose message is the
        one line naming annual-plan.
    """
    as_of = clock.resolve(as_of)
    year = year or as_of.year
    with session_scope() as session:
        problem = plan_problem(session, year)
    if problem:
        return Failed(message=problem)
    rows = carry_plan(year)
    if rows:
        create_table_artifact(rows, key=f"annual-cycle-{year}", description=f"{year}年度督导安排（按年度计划）")
    return len(rows)
