"""Open the year's annual comprehensive inspections: every member department, town/street and school
(the demo simulation), or the subset the annual plan chooses. Codes and visit days come from one slot
table, so the plan and the simulation never disagree about a unit's code or day."""

from collections import Counter
from datetime import date, timedelta

from sqlmodel import Session, select

from models import Inspection, InspectionKind, Unit, UnitKind
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
