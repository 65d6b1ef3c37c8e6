"""The inspectors' roster as the planner sees it (terms, exits, recusal); the roster file itself is imported by
`dudao import inspectors` (tasks/exchange/imports/rosters.py), which records employer history and conflicts here.

Recusal (条例 art. 10, 《督学管理暂行办法》): an inspector never inspects the unit they work at, a unit they
worked at before (employer history) or a unit they declared a conflict with.
"""

from datetime import date

from sqlmodel import Session, select

from core.errors import InputError
from core.lang import say
from models import Inspector, Unit
from models.planning import EmploymentHistory, InspectorConflict, InspectorExit
from rules.assignment import Candidate


def conflicts_by_inspector(session: Session) -> dict[int, set[int]]:
    """Unit ids each inspector may not inspect: employer, former employers, declared conflicts."""
    result: dict[int, set[int]] = {}
    for inspector_id, unit_id in session.exec(select(Inspector.id, Inspector.employer_unit_id)).all():
        result.setdefault(inspector_id, set()).update({unit_id} - {None})
    for table in (EmploymentHistory, InspectorConflict):
        for inspector_id, unit_id in session.exec(select(table.inspector_id, table.unit_id)).all():
            result.setdefault(inspector_id, set()).add(unit_id)
    return result


def candidates(session: Session) -> list[Candidate]:
    """Every inspector as an assignment candidate: recusal set, term, and exit (解聘) day."""
    conflicts = conflicts_by_inspector(session)
    exits = dict(session.exec(select(InspectorExit.inspector_id, InspectorExit.on)).all())
    return [Candidate(i.id, frozenset(conflicts.get(i.id, ())), i.term_start,
                      min(i.term_end, exits[i.id]) if i.id in exits else i.term_end)
            for i in session.exec(select(Inspector).order_by(Inspector.code)).all()]


def serving(session: Session, on: date, *, listed_only: bool = False) -> list[Inspector]:
    """Inspectors in term on `on` and not dismissed, in code order."""
    by_id = {c.inspector_id: c for c in candidates(session)}
    rows = session.exec(select(Inspector).order_by(Inspector.code)).all()
    return [i for i in rows if by_id[i.id].serves_on(on) and (i.listed or not listed_only)]


def find_unit(session: Session, name_or_code: str, *, where: str = "unit") -> Unit:
    """A unit by its code or its exact name, or InputError naming what was asked for."""
    text = name_or_code.strip()
    unit = session.exec(select(Unit).where((Unit.code == text) | (Unit.name == text))).first()
    if unit is None:
        raise InputError(say(f"{where}：台账中没有名称或编码为“{text}”的单位",
                             f"{where}: no unit named or coded '{text}' in the ledger"))
    return unit


def find_inspector(session: Session, code: str) -> Inspector:
    inspector = session.exec(select(Inspector).where(Inspector.code == code.strip())).first()
    if inspector is None:
        raise InputError(f"台账中没有代码为“{code}”的督学")
    return inspector


def record_history(session: Session, rows: list[tuple[str, tuple[str, ...], tuple[str, ...]]], as_of: date) -> None:
    """For each (inspector code, former employers' codes, declared conflicts' codes): the rows that make the
    inspector recuse themselves, each added once."""
    session.flush()
    inspectors = {i.code: i.id for i in session.exec(select(Inspector)).all()}
    units = {code: uid for uid, code in session.exec(select(Unit.id, Unit.code)).all()}
    for code, former, conflicts in rows:
        for unit_code in former:
            add_once(session, EmploymentHistory, inspectors[code], units[unit_code], {})
        for unit_code in conflicts:
            add_once(session, InspectorConflict, inspectors[code], units[unit_code],
                     {"reason": "本人申报回避", "declared_on": as_of})


def add_once(session: Session, table, inspector_id: int, unit_id: int, extra: dict) -> None:
    if session.exec(select(table.id).where(table.inspector_id == inspector_id, table.unit_id == unit_id)).first():
        return
    session.add(table(inspector_id=inspector_id, unit_id=unit_id, **extra))
