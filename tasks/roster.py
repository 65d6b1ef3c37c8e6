"""The inspectors' roster as the planner sees it (terms, exits, recusal), and the roster import.

Recusal (条例 art. 10, 《督学管理暂行办法》): an inspector never inspects the unit they work at, a unit they
worked at before (employer history) or a unit they declared a conflict with.
"""

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from dudao.errors import InputError
from dudao.runtime import Runtime
from models import Inspector, Unit
from models.planning import EmploymentHistory, InspectorConflict, InspectorExit
from rules.assignment import Candidate
from rules.inspectors import term_problem

ROSTER_COLUMNS = ("code", "name", "email", "full_time", "listed", "employer", "term_start", "term_end",
                  "consecutive_terms", "former_employers", "conflicts")


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
        raise InputError(f"{where}: no unit named or coded '{text}' in the ledger")
    return unit


def find_inspector(session: Session, code: str) -> Inspector:
    inspector = session.exec(select(Inspector).where(Inspector.code == code.strip())).first()
    if inspector is None:
        raise InputError(f"no inspector with code '{code}' in the ledger")
    return inspector


@dataclass(frozen=True)
class RosterRow:
    line: int
    fields: dict
    employer: int | None
    former: tuple[int, ...]
    conflicts: tuple[int, ...]


def read_roster(session: Session, path: Path, rt: Runtime) -> list[RosterRow]:
    """Parse and check every row first (terms, units, dates); any problem raises InputError with file:line."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (FileNotFoundError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: {exc}") from None
    if not rows or set(ROSTER_COLUMNS) - set(rows[0]):
        raise InputError(f"{path}:1: the header must name the columns {', '.join(ROSTER_COLUMNS)}")
    units = {code: uid for uid, code in session.exec(select(Unit.id, Unit.code)).all()}
    return [_row(path, n, raw, units, rt) for n, raw in enumerate(rows, start=2)]


def _row(path: Path, line: int, raw: dict, units: dict[str, int], rt: Runtime) -> RosterRow:
    where = f"{path}:{line}"
    try:
        start, end = date.fromisoformat(raw["term_start"]), date.fromisoformat(raw["term_end"])
        consecutive = int(raw["consecutive_terms"] or 1)
    except ValueError as exc:
        raise InputError(f"{where}: {exc}") from None
    problem = term_problem(start, end, consecutive, rt.policy.inspectors)
    if problem or not raw["code"].strip() or "@" not in raw["email"]:
        raise InputError(f"{where}: {problem or 'code and a valid email are required'}")

    def unit_ids(text: str) -> tuple[int, ...]:
        codes = [c.strip() for c in (text or "").split(";") if c.strip()]
        missing = [c for c in codes if c not in units]
        if missing:
            raise InputError(f"{where}: unknown unit code '{missing[0]}'")
        return tuple(units[c] for c in codes)

    employer = unit_ids(raw["employer"])
    fields = {"code": raw["code"].strip(), "name": raw["name"].strip(), "email": raw["email"].strip(),
              "full_time": _flag(raw["full_time"]), "listed": _flag(raw["listed"]), "term_start": start,
              "term_end": end, "consecutive_terms": consecutive}
    return RosterRow(line, fields, employer[0] if employer else None, unit_ids(raw["former_employers"]),
                     unit_ids(raw["conflicts"]))


def _flag(text: str) -> bool:
    return (text or "").strip().lower() in ("1", "true", "yes", "y", "是")


def load_roster(session: Session, rows: list[RosterRow], as_of: date) -> int:
    """Insert or update each inspector by code, with employer history and declared conflicts."""
    existing = {i.code: i for i in session.exec(select(Inspector)).all()}
    for row in rows:
        inspector = existing.get(row.fields["code"]) or Inspector(**row.fields)
        for name, value in row.fields.items():
            setattr(inspector, name, value)
        inspector.employer_unit_id = row.employer
        session.add(inspector)
        session.flush()
        for unit_id in row.former:
            add_once(session, EmploymentHistory, inspector.id, unit_id, {})
        for unit_id in row.conflicts:
            add_once(session, InspectorConflict, inspector.id, unit_id,
                      {"reason": "本人申报回避", "declared_on": as_of})
    return len(rows)


def add_once(session: Session, table, inspector_id: int, unit_id: int, extra: dict) -> None:
    if session.exec(select(table.id).where(table.inspector_id == inspector_id, table.unit_id == unit_id)).first():
        return
    session.add(table(inspector_id=inspector_id, unit_id=unit_id, **extra))
