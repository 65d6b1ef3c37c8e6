"""The year's annual comprehensive inspections. The annual plan (tasks/planning) chooses the targets (督政 of
every department and town, schools by their 3–5 year rotation, merges that keep a school to one visit a
semester) and opens them here, in the plan's transaction; the annual-cycle schedule only carries the plan and
refuses a year without one (`plan_problem`). Codes and visit days come from one slot table."""

from collections import Counter
from datetime import date, timedelta

from sqlmodel import Session, select

from models import Inspection, InspectionKind, Unit, UnitKind
from models.planning import AnnualPlan, PlanEntry
from rules.assignment import TeamPicker
from rules.runtime import Runtime
from tasks.cycle.opening import Opening, open_inspections
from tasks.roster.lookups import candidates as roster_candidates
from tasks.roster.teams import pick_team, year_load

ANNUAL_TARGET_KINDS = (UnitKind.DEPARTMENT, UnitKind.TOWN, UnitKind.SCHOOL)


def visit_days(rt: Runtime, year: int) -> list[date]:
    """The working days of the year's visit window."""
    start, end = rt.policy.annual.window(year)
    return workdays_between(rt, start, end)


def workdays_between(rt: Runtime, start: date, end: date) -> list[date]:
    days, day = [], start
    while day <= end:
        if rt.calendar.is_workday(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def annual_slots(session: Session, year: int, rt: Runtime) -> list[tuple[int, Unit, date]]:
    """(sequence number, unit, visit day) for every unit the annual cycle may inspect, in code order."""
    targets = session.exec(select(Unit).where(Unit.kind.in_(ANNUAL_TARGET_KINDS)).order_by(Unit.code)).all()
    days = visit_days(rt, year)
    return [(n + 1, unit, days[n * len(days) // len(targets)]) for n, unit in enumerate(targets)]


def open_annual_inspections(session: Session, *, year: int, rt: Runtime, as_of: date,
                            unit_ids: set[int] | None = None, load: Counter | None = None) -> list[Inspection]:
    """Create the year's annual inspections (once: existing ones are kept), for `unit_ids` or every target.
    Teams: `team_min` inspectors in term on the visit day, none recused, the least loaded first.
    Returns those created; a unit without a valid team raises InputError naming it."""
    existing = set(session.exec(select(Inspection.unit_id).where(
        Inspection.year == year, Inspection.kind == InspectionKind.ANNUAL)).all())
    candidates = roster_candidates(session)
    load = year_load(session, year) if load is None else load
    openings, picker = [], TeamPicker(candidates, load)
    for seq, unit, visit_on in annual_slots(session, year, rt):
        if unit.id in existing or (unit_ids is not None and unit.id not in unit_ids):
            continue
        team = pick_team(picker, unit, rt.policy.inspection.team_min, visit_on)
        openings.append(Opening(code=f"{year}-ZH-{seq:03d}", kind=InspectionKind.ANNUAL, unit=unit,
                                visit_on=visit_on, team=team))
    return open_inspections(session, openings, rt=rt, as_of=as_of)  # all at once: in slot order, as chosen


def plan_problem(session: Session, year: int) -> str | None:
    """None when the year has a plan; else the one line that says to draw it up first."""
    if session.get(AnnualPlan, year) is not None:
        return None
    return (f"{year}年度督导工作计划尚未编制：年度综合督导按计划开展，请先运行 annual-plan"
            f"（dudao plan --year {year}）")


def planned_inspections(session: Session, year: int) -> list[Inspection]:
    """The announced inspections the year's plan opened (covert visits left out: they are never listed), by
    visit day and code. The plan's annual targets are exactly its annual inspections."""
    ids = select(PlanEntry.inspection_id).where(PlanEntry.year == year, PlanEntry.inspection_id.is_not(None))
    return list(session.exec(select(Inspection).where(
        Inspection.id.in_(ids), Inspection.covert.is_(False)).order_by(Inspection.visit_on, Inspection.code)).all())
