"""The simulated responsible inspectors' routine visits (挂牌督导): each school with a responsible inspector is
visited on the days rules/behaviour.routine_visit_days gives (a day off moves to the next working day), by its
responsible inspector of that day. Most find nothing and are filed in one insert; a visit that finds a problem
(rules/occasions.routine_problems) takes the import's path (tasks/cycle/routine_visits.record_visits), which
opens a routine inspection whose findings follow the rectification path."""

import json
from datetime import date

from sqlmodel import Session, select

from models import Inspector, Unit
from models.planning import RoutineVisit, ZoneAssignment
from models.queries import insert_all
from rules import behaviour, occasions
from rules.frequency import semester_of
from rules.runtime import Runtime
from tasks.cycle.routine_visits import VisitRow, record_visits, routine_items


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
    visiting = [(unit_id, inspector_id, code) for unit_id, inspector_id, code in zoned
                if any(since < day <= as_of for day in
                       behaviour.routine_visit_days(seed, code, semester, required, window))]
    if not visiting:
        return 0
    names = routine_items(as_of)
    found = {code: problems for _, _, code in visiting if (problems := occasions.routine_problems(seed, code, as_of, names))}
    items = json.dumps({item: "" for item in names}, ensure_ascii=False)
    insert_all(session, RoutineVisit, [
        {"unit_id": unit_id, "inspector_id": inspector_id, "visit_on": as_of, "semester": semester, "items": items,
         "problems": 0, "inspection_id": None, "by_responsible": True}
        for unit_id, inspector_id, code in visiting if code not in found])
    if found:
        record_visits(session, _rows(session, visiting, found, names, as_of), rt, as_of)
    return len(visiting)


def _rows(session: Session, visiting: list[tuple[int, int, str]], found: dict[str, list[tuple[str, str]]],
          names: tuple[str, ...], as_of: date) -> list[VisitRow]:
    """The visits that found problems, as the import reads them (in school code order)."""
    chosen = [(unit_id, inspector_id, code) for unit_id, inspector_id, code in visiting if code in found]
    units = {u.id: u for u in session.exec(select(Unit).where(Unit.id.in_([u for u, _, _ in chosen]))).all()}
    inspectors = {i.id: i for i in session.exec(select(Inspector).where(
        Inspector.id.in_([i for _, i, _ in chosen]))).all()}
    rows = []
    for unit_id, inspector_id, code in chosen:
        problems = dict(found[code])
        record = json.dumps({item: problems.get(item, "") for item in names}, ensure_ascii=False)
        rows.append(VisitRow(f"simulated {code} {as_of}", units[unit_id], inspectors[inspector_id], as_of,
                             tuple(found[code]), record))
    return rows
