"""The line a document carries when one of its deadlines falls in a provisional calendar year.

A year chinesecalendar does not know and no override file lists is counted by the law's rule alone
(rules/holiday_law.py): its holidays are right, its 调休 unknown. A deadline counted in it may move once the
State Council publishes the year's 放假安排, and the document must say so.
"""

from datetime import date
from functools import lru_cache
from pathlib import Path

from core.settings import get_settings
from rules.workdays import WorkdayCalendar

# The attributes of a context's objects (item, request, inspection) that hold deadlines counted in working days.
DEADLINE_FIELDS = ("deadline", "current_deadline", "decide_by", "rectification_due", "rebuttal_due",
                   "self_assessment_due", "escalate_on", "step_due_on")


def deadline_dates(context: dict) -> list[date]:
    """Every date a document shows as a deadline: its context's dates (but the day of issue) and the deadline
    fields of the objects in it."""
    found = []
    for key, value in context.items():
        if key == "issued_on":
            continue
        if isinstance(value, date):
            found.append(value)
        else:
            found += [day for name in DEADLINE_FIELDS if isinstance(day := getattr(value, name, None), date)]
    return found


def calendar_note(context: dict, calendar: WorkdayCalendar | None = None) -> str:
    """The note for a document of this context ("" when every deadline is on a published calendar)."""
    calendar = calendar or current_calendar()
    years = sorted({day.year for day in deadline_dates(context) if calendar.is_provisional(day.year)})
    if not years:
        return ""
    named = "、".join(f"{year}年" for year in years)
    return (f"本文书所列{named}的期限按临时日历推算：该年放假安排尚未公布，已按《全国年节及纪念日放假办法》"
            "计入法定节假日，未计调休；放假安排公布后，以正式日历为准。")


def current_calendar() -> WorkdayCalendar:
    """The calendar of the override file in force (read again when the file changes)."""
    path = get_settings().calendar_override_path
    return _calendar(path, Path(path).stat().st_mtime_ns if path and Path(path).is_file() else 0)


@lru_cache(maxsize=4)
def _calendar(path: Path | None, _mtime: int) -> WorkdayCalendar:
    return WorkdayCalendar.from_file(path)
