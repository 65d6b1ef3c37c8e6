"""Principal term-end comprehensive inspections (实施方案 §五): planned with the year, and raised by the daily
sweep as a term draws to its end when neither the plan nor another comprehensive inspection covers it."""

from datetime import date, timedelta

from sqlmodel import Session, select

from models import Inspection, Principal, Unit
from models.planning import PlanEntry
from models.queries import chunks
from rules.frequency import semester_of
from rules.runtime import Runtime
from tasks.cycle.opening import ANNOUNCED_KINDS, next_code, open_inspection
from tasks.roster.lookups import candidates
from tasks.roster.teams import choose_team, year_load

COMPREHENSIVE = ("annual", "term_end")
GRACE_AFTER_TERM = timedelta(days=90)


def announced_in_semester(session: Session, unit_id: int, semester: str) -> int:
    """Announced inspections of the unit whose visit falls in the semester (what the cap counts)."""
    rows = session.exec(select(Inspection.visit_on).where(
        Inspection.unit_id == unit_id, Inspection.kind.in_(ANNOUNCED_KINDS), Inspection.covert.is_(False))).all()
    return sum(1 for day in rows if day is not None and semester_of(day) == semester)


def raise_term_end_inspections(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """Sweep step: for each principal whose term ends within the lead time, open the term-end inspection
    unless it is planned or covered. Its visit is announced, so it lands a notice period from today."""
    lead = rt.policy.planning.term_end_lead_days
    # Columns, not entities: every day reads the whole lead window (a sixth of a year's term ends), nearly
    # all of them planned or covered; only a principal to raise is loaded as an object. Sorted here, not by
    # ORDER BY Unit.code: with it SQLite walked every unit by its code index and probed its principals, daily.
    # (Unit code, principal id) is the order that walk gave.
    window = session.exec(select(Principal.id, Unit.id, Principal.term_end, Unit.code).join(
        Unit, Principal.unit_id == Unit.id).where(
        Principal.term_end >= as_of, Principal.term_end <= as_of + timedelta(days=lead))).all()
    if not window:
        return []
    due = [row[:3] for row in sorted(window, key=lambda row: (row[3], row[0]))]
    planned = planned_among(session, [principal_id for principal_id, _, _ in due])
    visits = comprehensive_visits(session, [unit_id for _, unit_id, _ in due])
    opened = []
    for principal_id, unit_id, term_end in due:
        if principal_id in planned or covers(visits.get(unit_id, []), term_end, rt):
            continue
        principal, unit = session.get(Principal, principal_id), session.get(Unit, unit_id)
        opened.append(_raise(session, principal, unit, as_of, rt).id)
    return opened


def planned_among(session: Session, principal_ids: list[int]) -> set[int]:
    """Those of the principals whose term-end inspection the plan (or an earlier sweep) has."""
    planned: set[int] = set()
    for ids in chunks(principal_ids):
        planned.update(session.exec(select(PlanEntry.principal_id).where(
            PlanEntry.kind == "term_end", PlanEntry.principal_id.in_(ids))).all())
    return planned


def comprehensive_visits(session: Session, unit_ids: list[int]) -> dict[int, list[date]]:
    """Visit days of each unit's comprehensive inspections, in one query for the whole batch."""
    visits: dict[int, list[date]] = {}
    for ids in chunks(sorted(set(unit_ids))):
        for unit_id, day in session.exec(select(Inspection.unit_id, Inspection.visit_on).where(
                Inspection.unit_id.in_(ids), Inspection.kind.in_(COMPREHENSIVE),
                Inspection.covert.is_(False), Inspection.visit_on.is_not(None))).all():
            visits.setdefault(unit_id, []).append(day)
    return visits


def covers(days: list[date], term_end: date, rt: Runtime) -> bool:
    """Whether a comprehensive visit on one of `days` counts for a term ending on `term_end`."""
    earliest = term_end - timedelta(days=rt.policy.planning.term_end_window_days)
    return any(earliest <= day <= term_end + GRACE_AFTER_TERM for day in days)


def _raise(session: Session, principal: Principal, unit: Unit, as_of: date, rt: Runtime) -> Inspection:
    visit_on = rt.calendar.next_workday(as_of + timedelta(days=rt.policy.inspection.notice_days_before_visit))
    cap = rt.policy.frequency.cap_per_semester
    while announced_in_semester(session, unit.id, semester_of(visit_on)) >= cap:
        visit_on = rt.calendar.next_workday(visit_on + timedelta(days=120))  # next semester (减频提质)
    team = choose_team(candidates(session), unit, rt.policy.inspection.team_min, year_load(session, visit_on.year),
                       visit_on)
    inspection = open_inspection(session, code=next_code(session, visit_on.year, "term_end"), kind="term_end",
                                 unit=unit, visit_on=visit_on, team=team, rt=rt, as_of=as_of,
                                 theme=f"校长{principal.name}任期结束（{principal.term_end}）",
                                 detail={"principal": principal.id, "term_end": principal.term_end})
    reason = f"校长{principal.name}任期{principal.term_end}届满，自动发起任期结束综合督导"
    session.add(PlanEntry(year=visit_on.year, key=f"{visit_on.year}:term_end:{principal.id}", unit_id=unit.id,
                          kind="term_end", reason=reason, status="scheduled", semester=semester_of(visit_on),
                          inspection_id=inspection.id, principal_id=principal.id))
    return inspection


def principals_due(session: Session, year: int) -> list[tuple[Principal, Unit]]:
    """Principals whose term ends within `year` (the plan's term-end targets), by school code."""
    start, end = date(year, 1, 1), date(year, 12, 31)
    return list(session.exec(select(Principal, Unit).join(Unit, Principal.unit_id == Unit.id).where(
        Principal.term_end >= start, Principal.term_end <= end).order_by(Unit.code, Principal.id)).all())
