"""The simulated office beyond the daily round: it draws up the year's plan on the first working day (the
annual-plan flow's own step, so the year's annual inspections follow the rotation, with its 双随机, 暗访,
term-end and private-school targets), starts a special inspection and the year's emergencies by hand (the
special- and emergency-inspection flows' own steps), as rules/occasions.py decides."""

from datetime import date

from sqlmodel import Session, select

from models import SimulationRun, Unit, UnitKind
from rules import occasions
from rules.runtime import Runtime
from tasks.cycle.special_emergency import (
    EmergencyInspectionInput,
    SpecialInspectionInput,
    start_emergency,
    start_special,
)
from tasks.planning.drawing import draw_up


def plan_year(session: Session, run: SimulationRun, as_of: date, rt: Runtime) -> dict:
    """The annual-plan step for the simulated year: the published seed derived from the year, as by default;
    the sealed covert seed from the run's seed (so the year repeats)."""
    return draw_up(session, year=run.year, rt=rt, as_of=as_of, covert_seed=occasions.covert_seed(run.seed, run.year))


def start_by_hand(session: Session, seed: int, as_of: date, rt: Runtime) -> int:
    """Start today's special inspection and emergencies, if today is their day; returns how many were started."""
    if not rt.calendar.is_workday(as_of):
        return 0
    started = 0
    special_on, theme = occasions.special_day(seed, as_of.year)
    first, last = occasions.emergency_season(as_of.year)
    special_today = rt.calendar.next_workday(special_on) == as_of
    if not special_today and not first <= as_of <= rt.calendar.next_workday(last):
        return 0  # the schools' codes are read only on a day something may start (30,000 of them, twice daily)
    codes = _school_codes(session)
    if special_today:
        units = occasions.special_units(seed, as_of.year, codes)
        start_special(session, SpecialInspectionInput(theme=theme, units=units, as_of=as_of), rt, as_of)
        started += 1
    for day, code, reason in occasions.emergencies(seed, as_of.year, codes):
        if rt.calendar.next_workday(day) == as_of:
            start_emergency(session, EmergencyInspectionInput(unit=code, reason=reason, as_of=as_of), rt, as_of)
            started += 1
    return started


def _school_codes(session: Session) -> list[str]:
    return list(session.exec(select(Unit.code).where(Unit.kind == UnitKind.SCHOOL).order_by(Unit.code)).all())
