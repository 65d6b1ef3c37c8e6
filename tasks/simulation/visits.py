"""The simulated responsible inspectors' routine visits (挂牌督导): each school with a responsible inspector is
visited on the days rules/behaviour.routine_visit_days gives (a day off moves to the next working day), by its
responsible inspector of that day. The simulated visits find nothing: a visit that finds a problem takes the
import's path (tasks/cycle/routine_visits.record_visits), tested in tests/test_routine.py."""

import json
from datetime import date

from sqlmodel import Session, select

from models import Unit
from models.planning import RoutineVisit, ZoneAssignment
from models.queries import insert_rows
from rules import behaviour
from rules.frequency import semester_of
from rules.runtime import Runtime
from tasks.cycle.routine_visits import routine_items


def semester_window(semester: str) -> tuple[date, date]:
    """The teaching time in which routine visits fall: March–June in spring, September–December in autumn."""
    year, half = int(semester[:4]), semester[-1]
    return (date(year, 3, 1), date(year, 6, 30)) if half == "1" else (date(year, 9, 1), date(year, 12, 31))


def simulate_routine_visits(session: Session, seed: int, as_of: date, rt: Runtime) -> int:
    """File today's routine visits; returns how many. A visit planned on a day off is made on the next
    working day, so a working day takes the days since the one before it."""
    if not rt.calendar.is_workday(as_of):
        return 0
    semester = semester_of(as_of)
    window = semester_window(semester)
    since = rt.calendar.add_workdays(as_of, -1)
    if as_of < window[0] or since >= window[1]:
        return 0
    required = rt.policy.inspectors.visits_per_semester
    zoned = session.exec(select(ZoneAssignment.unit_id, ZoneAssignment.inspector_id, Unit.code).join(
        Unit, ZoneAssignment.unit_id == Unit.id).order_by(Unit.code)).all()
    visiting = [(unit_id, inspector_id) for unit_id, inspector_id, code in zoned
                if any(since < day <= as_of for day in
                       behaviour.routine_visit_days(seed, code, semester, required, window))]
    if not visiting:
        return 0
    items = json.dumps({item: "" for item in routine_items(as_of)}, ensure_ascii=False)
    insert_rows(session, RoutineVisit, [
        {"unit_id": unit_id, "inspector_id": inspector_id, "visit_on": as_of, "semester": semester, "items": items,
         "problems": 0, "inspection_id": None, "by_responsible": True} for unit_id, inspector_id in visiting])
    return len(visiting)
