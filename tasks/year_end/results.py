"""结果运用 (实施方案 §十二–十三): the year's results sheets, one for the departments and towns (督政) and one for
the schools, each unit's grade, on-time rectification rate and 约谈/通报/问责 counts, filed as official
documents and sent once a year to the bodies `[results] recipients` names (区委组织部, 区教委, 区财政局,
区人力社保局), which use them in 考核, 任免, 奖惩 and 资源配置."""

from datetime import date

from sqlmodel import Session, func, select

from core.errors import InputError
from models import Document, Inspection, Unit, UnitKind
from models.queries import office
from rules.commendation import item_on_time
from rules.results import LADDER_KINDS, UnitResult, unit_results
from rules.runtime import Runtime
from tasks.documents.contexts import doc_no
from tasks.documents.issuing import Paper, issue_many
from tasks.documents.letterhead import letterhead
from tasks.year_end.figures import grades, item_record, year_items

COMPREHENSIVE = ("annual", "term_end")
SHEETS = (  # key, unit kinds, title after the year, document number
    ("government", (UnitKind.DEPARTMENT, UnitKind.TOWN), "年度履行教育职责督导结果运用表（区级部门、镇街）", 1),
    ("schools", (UnitKind.SCHOOL,), "年度学校督导结果运用表", 2),
)


def results_by_unit(session: Session, year: int, rt: Runtime, kinds: tuple[str, ...]) -> list[UnitResult]:
    """Every unit of `kinds`, by code: the grade of its latest comprehensive inspection of the year, its items'
    on-time record, and the 约谈/通报/问责 papers issued to it in the year."""
    units = session.exec(select(Unit.code, Unit.name, Unit.kind).where(Unit.kind.in_(kinds)).order_by(Unit.code)).all()
    by_code = grades(session, year, rt.policy.scoring)
    graded = session.exec(select(Inspection.code, Unit.code).join(Unit, Inspection.unit_id == Unit.id).where(
        Inspection.year == year, Inspection.kind.in_(COMPREHENSIVE)).order_by(Inspection.visit_on, Inspection.code)).all()
    unit_grade = {unit: by_code[code] for code, unit in graded if code in by_code}  # the latest wins
    codes = dict(session.exec(select(Unit.id, Unit.code).where(Unit.kind.in_(kinds))).all())
    items: dict[str, list[bool]] = {}
    for item in year_items(session, year):
        if item.unit_id in codes:
            items.setdefault(codes[item.unit_id], []).append(item_on_time(item_record(item)))
    ladder = {(codes[unit_id], kind): n for unit_id, kind, n in session.exec(
        select(Document.unit_id, Document.kind, func.count()).where(
            Document.kind.in_(LADDER_KINDS), Document.issued_on >= date(year, 1, 1),
            Document.issued_on <= date(year, 12, 31)).group_by(Document.unit_id, Document.kind)).all()
        if unit_id in codes}
    return unit_results(units, unit_grade, items, ladder)


def recipients(session: Session, rt: Runtime) -> list[Unit]:
    """The bodies of `[results] recipients`, found by name; one not in the ledger is refused naming it."""
    found = []
    for name in rt.policy.results.recipients:
        unit = session.exec(select(Unit).where(Unit.name == name)).first()
        if unit is None:
            raise InputError(f"policy [results] recipients: “{name}”不在台账的单位中（请与区情文件的单位名称一致）")
        found.append(unit)
    return found


def issue_results_sheets(session: Session, year: int, as_of: date, rt: Runtime) -> tuple[dict[str, int], int]:
    """File both sheets and queue their notices, once per year. Returns document ids by sheet key, and how many
    notices were queued now (0 on a re-run)."""
    to, the_office, district = recipients(session, rt), office(session, "OFFICE"), letterhead(session).name
    papers = []
    for key, kinds, title, number in SHEETS:
        rows = results_by_unit(session, year, rt, kinds)
        context = {"year": year, "rows": rows, "title": f"{district}{year}{title}", "scope": key,
                   "addressee": "、".join(u.name for u in to), "doc_no": doc_no("results_sheet", year, number)}
        papers.append(Paper(key=f"year:{year}:results:{key}", kind="results_sheet", context=context,
                            issued_on=as_of, unit=the_office, title=context["title"], recipients=to))
    queued = sum(notice is not None for notice in issue_many(session, papers))
    return {paper.key.rsplit(":", 1)[-1]: session.exec(select(Document.id).where(Document.key == paper.key)).one()
            for paper in papers}, queued
