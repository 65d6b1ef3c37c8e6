"""Open the year's annual comprehensive inspections: every member department, town/street and school."""

from collections import Counter
from datetime import date, timedelta

from sqlmodel import Session, select

from dudao.runtime import Runtime
from models import Inspection, InspectionKind, InspectionMember, Inspector, Unit, UnitKind
from models.lifecycle import record
from rules.assignment import Candidate, assign_team

ANNUAL_TARGET_KINDS = (UnitKind.DEPARTMENT, UnitKind.TOWN, UnitKind.SCHOOL)


def visit_days(rt: Runtime, year: int) -> list[date]:
    """The working days of the year's visit window."""
    start, end = rt.policy.annual.window(year)
    days, day = [], start
    while day <= end:
        if rt.calendar.is_workday(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def open_annual_inspections(session: Session, *, year: int, rt: Runtime, as_of: date) -> list[Inspection]:
    """Create the year's annual inspections (once: existing ones are kept). Returns those created."""
    targets = session.exec(select(Unit).where(Unit.kind.in_(ANNUAL_TARGET_KINDS)).order_by(Unit.code)).all()
    existing = set(session.exec(select(Inspection.unit_id).where(
        Inspection.year == year, Inspection.kind == InspectionKind.ANNUAL)).all())
    days = visit_days(rt, year)
    candidates, load = _candidates(session), Counter()
    created = []
    for n, unit in enumerate(targets):
        if unit.id in existing:
            continue
        visit_on = days[n * len(days) // len(targets)]
        inspection = _new_inspection(rt, year, n + 1, unit, visit_on)
        session.add(inspection)
        session.flush()
        team = assign_team(candidates, unit.id, rt.policy.inspection.team_min, load)
        for position, inspector_id in enumerate(team):
            session.add(InspectionMember(inspection_id=inspection.id, inspector_id=inspector_id,
                                         role="lead" if position == 0 else "member"))
        record(session, "inspection", inspection.id, "plan", as_of=as_of, to_stage=inspection.stage,
               detail={"visit_on": visit_on, "team": team, "policy": rt.policy.version})
        created.append(inspection)
    return created


def _new_inspection(rt: Runtime, year: int, seq: int, unit: Unit, visit_on: date) -> Inspection:
    return Inspection(
        code=f"{year}-ZH-{seq:03d}", year=year, kind=InspectionKind.ANNUAL, unit_id=unit.id,
        notice_on=visit_on - timedelta(days=rt.policy.inspection.notice_days_before_visit),
        self_assessment_due=rt.calendar.add_workdays(
            visit_on, -rt.policy.inspection.self_assessment_workdays_before_visit),
        visit_on=visit_on,
    )


def _candidates(session: Session) -> list[Candidate]:
    inspectors = session.exec(select(Inspector).order_by(Inspector.code)).all()
    return [Candidate(i.id, frozenset({i.employer_unit_id} - {None})) for i in inspectors]
