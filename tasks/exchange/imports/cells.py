"""Columns of an import file and the parsing of their cells.

Headers are the Chinese names officials see in `dudao export template KIND`. Cells are normalised (NFKC:
full-width digits and letters become ASCII, as typed on Chinese keyboards) before parsing. Every bad cell is
reported; a row is usable only when all its cells parse.
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from rules.text_input import control_problem
from tasks.exchange.imports.problems import Problems
from tasks.exchange.imports.reading import Cell, Table, column_label

CODE = re.compile(r"^[A-Z][A-Z0-9_-]{0,31}$")
INSPECTION_CODE = re.compile(r"^[0-9A-Z][0-9A-Z_-]{0,39}$")
ITEM_CODE = re.compile(r"^[A-Z][A-Z0-9.]{0,15}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
YES = {"是": True, "否": False, "y": True, "n": False, "yes": True, "no": False, "true": True, "false": False,
       "1": True, "0": False, "√": True, "×": False}


@dataclass(frozen=True)
class Column:
    header: str
    key: str = ""  # empty: shown in the template for people, ignored on import
    parse: Callable[[Cell], object] | None = None
    required: bool = True  # the column must be in the file (ignored columns never are required)
    blank_ok: bool = False  # the cell may be empty (its value is then None)
    hint: str = ""  # what to write, for the template's instructions sheet


@dataclass(frozen=True)
class Row:
    number: int
    values: dict[str, object]
    labels: dict[str, str]  # key → the column as the file shows it, e.g. "得分 (I)"
    bad: frozenset[str] = frozenset()  # keys whose cells did not parse (already reported; value None)

    def at(self, key: str) -> str:
        return self.labels.get(key, key)

    def good(self, *keys: str) -> bool:
        """Whether these cells (all cells, if none named) parsed, so checks on them are worth making."""
        return not (self.bad & set(keys)) if keys else not self.bad


def clean(cell: Cell) -> str:
    return "" if cell is None else unicodedata.normalize("NFKC", str(cell)).strip()


def text(max_chars: int, multiline: bool = True) -> Callable[[Cell], str]:
    """A text cell; a name (multiline=False) may hold no line break or tab. Control characters are refused by
    the one rule of rules.text_input, so the problem is reported at the cell that holds them."""
    def parse(cell: Cell) -> str:
        value = str(cell).strip()
        if len(value) > max_chars:
            raise ValueError(f"{len(value)} 字，最多 {max_chars} 字")
        if problem := control_problem(value, multiline):
            raise ValueError(problem)
        return value
    return parse


def pattern(regex: re.Pattern, what: str, upper: bool = True) -> Callable[[Cell], str]:
    def parse(cell: Cell) -> str:
        value = clean(cell).upper() if upper else clean(cell)
        if not regex.match(value):
            raise ValueError(f"“{_short(value)}”不是{what}")
        return value
    return parse


def number(cell: Cell) -> float:
    if isinstance(cell, bool) or isinstance(cell, (date, datetime)):
        raise ValueError(f"“{cell}”不是数字")
    if isinstance(cell, (int, float)):
        value = float(cell)
    else:
        try:
            value = float(clean(cell).replace(",", ""))
        except ValueError:
            raise ValueError(f"“{_short(clean(cell))}”不是数字") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"“{_short(clean(cell))}”不是有限的数字")
    return value


def whole_number(cell: Cell) -> int:
    value = number(cell)
    if not value.is_integer() or value < 0:
        raise ValueError(f"“{_short(clean(cell))}”不是 0 或正整数")
    return int(value)


def a_date(cell: Cell) -> date:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    match = DATE.match(clean(cell))
    try:
        return date(*map(int, match.groups())) if match else date.fromisoformat(clean(cell))
    except ValueError:
        raise ValueError(f"“{_short(clean(cell))}”不是日期（请写作 2026-05-06）") from None


def yes_no(cell: Cell) -> bool:
    value = clean(cell).lower()
    if value not in YES:
        raise ValueError(f"“{_short(value)}”不是“是”或“否”")
    return YES[value]


def choice(labels: dict[str, str]) -> Callable[[Cell], str]:
    """A Chinese label (or the code itself) → the code."""
    accepted = {**labels, **{code: code for code in labels.values()}}

    def parse(cell: Cell) -> str:
        value = clean(cell)
        if value not in accepted:
            raise ValueError(f"“{_short(value)}”不是{'、'.join(labels)}之一")
        return accepted[value]
    return parse


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[:limit] + "…"


def bind(table: Table, columns: list[Column], problems: Problems) -> list[Row] | None:
    """Rows as {key: value}, with a problem for each unknown/missing column and each bad cell.

    Rows with bad cells are kept (marked `bad`) so the checks on their other cells still run and every
    problem of the file is reported at once. A wrong header gives None: its cells would be misread.
    """
    positions = _header_positions(table, columns, problems)
    if problems:
        return None
    labels = {c.key: c.header for c in columns if c.key}
    labels.update({column.key: column_label(table.header, index) for column, index in positions})
    rows = []
    for number, cells in table.rows:
        values, bad = {c.key: None for c in columns if c.key}, set()
        for column, index in positions:
            cell = cells[index] if index < len(cells) else None
            if not _bind_cell(column, cell, column_label(table.header, index), number, values, problems):
                bad.add(column.key)
        for index in range(len(table.header), len(cells)):
            if clean(cells[index]):
                problems.add(number, column_label(table.header, index), "值不在任何一列之内")
                bad.add("")
        rows.append(Row(number, values, labels, frozenset(bad)))
    return rows


def _bind_cell(column: Column, cell: Cell, label: str, number: int, values: dict, problems: Problems) -> bool:
    if clean(cell) == "":
        values[column.key] = None
        if not column.blank_ok:
            problems.add(number, label, "为空；此项必填")
            return False
        return True
    try:
        values[column.key] = column.parse(cell)
    except ValueError as exc:
        problems.add(number, label, str(exc))
        return False
    return True


def _header_positions(table: Table, columns: list[Column], problems: Problems) -> list[tuple[Column, int]]:
    known = {c.header: c for c in columns}
    positions, seen = [], {}
    for index, raw in enumerate(table.header):
        header = unicodedata.normalize("NFKC", raw).replace("\ufeff", "").strip()
        if header == "":
            continue
        if header in seen:
            problems.add(1, column_label(table.header, index), f"列重复（另见 {seen[header]}）")
        elif header not in known:
            problems.add(1, column_label(table.header, index),
                         f"未知的列；应有的列为：{'、'.join(known)}")
        elif known[header].key:
            positions.append((known[header], index))
        seen.setdefault(header, column_label(table.header, index))
    for column in columns:
        if column.key and column.required and column.header not in seen:
            problems.add(1, column.header, "缺少此列")
    return positions
