"""Chinese working days (工作日): statutory calendar, operator overrides, a provisional calendar by law.

Precedence for one day: the override file, then `chinesecalendar` (调休 make-up days included) for the
years it knows, then for other years a *provisional* calendar: Monday-Friday less the holidays the law
fixes (rules/holiday_law.py), with one logged warning per year. A deadline that falls in, or is counted
across, a provisional year is marked so (`provisional_years_between`). Outside the law's encoded years
(before 2008, after the lunar tables) Monday-Friday with a warning. Pure Python, no Prefect.
"""

from __future__ import annotations

import logging
import re
import threading
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import chinese_calendar
from chinese_calendar import constants as chinese_calendar_data

from core.errors import InputError
from rules import holiday_law

logger = logging.getLogger("dudao.calendar")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_KINDS = {"workday": True, "holiday": False}
_LINE_FORMAT = "应为“YYYY-MM-DD holiday”或“YYYY-MM-DD workday”"


@dataclass(frozen=True)
class _YearTable:
    """The working days of one year as sorted ordinals (for counting) and a set (for lookup)."""

    ordinals: tuple[int, ...]
    lookup: frozenset[int]


class WorkdayCalendar:
    """Answers "is this a working day" and counts working days, caching one table per year."""

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self._overrides = _validated_overrides(overrides or {})
        self._override_years = {date.fromordinal(o).year for o in self._overrides}
        self._tables: dict[int, _YearTable] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_file(cls, path: Path | None) -> WorkdayCalendar:
        """Build a calendar from an override file; None means no overrides."""
        if path is None:
            return cls()
        return cls(read_overrides(Path(path)))

    def is_workday(self, day: date) -> bool:
        """True if `day` is a working day."""
        return day.toordinal() in self._table(day.year).lookup

    def next_workday(self, day: date) -> date:
        """`day` itself if it is a working day, else the first working day after it."""
        return day if self.is_workday(day) else self.add_workdays(day, 1)

    def add_workdays(self, start: date, n: int) -> date:
        """The date `n` working days after `start` (start not counted); n < 0 counts backwards."""
        if n == 0:
            return self.next_workday(start)
        if n > 0:
            return self._forward(start, n)
        return self._backward(start, -n)

    def workdays_between(self, start: date, end: date) -> int:
        """Number of working days in (start, end]; 0 if end <= start."""
        if end <= start:
            return 0
        first, last = start.toordinal(), end.toordinal()
        total = 0
        for year in range(start.year, end.year + 1):
            ordinals = self._table(year).ordinals
            total += bisect_right(ordinals, last) - bisect_right(ordinals, first)
        return total

    def is_provisional(self, year: int) -> bool:
        """True when `year` is counted by the law's rule alone: no statutory table and no override for it."""
        return year not in _statutory_years() and year not in self._override_years

    def provisional_years_between(self, start: date, end: date) -> list[int]:
        """The provisional years a count from `start` to `end` (either order) passes through."""
        low, high = sorted((start.year, end.year))
        return [year for year in range(low, high + 1) if self.is_provisional(year)]

    def known_years(self) -> set[int]:
        """Years covered by chinesecalendar or by the overrides."""
        return set(_statutory_years()) | self._override_years

    def _forward(self, start: date, n: int) -> date:
        year = start.year
        ordinals = self._table(year).ordinals
        index = bisect_right(ordinals, start.toordinal())  # first working day after start
        while index + n > len(ordinals):
            n -= len(ordinals) - index
            year += 1
            ordinals, index = self._table(year).ordinals, 0
        return date.fromordinal(ordinals[index + n - 1])

    def _backward(self, start: date, n: int) -> date:
        year = start.year
        ordinals = self._table(year).ordinals
        index = bisect_left(ordinals, start.toordinal())  # working days before start
        while n > index:
            n -= index
            year -= 1
            ordinals = self._table(year).ordinals
            index = len(ordinals)
        return date.fromordinal(ordinals[index - n])

    def _table(self, year: int) -> _YearTable:
        table = self._tables.get(year)
        if table is None:
            with self._lock:  # build (and warn) once per year even with concurrent callers
                table = self._tables.get(year)
                if table is None:
                    table = self._tables[year] = self._build_table(year)
        return table

    def _build_table(self, year: int) -> _YearTable:
        days = _days_of(year)
        if year in _statutory_years():
            base = [chinese_calendar.is_workday(day) for day in days]
        elif year in self._override_years:
            base = [day.weekday() < 5 for day in days]
        else:
            off = _days_off_by_law(year)
            base = [day.weekday() < 5 and day not in off for day in days]
        ordinals = tuple(
            day.toordinal()
            for day, workday in zip(days, base, strict=True)
            if self._overrides.get(day.toordinal(), workday)
        )
        return _YearTable(ordinals, frozenset(ordinals))


