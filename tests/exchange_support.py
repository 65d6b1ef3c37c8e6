"""Helpers for the import/export tests: a ledger scene with inspections at the stages imports need, files
written in the encodings and formats offices send, and a count of everything an import could write."""

import csv
from datetime import date
from pathlib import Path

from openpyxl import Workbook, load_workbook
from sqlmodel import func, select

from core.db import session_scope
from models import (
    AuditEvent,
    Finding,
    Inspection,
    InspectionFramework,
    Inspector,
    ItemScore,
    Principal,
    RectificationItem,
    Submission,
    Unit,
)
from models.lifecycles import transition
from tasks.exchange.imports.templates import export_template

AS_OF = date(2026, 3, 10)


def _inspection(session, code: str, unit: Unit, stage: str = "planned") -> Inspection:
    inspection = Inspection(code=code, year=2026, kind="annual", unit_id=unit.id, stage=stage,
                            notice_on=date(2026, 3, 1), self_assessment_due=date(2026, 3, 20),
                            visit_on=date(2026, 3, 30))
    session.add(inspection)
    session.flush()
    return inspection


def make_scene() -> dict[str, str]:
    """Notified inspections of a department, a primary school and a kindergarten; one school rectifying."""
    with session_scope() as session:
        units = {u.code: u for u in session.exec(select(Unit)).all()}
        kindergarten = next(u for u in units.values() if u.school_type == "kindergarten")
        codes = {"department": ("2026-T-001", units["D01"]), "school": ("2026-T-002", units["S001"]),
                 "kindergarten": ("2026-T-003", kindergarten)}
        for code, unit in codes.values():
            transition(session, _inspection(session, code, unit), "notify", as_of=date(2026, 3, 1))
        rectifying = _inspection(session, "2026-T-004", units["S002"], stage="rectifying")
        for seq, text in ((1, "校园安全隐患排查台账不完整"), (2, "教师专业发展培训学时记录不全")):
            finding = Finding(inspection_id=rectifying.id, seq=seq, area="学校管理", text=text)
            session.add(finding)
            session.flush()
            session.add(RectificationItem(finding_id=finding.id, inspection_id=rectifying.id, unit_id=units["S002"].id,
                                          decision=f"针对“{text}”完成整改", deadline=date(2026, 4, 30),
                                          current_deadline=date(2026, 4, 30)))
    return {kind: code for kind, (code, _unit) in codes.items()} | {"rectifying": "2026-T-004"}


def counts() -> tuple:
    """Rows of every table an import writes, and the stages it moves."""
    with session_scope() as session:
        rows = tuple(session.exec(select(func.count()).select_from(table)).one() for table in (
            Unit, Principal, Inspector, ItemScore, InspectionFramework, Finding, Submission, AuditEvent))
        stages = tuple(session.exec(select(Inspection.stage).order_by(Inspection.id)).all())
        items = tuple(session.exec(select(RectificationItem.stage).order_by(RectificationItem.id)).all())
    return rows, stages, items


def template_rows(kind: str, codes: list[str], tmp: Path) -> list[list[str]]:
    """The template of `kind` as CSV rows (header first), prefilled for `codes`."""
    path = tmp / f"{kind}-template.csv"
    with session_scope() as session:
        export_template(session, kind, path, codes, AS_OF)
    return read_csv(path)


def read_csv(path: Path, encoding: str = "utf-8-sig") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.reader(handle))


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def xlsx_rows(path: Path, sheet: int = 0) -> list[list]:
    workbook = load_workbook(path)
    return [[cell.value for cell in row] for row in workbook.worksheets[sheet].iter_rows()]


def fill(rows: list[list[str]], column: str, value_of) -> list[list[str]]:
    """Set `column` on every data row to value_of(row as dict)."""
    header = rows[0]
    index = header.index(column)
    for row in rows[1:]:
        row[index] = value_of(dict(zip(header, row, strict=False)))
    return rows


def set_cell(rows: list[list], row: int, column: str, value) -> list[list]:
    """Set one cell; `row` is the spreadsheet row number (header = 1)."""
    rows[row - 1][rows[0].index(column)] = value
    return rows
