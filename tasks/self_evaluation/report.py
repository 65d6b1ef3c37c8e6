"""The district's 自查自评报告 for the city's evaluation of the district government's education duties (实施方案
§一(四)), filed once a year on the last working day on or before the policy's `report_due` (mid-May) and sent
to the municipal office, as the annual plan is. It draws on the ledger: last year's supervision figures and the
results of the 督政 of departments and towns, and lists this year's problems with their 整改要求 and 整改期限
as the office has recorded them (tasks/self_evaluation/problems.py), which the sweep then follows."""

from datetime import date

from sqlmodel import Session, select

from models import District, SelfEvaluationProblem, Unit
from models.district import UnitKind
from models.queries import office
from rules.runtime import Runtime
from rules.self_evaluation import report_day
from tasks.documents.contexts import doc_no
from tasks.documents.issuing import Paper, issue, was_issued
from tasks.documents.letterhead import letterhead
from tasks.year_end.figures import year_figures
from tasks.year_end.results import results_by_unit

GOVERNMENT = (UnitKind.DEPARTMENT, UnitKind.TOWN)


def report_key(year: int) -> str:
    return f"self-evaluation:{year}"  # its file name must not read as a 督导报告 (…report.html)


def file_report(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """Sweep step: from the report day of `as_of`'s year on, file the year's report to the city (once; a missed
    day is caught up the next working day).
    Returns [1] the day it is filed."""
    year = as_of.year
    if not rt.calendar.is_workday(as_of) or as_of < report_day(year, rt.policy.self_evaluation, rt.calendar):
        return []
    if session.get(District, 1) is None:  # a ledger that names no district has no report to make
        return []
    if was_issued(session, report_key(year)):  # filed: its figures are not gathered again every day to the year's end
        return []
    paper = report_paper(session, year, as_of, rt)
    return [1] if issue(session, paper) is not None else []


def report_paper(session: Session, year: int, as_of: date, rt: Runtime) -> Paper:
    municipal, the_office = office(session, "MUNICIPAL"), office(session, "OFFICE")
    figures = year_figures(session, year - 1)
    results = results_by_unit(session, year - 1, rt, GOVERNMENT)
    grades: dict[str, int] = {}
    for result in results:
        grade = result.grade.removeprefix("本年度")  # 本年度未评定: the report speaks of last year
        grades[grade] = grades.get(grade, 0) + 1
    problems = session.exec(select(SelfEvaluationProblem, Unit).join(Unit, Unit.id == SelfEvaluationProblem.unit_id).where(
        SelfEvaluationProblem.year == year).order_by(SelfEvaluationProblem.seq)).all()
    on_time = f"{figures.items_on_time / figures.items:.0%}" if figures.items else "—"
    title = f"{letterhead(session).name}{year}年履行教育职责自查自评报告"
    context = {"year": year, "last_year": year - 1, "figures": figures, "on_time_rate": on_time,
               "government_units": len(results), "grades": grades, "problems": problems,
               "addressee": municipal.name, "copy_to": [office(session, "LEADERSHIP").name],
               "doc_no": doc_no("self_evaluation_report", year, 1), "title": title}
    return Paper(key=report_key(year), kind="self_evaluation_report", context=context, issued_on=as_of,
                 unit=the_office, title=title, recipients=[municipal])