def read_overrides(path: Path) -> dict[date, bool]:
    """Parse an override file into {date: is_workday}; InputError names the file and line."""
    if not path.is_file():
        raise InputError(f"{path}：找不到日历调整文件")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}: 不是有效的 UTF-8 文本") from None
    overrides: dict[date, bool] = {}
    first_seen: dict[date, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        entry = _parse_line(line, where=f"{path}:{number}")
        if entry is None:
            continue
        day, workday = entry
        if overrides.get(day, workday) != workday:
            raise InputError(
                f"{path}:{number}: {day.isoformat()} 此处列为 {_word(workday)}，"
                f"第 {first_seen[day]} 行却列为 {_word(overrides[day])}"
            )
        overrides[day] = workday
        first_seen.setdefault(day, number)
    return overrides


def _parse_line(line: str, *, where: str) -> tuple[date, bool] | None:
    """One override line as (date, is_workday), or None for a blank or comment line."""
    fields = line.split("#", 1)[0].split()
    if not fields:
        return None
    if len(fields) != 2:
        raise InputError(f"{where}: {_LINE_FORMAT}，实为 {line.strip()!r}")
    text, word = fields
    if not _ISO_DATE.fullmatch(text):
        raise InputError(f"{where}: {text!r} 不是 YYYY-MM-DD 格式的日期")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{where}: {text!r} 不是有效日期") from None
    if word.lower() not in _KINDS:
        raise InputError(f"{where}: {word!r} 既不是 holiday 也不是 workday")
    return day, _KINDS[word.lower()]


def _validated_overrides(overrides: Mapping[date, bool]) -> dict[int, bool]:
    """Overrides keyed by ordinal; InputError on anything but date -> bool."""
    checked: dict[int, bool] = {}
    for day, workday in overrides.items():
        if not isinstance(day, date) or not isinstance(workday, bool):
            raise InputError(f"日历调整 {day!r}：{workday!r} 须将日期对应到 True/False")
        checked[day.toordinal()] = workday
    return checked


@cache
def _statutory_years() -> range:
    """The years chinesecalendar has data for."""
    years = [day.year for day in chinese_calendar_data.holidays]
    return range(min(years), max(years) + 1)


def _days_off_by_law(year: int) -> frozenset[date]:
    """The law's holidays and 补假 of a year without a table (warned once), or none outside the law's range."""
    try:
        off = holiday_law.days_off(year)
    except ValueError:  # before the 2008 law, or past the lunar tables
        logger.warning(
            "%d年没有法定工作日日历（chinesecalendar 未收录），放假办法也无法推算：按周一至周五计算工作日。"
            "请载入含 %d 年放假安排的日历覆盖文件（override file）。", year, year)
        return frozenset()
    logger.warning(
        "%d年的放假安排尚未收录（chinesecalendar 未收录，也无覆盖文件）：按《全国年节及纪念日放假办法》推算的"
        "临时日历计算工作日（法定节假日与补假，不含调休），据此算出的期限均标为“临时”。国务院公布放假安排后，"
        "请载入日历覆盖文件（override file）或升级 chinesecalendar。", year)
    return off


def _days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range(date(year, 12, 31).toordinal() - first.toordinal() + 1)]


def _word(workday: bool) -> str:
    return "workday" if workday else "holiday"
