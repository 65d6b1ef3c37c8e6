"""Warnings that deadlines stand on a provisional calendar: the office once a year by notice, the sweep's
run by an artifact each day it matters.

A year is provisional when chinesecalendar does not know it and no override file lists it
(rules/workdays.WorkdayCalendar.is_provisional). It matters once the ledger holds a deadline in it.
"""

from datetime import date

from prefect.artifacts import create_markdown_artifact
from sqlmodel import Session, select

from core.db import session_scope
from models import Inspection, RectificationItem, ReviewRequest
from models.queries import office
from rules.runtime import Runtime, load_runtime
from rules.workdays import WorkdayCalendar
from tasks.documents.contexts import doc_no
from tasks.documents.issuing import Paper, issue

TITLE = "临时工作日日历提示"
_DEADLINES = (RectificationItem.current_deadline, ReviewRequest.decide_by, Inspection.rebuttal_due,
              Inspection.self_assessment_due, Inspection.rectification_due)


def provisional_deadline_years(session: Session, as_of: date, calendar: WorkdayCalendar) -> list[int]:
    """The provisional years (this one and the next) in which the ledger holds a deadline."""
    years = [year for year in (as_of.year, as_of.year + 1) if calendar.is_provisional(year)]
    return [year for year in years if _has_deadline_in(session, year)]


def warn_office_of_provisional_calendar(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """Sweep step: tell the office, once per year, that deadlines are being counted on a provisional calendar.

    Returns:
        the years warned of today (each year once: the notice's key is the year).
    """
    warned = []
    for year in provisional_deadline_years(session, as_of, rt.calendar):
        the_office = office(session, "OFFICE")
        number = year - as_of.year + 1  # this year's warning is No. 1, next year's No. 2
        context = {"year": year, "unit": the_office, "doc_no": doc_no("provisional_calendar", as_of.year, number)}
        paper = Paper(key=f"calendar:provisional:{year}", kind="provisional_calendar", title=TITLE,
                      context=context, issued_on=as_of, unit=the_office)
        if issue(session, paper) is not None:
            warned.append(year)
    return warned


def publish_provisional_calendar_warning(as_of: date) -> list[int]:
    """The sweep's warning artifact when a deadline it may have counted is in a provisional year."""
    with session_scope() as session:
        years = provisional_deadline_years(session, as_of, load_runtime().calendar)
    if years:
        named = "、".join(f"{year}年" for year in years)
        create_markdown_artifact(
            key="provisional-calendar", description=f"{as_of} 临时日历提示",
            markdown=(f"**注意：{named}为临时日历。** 国务院尚未公布该年放假安排（chinesecalendar 未收录，也无日历覆盖"
                      "文件），落在该年的期限按《全国年节及纪念日放假办法》推算：计入法定节假日和补假，未计调休。"
                      "放假安排公布后，请载入日历覆盖文件（`DUDAO_CALENDAR_OVERRIDE_PATH`）或升级 chinesecalendar。"))
    return years


def _has_deadline_in(session: Session, year: int) -> bool:
    first, last = date(year, 1, 1), date(year, 12, 31)
    return any(session.exec(select(column).where(column.between(first, last)).limit(1)).first() is not None
               for column in _DEADLINES)
