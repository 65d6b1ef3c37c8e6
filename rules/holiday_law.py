"""The national holidays the law itself fixes, for years whose 放假安排 is not published yet.

《全国年节及纪念日放假办法》 names the days every citizen has off. Each version of it applies from the date in
force below; the State Council's yearly 放假安排 then adds 调休 (moved working days), which no rule can
foresee. So a year computed here is *provisional*: right about the holidays themselves, silent about 调休.
Lunar dates (春节, 端午, 中秋) come from `lunardate`, 清明 (a solar term) from `chinesecalendar`'s formula.
Pure Python, no Prefect.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import chinese_calendar
from lunardate import LunarDate


@dataclass(frozen=True)
class HolidayLaw:
    """One version of 《全国年节及纪念日放假办法》: the days off of each festival, and where it says so."""

    in_force_from: int  # the first year it governs (each version took effect on 1 January)
    source: str
    spring_festival_from_eve: bool  # 春节 counted from 除夕 (else from 正月初一)
    spring_festival_days: int
    labour_days: int


# Every number with its source. 元旦 1, 清明 1, 端午 1, 中秋 1 and 国庆 3 days are the same in all three.
LAWS = (
    HolidayLaw(2008, "国务院令第513号（2007年12月14日修订，2008年1月1日施行）", True, 3, 1),
    HolidayLaw(2014, "国务院令第644号（2013年12月11日修订，2014年1月1日施行）", False, 3, 1),
    HolidayLaw(2025, "国务院令第795号（2024年11月10日修订，2025年1月1日施行）", True, 4, 2),
)
NATIONAL_DAY_DAYS = 3


def law_for(year: int) -> HolidayLaw:
    """The version of the law in force in `year` (ValueError before 2008, which it does not encode)."""
    versions = [law for law in LAWS if law.in_force_from <= year]
    if not versions:
        raise ValueError(f"{year}年：放假办法 2008 年版之前的规则未收录")
    return versions[-1]


@cache
def statutory_holidays(year: int) -> dict[date, str]:
    """The days off the law names in `year`, each with its festival's Chinese name (调休 and 补假 aside)."""
    law = law_for(year)
    days: dict[date, str] = {date(year, 1, 1): "元旦"}
    new_year = _lunar(year, 1, 1)
    first = new_year - timedelta(days=1) if law.spring_festival_from_eve else new_year
    days |= {first + timedelta(days=i): "春节" for i in range(law.spring_festival_days)}
    days[_qingming(year)] = "清明节"
    days |= {date(year, 5, 1 + i): "劳动节" for i in range(law.labour_days)}
    days[_lunar(year, 5, 5)] = "端午节"
    days[_lunar(year, 8, 15)] = "中秋节"
    days |= {date(year, 10, 1 + i): "国庆节" for i in range(NATIONAL_DAY_DAYS)}
    return {day: name for day, name in sorted(days.items()) if day.year == year}


@cache
def days_off(year: int) -> frozenset[date]:
    """Statutory days off plus 补假: a holiday on a Saturday or Sunday gives the next free weekday off.

    The law (第六条) grants a working day in lieu for a holiday that falls on a weekend; the State Council
    usually folds it into a longer block with 调休, which is exactly what a provisional year cannot know.
    """
    holidays = statutory_holidays(year)
    off = set(holidays)
    for block in _blocks(sorted(holidays)):
        owed = sum(1 for day in block if day.weekday() >= 5)
        day = block[-1]
        while owed:
            day += timedelta(days=1)
            if day.weekday() < 5 and day not in off:
                off.add(day)
                owed -= 1
    return frozenset(day for day in off if day.year == year)


def _blocks(days: list[date]) -> list[list[date]]:
    """Consecutive runs of days."""
    blocks: list[list[date]] = []
    for day in days:
        if blocks and day - blocks[-1][-1] == timedelta(days=1):
            blocks[-1].append(day)
        else:
            blocks.append([day])
    return blocks


def _lunar(year: int, month: int, day: int) -> date:
    return LunarDate(year, month, day).to_solar_date()


def _qingming(year: int) -> date:
    terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 30))
    return next(day for day, name in terms if name == "清明")
