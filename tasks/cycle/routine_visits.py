"""Routine visits (挂牌督导), recorded in batches: a visit record covers the items of the 挂牌督导 framework in
force (data/indicators/guapai-*.toml: its areas); a visit that finds a problem opens a routine inspection with
its findings, so the problem follows the rectification path."""

import csv
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session, func, select

from core.errors import InputError
from core.settings import get_settings
from models import Inspector, Unit, UnitKind
from models.lifecycles import record
from models.planning import RoutineVisit
from rules.frequency import semester_label, semester_of
from rules.routine import problems_of, visit_shortfalls
from rules.runtime import Runtime
from rules.text_input import control_problem
from tasks.cycle.opening import next_code, open_inspection
from tasks.cycle.responses import FindingInput, record_visit
from tasks.cycle.scores import registry
from tasks.documents.contexts import doc_no, session_office
from tasks.documents.issuing import Paper, issue, was_issued
from tasks.roster.lookups import candidates
from tasks.roster.records import Addressee
from tasks.roster.zones import responsible_inspectors

MAX_PROBLEM_TEXT = 1000  # characters of one item's problem: a finding's text, as the findings import allows


@dataclass(frozen=True)
class VisitRow:
    where: str
    unit: Unit
    inspector: Inspector
    visit_on: date
    problems: tuple[tuple[str, str], ...]
    items: str  # JSON of every item -> "" or the problem


def routine_items(as_of: date) -> tuple[str, ...]:
    """The items a routine visit checks on `as_of`: the areas of the 挂牌督导 framework then in force."""
    framework = registry().select(UnitKind.SCHOOL, None, "routine", as_of)
    if framework is None:
        raise InputError(f"{get_settings().indicators_path} 中没有 {as_of} 适用的挂牌督导指标体系"
                         f"（督导类别 routine）")
    return tuple(area.name for area in framework.areas)


def read_visits(session: Session, path: Path, as_of: date) -> list[VisitRow]:
    """Parse and check every row first; any problem raises InputError naming file:line."""
    names = routine_items(as_of)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (FileNotFoundError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}：无法读取（{exc}）") from None
    needed = {"school", "inspector", "visit_on", *names}
    if not rows or needed - set(rows[0]):
        raise InputError(f"{path}:1：表头须为 school、inspector、visit_on 及各项 "
                         f"{'、'.join(names)}")
    return [visit_row(session, f"{path}:{n}", raw, names) for n, raw in enumerate(rows, start=2)]


def visit_row(session: Session, where: str, raw: dict, names: tuple[str, ...]) -> VisitRow:
    """One visit record (school and inspector codes, visit_on, each item's problem or "") checked: InputError
    naming `where` (a file's line, a form) when the school, inspector or day is wrong or the inspector must
    recuse himself."""
    unit = session.exec(select(Unit).where(Unit.code == raw["school"].strip(), Unit.kind == UnitKind.SCHOOL)).first()
    inspector = session.exec(select(Inspector).where(Inspector.code == raw["inspector"].strip())).first()
    try:
        visit_on = date.fromisoformat(raw["visit_on"].strip())
    except ValueError as exc:
        raise InputError(f"{where}：visit_on：{exc}") from None
    if unit is None or inspector is None:
        raise InputError(f"{where}：未知的{'学校' if unit is None else '督学'}")
    allowed = next(c for c in candidates(session) if c.inspector_id == inspector.id)
    if not allowed.may_inspect(unit.id, visit_on):
        raise InputError(f"{where}：{inspector.code} 不能于 {visit_on} 督导 {unit.code}（须回避或不在任期内）")
    items = {item: (raw.get(item) or "").strip() for item in names}
    for item, found in items.items():
        problem = control_problem(found, multiline=True) or (
            f"{len(found)} 字，最多 {MAX_PROBLEM_TEXT} 字" if len(found) > MAX_PROBLEM_TEXT else None)
        if problem:
            raise InputError(f"{where}：{item}：{problem}")
    return VisitRow(where, unit, inspector, visit_on, tuple(problems_of(items, names)),
                    json.dumps(items, ensure_ascii=False))


