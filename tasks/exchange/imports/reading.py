"""Reading an import file into header and rows, within limits: CSV (UTF-8, UTF-8 with BOM, GBK/GB18030,
which offices still send; the encoding is detected) or XLSX (first sheet, openpyxl in read-only mode).

Every limit is checked before the work it guards: the file's size before it is read, an XLSX's unpacked
size before it is opened, the rows while they stream. A file over a limit is refused with one clear line.
"""

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from tasks.exchange.imports.problems import refuse

Cell = str | int | float | date | datetime | None
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # the old binary .xls (and .doc) container
BLANK_RUN_END = 1000  # this many blank rows in a row end an XLSX sheet (formatted but empty rows)


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 8 * 2**20
    max_unpacked_bytes: int = 64 * 2**20  # XLSX: what the zip holds once unpacked
    max_rows: int = 20_000
    max_cell_chars: int = 4_000
    max_problems: int = 50


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class Table:
    file: str  # the name used in every message
    encoding: str  # utf-8, utf-8-sig, gb18030 or xlsx
    header: list[str]
    rows: list[tuple[int, list[Cell]]]  # (spreadsheet row number, cells); blank rows left out


def read_table(path: Path, limits: Limits | None = None) -> Table:
    limits = limits or DEFAULT_LIMITS
    name = path.name
    if not path.is_file():
        raise refuse(name, "找不到文件")
    size = path.stat().st_size
    if size == 0:
        raise refuse(name, "文件为空")
    if size > limits.max_bytes:
        raise refuse(name, f"文件有 {size / 2**20:.1f} MB，一次最多导入 {limits.max_bytes / 2**20:g} MB："
                           "请拆分后导入")
    suffix = path.suffix.lower()
    with path.open("rb") as handle:
        magic = handle.read(8)
    if suffix == ".xls" or magic == OLE_MAGIC:
        raise refuse(name, "旧的 Excel .xls 格式：请另存为 .xlsx 或 CSV")
    if suffix in (".xlsx", ".xlsm") or magic.startswith(b"PK\x03\x04"):
        return _read_xlsx(path, limits)
    return _read_csv(path, limits)


def decode(name: str, raw: bytes) -> tuple[str, str]:
    """The text and its encoding: a BOM decides; else UTF-8 if it decodes; else GB18030 (GBK's superset)."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            return _strict(name, raw, encoding), encoding
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    mixed = _utf8_line(raw)
    if mixed:  # GB18030 decodes most UTF-8 bytes too, into mojibake that would be imported as the unit's text
        raise refuse(name, f"第 {mixed} 行是 UTF-8 文本，文件其余部分是 GBK/GB18030：请将整个文件"
                           "保存为同一种编码（CSV UTF-8 或 XLSX）")
    return _strict(name, raw, "gb18030"), "gb18030"


def _utf8_line(raw: bytes) -> int | None:
    """The first line that is Chinese text in UTF-8 (in a file that as a whole is not UTF-8), or None.

    Only lines whose non-ASCII characters all decode, as UTF-8, to Chinese text (`_chinese`) with at least two
    ideographs: GBK text is valid UTF-8 only by accident, and then not Chinese (学校 reads ѧУ).
    """
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        wide = [c for c in text if not c.isascii()]
        if sum(1 for c in wide if "\u4e00" <= c <= "\u9fff") >= 2 and all(map(_chinese, wide)):
            return number
    return None


def _chinese(char: str) -> bool:
    """A character of Chinese text: ideograph, CJK or full-width punctuation, “quotes”, — or ·."""
    return ("\u4e00" <= char <= "\u9fff" or "\u3400" <= char <= "\u4dbf" or "\u3000" <= char <= "\u303f"
            or "\uff00" <= char <= "\uffef" or "\u2010" <= char <= "\u2027" or char == "\u00b7")


def _strict(name: str, raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise refuse(name, f"第 {line} 行：字节 0x{raw[exc.start]:02x} 既不是 UTF-8 也不是 GBK/GB18030 "
                           "文本：请将文件保存为 CSV（UTF-8）或 XLSX") from None


def _read_csv(path: Path, limits: Limits) -> Table:
    text, encoding = decode(path.name, path.read_bytes())
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[Cell]]] = []
    header: list[str] | None = None
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if header is None:
                header = [c.strip() for c in cells]
                continue
            _check_cells(path.name, header, number, cells, limits)
            if any(c.strip() for c in cells):
                rows.append((number, list(cells)))
                _check_rows(path.name, len(rows), limits)
    except csv.Error as exc:
        reason = (f"有单元格超过 {limits.max_cell_chars} 字" if "field larger" in str(exc)
                  else f"不是格式正确的 CSV 文件（{exc}）")
        raise refuse(path.name, reason, row=number + 1) from None
    return _table(path.name, encoding, header, rows)


def _read_xlsx(path: Path, limits: Limits) -> Table:
    from openpyxl import load_workbook

    _check_unpacked(path, limits)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign file
        raise refuse(path.name, f"不是可读取的 XLSX 工作簿（{type(exc).__name__}）") from None
    try:
        return _table(path.name, "xlsx", *_sheet_rows(path.name, workbook.worksheets[0], limits))
    finally:
        workbook.close()


def _sheet_rows(name: str, sheet, limits: Limits) -> tuple[list[str] | None, list[tuple[int, list[Cell]]]]:
    header, rows, blank_run = None, [], 0
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = list(values)
        if header is None:
            header = ["" if c is None else str(c).strip() for c in cells]
            continue
        _check_cells(name, header, number, cells, limits)
        if all(c is None or str(c).strip() == "" for c in cells):
            blank_run += 1
            if blank_run >= BLANK_RUN_END:
                break
            continue
        blank_run = 0
        rows.append((number, cells))
        _check_rows(name, len(rows), limits)
    return header, rows


def _check_unpacked(path: Path, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise refuse(path.name, "不是可读取的 XLSX 工作簿（zip 已损坏）") from None
    if unpacked > limits.max_unpacked_bytes:
        raise refuse(path.name, f"工作簿解压后有 {unpacked / 2**20:.0f} MB，最多可导入 "
                                f"{limits.max_unpacked_bytes / 2**20:g} MB：请拆分后导入")


def _check_cells(name: str, header: list[str], row: int, cells: list[Cell], limits: Limits) -> None:
    for index, cell in enumerate(cells):
        if isinstance(cell, str) and len(cell) > limits.max_cell_chars:
            raise refuse(name, f"单元格有 {len(cell)} 字，最多 {limits.max_cell_chars} 字",
                         row=row, column=column_label(header, index))


def _check_rows(name: str, count: int, limits: Limits) -> None:
    if count > limits.max_rows:
        raise refuse(name, f"数据超过 {limits.max_rows} 行：请拆分文件")


def _table(name: str, encoding: str, header: list[str] | None, rows: list) -> Table:
    if header is None or not any(header):
        raise refuse(name, "文件为空：第一行须为表头")
    if not rows:
        raise refuse(name, "文件只有表头，没有数据行")
    return Table(name, encoding, header, rows)


def column_label(header: list[str], index: int) -> str:
    """The header and letter of a column, e.g. "得分 (I)"."""
    name = header[index] if index < len(header) and header[index] else "(no header)"
    return f"{name} ({column_letter(index)})"


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as a spreadsheet shows it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
