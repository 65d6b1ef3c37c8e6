"""Files for people: blank templates to fill in (`dudao export template KIND`) and the rectification ledger
(整改台账, `dudao export ledger`). XLSX through openpyxl's write-only mode, or CSV (UTF-8 with BOM, which
Excel opens as UTF-8) by the file's suffix.

Every text cell that begins with = + - @ (or a tab or carriage return) is kept from running as a formula
(CSV/formula injection), so a unit's text reaches the office's Excel as the unit typed it, and nothing more. In
XLSX it is stored as a text cell (type "s") with the quotePrefix style, which is what Excel itself does when
one types '=1+2: Excel shows the text exactly as typed, never evaluates it, and keeps it text when edited. CSV
has no cell types, so there such text gets a leading apostrophe.
"""

import csv
import io
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlmodel import Session, select

from core.atomic import atomic_file
from core.errors import InputError
from models import KIND_LABELS, Finding, Inspection, RectificationItem, Unit
from models.lifecycles import ITEM, LADDER

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
LEDGER_HEADERS = ["序号", "被督导单位", "督导类别", "问题", "整改决定", "整改期限", "当前期限", "问责阶梯", "整改状态",
                  "提交日期", "验收日期", "回头看日期"]
LEDGER_WIDTHS = [6, 28, 14, 40, 48, 12, 12, 10, 14, 12, 12, 12]
LADDER_LABELS = LADDER.labels
STAGE_LABELS = ITEM.labels


def neutralise(value: object) -> object:
    """For CSV: text that a spreadsheet would read as a formula, behind an apostrophe; other values unchanged."""
    value = _clean(value)
    if isinstance(value, str) and value.startswith(FORMULA_LEADS):
        return "'" + value
    return value


def _clean(value: object) -> object:
    """Text without the control characters an XLSX file cannot hold; other values unchanged."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def write_table(path: Path, title: str, headers: list[str], rows: Iterable[list], *,
                widths: list[int] | None = None, notes: list[list[str]] | None = None) -> int:
    """Write header and rows to `path` (.xlsx or .csv). Returns the number of rows written."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise InputError(f"{path}：请写为 .xlsx 或 .csv")
    with atomic_file(path) as temp:  # a full disk or a failure half-way leaves no half-written file
        if suffix == ".csv":
            return _write_csv(temp, headers, rows)
        return _write_xlsx(temp, title, headers, rows, widths or [16] * len(headers), notes)


def _write_csv(path: Path, headers: list[str], rows: Iterable[list]) -> int:
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([neutralise(v.isoformat() if isinstance(v, date) else v) for v in row])
            count += 1
    return count


def _write_xlsx(path: Path, title: str, headers: list[str], rows: Iterable[list], widths: list[int],
                notes: list[list[str]] | None) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, h, bold=True) for h in headers])
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    if notes:
        instructions = workbook.create_sheet("填表说明")
        for index, width in enumerate((14, 10, 70), start=1):
            instructions.column_dimensions[get_column_letter(index)].width = width
        for line in notes:
            instructions.append([_cell(instructions, value) for value in line])
    buffer = io.BytesIO()  # built in memory: a full disk fails one write, not openpyxl's zip half-way
    workbook.save(buffer)
    path.write_bytes(buffer.getvalue())
    return count


def _cell(sheet, value: object, bold: bool = False) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=_clean(value))
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_LEADS):
        cell.data_type = "s"  # text as typed, never a formula (openpyxl would make "=..." one)
        cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    if isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, str) and len(value) > 20:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    return cell


def ledger_rows(session: Session, year: int) -> Iterable[list]:
    """The year's rectification items, one row each, by inspection and problem number."""
    rows = session.exec(select(RectificationItem, Inspection, Unit, Finding).join(
        Inspection, Inspection.id == RectificationItem.inspection_id).join(
        Unit, Unit.id == RectificationItem.unit_id).join(
        Finding, Finding.id == RectificationItem.finding_id).where(
        Inspection.year == year).order_by(Inspection.code, Finding.seq))
    for number, (item, inspection, unit, finding) in enumerate(rows, start=1):
        yield [number, unit.name, KIND_LABELS.get(inspection.kind, inspection.kind), finding.text,
               item.decision, item.deadline, item.current_deadline,
               LADDER_LABELS.get(item.ladder_step, item.ladder_step),
               STAGE_LABELS.get(item.stage, item.stage), item.submitted_on, item.accepted_on, item.recheck_on]


def export_ledger(session: Session, year: int, path: Path) -> int:
    """整改台账 of `year` to an XLSX (or CSV) file. Returns the number of items."""
    return write_table(path, f"{year}年整改台账", LEDGER_HEADERS, ledger_rows(session, year), widths=LEDGER_WIDTHS)