def record_visits(session: Session, rows: list[VisitRow], rt: Runtime, as_of: date,
                  actor: str | None = None) -> dict[str, int]:
    """File each visit once; a visit with problems opens a routine inspection with one finding per item. Each
    visit filed is an audit event `routine_visit` of its school; `actor`: who filed it (the portal's inspector
    account), by default the visit's inspector."""
    counts = {"visits": 0, "inspections": 0}
    responsible = responsible_inspectors(session)
    for row in rows:
        if session.exec(select(RoutineVisit.id).where(RoutineVisit.unit_id == row.unit.id,
                                                      RoutineVisit.inspector_id == row.inspector.id,
                                                      RoutineVisit.visit_on == row.visit_on)).first():
            continue
        visit = RoutineVisit(unit_id=row.unit.id, inspector_id=row.inspector.id, visit_on=row.visit_on,
                             semester=semester_of(row.visit_on), items=row.items, problems=len(row.problems),
                             by_responsible=responsible.get(row.unit.id) == row.inspector.id)
        who = actor or row.inspector.code
        if row.problems:
            inspection = open_inspection(session, code=next_code(session, row.visit_on.year, "routine"),
                                         kind="routine", unit=row.unit, visit_on=row.visit_on,
                                         team=[row.inspector.id], rt=rt, as_of=as_of, actor=who)
            record_visit(session, inspection, [FindingInput(item, text) for item, text in row.problems],
                         row.visit_on, rt, actor=who)
            visit.inspection_id = inspection.id
            counts["inspections"] += 1
        session.add(visit)
        record(session, "unit", row.unit.id, "routine_visit", as_of=as_of, actor=who,
               detail={"visit_on": row.visit_on.isoformat(), "inspector": row.inspector.code,
                       "problems": len(row.problems)})
        counts["visits"] += 1
    return counts


def coverage(session: Session, semester: str, rt: Runtime) -> dict:
    """Routine visits per school in the semester by its responsible inspector (挂牌督学), against
    policy.inspectors.visits_per_semester; visits by other inspectors are counted apart and do not cover."""
    schools = dict(session.exec(select(Unit.id, Unit.code).where(Unit.kind == UnitKind.SCHOOL)).all())
    counted = session.exec(select(RoutineVisit.unit_id, RoutineVisit.by_responsible, func.count()).where(
        RoutineVisit.semester == semester).group_by(RoutineVisit.unit_id, RoutineVisit.by_responsible)).all()
    visits = {unit_id: n for unit_id, by_responsible, n in counted if by_responsible}
    required = rt.policy.inspectors.visits_per_semester
    short = visit_shortfalls(visits, list(schools), required)
    return {"semester": semester, "required": required, "schools": len(schools),
            "short": {schools[s]: missing for s, missing in short.items()},
            "by_others": {schools[unit_id]: n for unit_id, by_responsible, n in counted if not by_responsible}}


def flag_routine_shortfalls(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """Sweep step: on the policy's check day of each semester, one 挂牌督导情况提示 to the office, copied to the
    responsible inspectors concerned, naming the schools short of their routine visits so far. A sweep that
    missed the day sends it later in the same month; after that there is no time left to catch up with."""
    semester = semester_of(as_of)
    check = _check_day(semester, rt)
    key = f"routine:{semester}:shortfall"
    in_check_month = check <= as_of and as_of.month == check.month  # same semester: January is not December
    if not in_check_month or was_issued(session, key):
        return []
    report = coverage(session, semester, rt)
    if not report["short"]:
        return []
    rows = _shortfall_rows(session, report)
    inspectors = {r["inspector"].id: r["inspector"] for r in rows if r["inspector"] is not None}
    the_office = session_office(session, "OFFICE")
    context = {"rows": rows, "semester_label": semester_label(semester), "required": report["required"],
               "schools": report["schools"],
               "doc_no": doc_no("routine_shortfall", as_of.year, int(semester[-1]))}  # 1: spring, 2: autumn
    notice = issue(session, Paper(key=key, kind="routine_shortfall", context=context, issued_on=as_of,
                                  unit=the_office, title="挂牌督导情况提示",
                                  recipients=[the_office, *(Addressee(i.name, i.email) for i in
                                                            sorted(inspectors.values(), key=lambda i: i.code))]))
    return [1] if notice is not None else []


def _check_day(semester: str, rt: Runtime) -> date:
    """The semester's check day: policy.inspectors.visit_check_on, spring's or autumn's, in the semester's year."""
    spring, autumn = rt.policy.inspectors.visit_check_on
    return date.fromisoformat(f"{semester[:4]}-{spring if semester.endswith('-1') else autumn}")


def _shortfall_rows(session: Session, report: dict) -> list[dict]:
    units = {u.code: u for u in session.exec(select(Unit).where(Unit.code.in_(list(report["short"])))).all()}
    responsible = responsible_inspectors(session)
    inspectors = {i.id: i for i in session.exec(select(Inspector).where(
        Inspector.id.in_(list(set(responsible.values()))))).all()} if responsible else {}
    rows = []
    for code, missing in report["short"].items():
        inspector = inspectors.get(responsible.get(units[code].id))
        rows.append({"code": code, "name": units[code].name, "inspector": inspector,
                     "done": report["required"] - missing, "missing": missing})
    return rows
