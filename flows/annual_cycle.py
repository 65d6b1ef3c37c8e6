"""annual-cycle: open the year's annual comprehensive inspections (实施方案 §二: once a year)."""

from datetime import date

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.runtime import flow_run

from core import clock
from core.db import session_scope
from flows.naming import district_suffix
from models import Unit
from rules.runtime import load_runtime
from tasks.cycle.annual_openings import open_annual_inspections


@task(name="open-annual-inspections", task_run_name="open annual inspections · {year}")
def open_annual(year: int, as_of: date) -> list[dict]:
    rt = load_runtime()
    with session_scope() as session:
        created = open_annual_inspections(session, year=year, rt=rt, as_of=as_of)
        return [{"编号": i.code, "被督导单位": session.get(Unit, i.unit_id).name, "实地督导日期": str(i.visit_on)}
                for i in created]


def _cycle_run_name() -> str:
    """The January schedule passes no year: the run is named after the year it opens."""
    return f"{flow_run.parameters.get('year') or clock.today().year}年度综合督导{district_suffix()}"


@flow(name="annual-cycle", flow_run_name=_cycle_run_name)
def annual_cycle(year: int | None = None, as_of: date | None = None) -> int:
    """Open the annual inspections of `year`; the daily sweep carries them from there.

    Args:
        year: the inspection year (default: the year of `as_of`, as the January schedule runs it).
        as_of: the day of planning (default: today).

    Returns:
        how many inspections were opened now.
    """
    as_of = clock.resolve(as_of)
    year = year or as_of.year
    rows = open_annual(year, as_of)
    if rows:
        create_table_artifact(rows, key=f"annual-cycle-{year}", description=f"{year}年度综合督导安排")
    return len(rows)
