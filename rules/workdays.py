"""Chinese working days (工作日): statutory calendar, operator overrides, Monday-Friday fallback.

Precedence for one day: the override file, then `chinesecalendar` (调休 make-up days included) for the
years it knows, then Monday-Friday with one logged warning per year. Pure Python, no Prefect.
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

logger = logging.getLogger("dudao.calendar")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_KINDS = {"workday": True, "holiday": False}
_LINE_FORMAT = "expected 'YYYY-MM-DD holiday' or 'YYYY-MM-DD workday'"


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
        else:
            if year not in self._override_years:
                _warn_fallback(year)
            base = [day.weekday() < 5 for day in days]
        ordinals = tuple(
            day.toordinal()
            for day, workday in zip(days, base, strict=True)
            if self._overrides.get(day.toordinal(), workday)
        )
        return _YearTable(ordinals, frozenset(ordinals))


def read_overrides(path: Path) -> dict[date, bool]:
    """Parse an override file into {date: is_workday}; InputError names the file and line."""
    if not path.is_file():
        raise InputError(f"{path}: calendar override file not found")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(f"{path}:{line}: not valid UTF-8 text") from None
    overrides: dict[date, bool] = {}
    first_seen: dict[date, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        entry = _parse_line(line, where=f"{path}:{number}")
        if entry is None:
            continue
        day, workday = entry
        if overrides.get(day, workday) != workday:
            raise InputError(
                f"{path}:{number}: {day.isoformat()} is listed as {_word(workday)} here "
                f"but as {_word(overrides[day])} on line {first_seen[day]}"
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
        raise InputError(f"{where}: {_LINE_FORMAT}, got {line.strip()!r}")
    text, word = fields
    if not _ISO_DATE.fullmatch(text):
        raise InputError(f"{where}: {text!r} is not a date in YYYY-MM-DD form")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{where}: {text!r} is not a valid date") from None
    if word.lower() not in _KINDS:
        raise InputError(f"{where}: {word!r} is neither 'holiday' nor 'workday'")
    return day, _KINDS[word.lower()]


def _validated_overrides(overrides: Mapping[date, bool]) -> dict[int, bool]:
    """Overrides keyed by ordinal; InputError on anything but date -> bool."""
    checked: dict[int, bool] = {}
    for day, workday in overrides.items():
        if not isinstance(day, date) or not isinstance(workday, bool):
            raise InputError(f"calendar override {day!r}: {workday!r} must map a date to True/False")
        checked[day.toordinal()] = workday
    return checked


@cache
def _statutory_years() -> range:
    """The years chinesecalendar has data for."""
    years = [day.year for day in chinese_calendar_data.holidays]
    return range(min(years), max(years) + 1)


def _warn_fallback(year: int) -> None:
    logger.warning(
        "No statutory working-day calendar for %d (chinesecalendar does not cover it); counting "
        "Monday-Friday as working days. Load a calendar override file with the %d schedule.",
        year,
        year,
    )


def _days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range(date(year, 12, 31).toordinal() - first.toordinal() + 1)]


def _word(workday: bool) -> str:
    return "workday" if workday else "holiday"
