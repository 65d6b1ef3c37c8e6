"""The rows behind each number of the office's dashboard: one list per number, filtered by the clause that
counted it (tasks/operator/dashboard.py), so a list holds exactly as many rows as its number says. Paged in
SQL: a list of 30 000 schools is read a page at a time."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, func, select

from models import KIND_LABELS, Finding, Inspection, RectificationItem, Submission, Unit
from models.lifecycles.ladder import LADDER
from models.planning import ZoneAssignment
from rules.dashboard import BUCKET_LABELS, BUCKETS
from rules.frequency import semester_label, semester_of
from rules.runtime import Runtime
from rules.scoring import GRADES
from tasks.cycle.scores import unit_results
from tasks.operator.dashboard import (
    NO_ZONE,
    REPORT_CLAUSES,
    over_schools,
    overdue_clause,
    school_visits,
    week_clauses,
    zone_column,
)

PAGE = 100


@dataclass(frozen=True)
class Listing:
    title: str
    headers: tuple[str, ...]
    rows: list[tuple]  # cells: text, or (text, link)
    total: int


class UnknownList(Exception):
    """A list name or filter the dashboard never links to."""


def _paged(session: Session, query, page: int) -> tuple[int, list]:
    total = session.exec(select(func.count()).select_from(query.order_by(None).subquery())).one()
    return total, session.exec(query.offset(page * PAGE).limit(PAGE)).all()


def _items():
    item = RectificationItem
    return (select(Unit.code, Unit.name, Finding.text, item.ladder_step, item.current_deadline, item.recheck_on)
            .join(Unit, Unit.id == item.unit_id).join(Finding, Finding.id == item.finding_id))


def overdue_list(session: Session, as_of: date, page: int, unit: str = "", step: str = "") -> Listing:
    if step and step not in BUCKETS:
        raise UnknownList
    query = _items().where(overdue_clause(as_of, step or None))
    if unit:
        if session.exec(select(Unit.id).where(Unit.code == unit)).first() is None:
            raise UnknownList
        query = query.where(Unit.code == unit)
    total, rows = _paged(session, query.order_by(Unit.code, RectificationItem.id), page)
    title = "逾期整改事项" + (f"：{BUCKET_LABELS[step]}" if step else "") + (f"（{unit}）" if unit else "")
    return Listing(title, ("单位", "问题", "问责阶梯", "整改期限"),
                   [(f"{name}（{code}）", text, LADDER.labels[s], d.isoformat()) for code, name, text, s, d, _ in rows],
                   total)


def week_list(session: Session, as_of: date, page: int, what: str) -> Listing:
    clauses = week_clauses(as_of)
    if what not in clauses:
        raise UnknownList
    if what == "visits":
        return _visits_list(session, clauses[what], page)
    query = _items().where(clauses[what]).order_by(RectificationItem.current_deadline, RectificationItem.id)
    total, rows = _paged(session, query, page)
    if what == "items":
        return Listing("本周到期的整改事项", ("单位", "问题", "整改期限"),
                       [(f"{n}（{c}）", t, d.isoformat()) for c, n, t, _, d, _ in rows], total)
    return Listing("本周回头看", ("单位", "问题", "回头看日期"),
                   [(f"{n}（{c}）", t, r.isoformat()) for c, n, t, _, _, r in rows], total)


def _visits_list(session: Session, clause, page: int) -> Listing:
    query = (select(Inspection.code, Unit.code, Unit.name, Inspection.kind, Inspection.visit_on)
             .join(Unit, Unit.id == Inspection.unit_id).where(clause).order_by(Inspection.visit_on, Inspection.id))
    total, rows = _paged(session, query, page)
    return Listing("本周进校督导", ("督导编号", "单位", "类型", "进校日期"),
                   [(i, f"{n}（{c}）", KIND_LABELS.get(k, k), v.isoformat()) for i, c, n, k, v in rows], total)


def reports_list(session: Session, page: int, state: str) -> Listing:
    if state not in REPORT_CLAUSES:
        raise UnknownList
    if state == "review":
        query = (select(Submission.id, Unit.code, Unit.name, Finding.text, Submission.submitted_on)
                 .join(RectificationItem, RectificationItem.id == Submission.item_id)
                 .join(Finding, Finding.id == RectificationItem.finding_id).join(Unit, Unit.id == RectificationItem.unit_id)
                 .where(REPORT_CLAUSES[state]).order_by(Submission.submitted_on, Submission.id))
        total, rows = _paged(session, query, page)
        return Listing("待审核的整改报告", ("单位", "问题", "报送日期"),
                       [(f"{n}（{c}）", (t, f"/office/submissions/{i}"), d.isoformat()) for i, c, n, t, d in rows], total)
    day = Inspection.issued_on if state == "signoff" else Inspection.released_on
    query = (select(Inspection.code, Unit.code, Unit.name, Inspection.kind, day).join(Unit, Unit.id == Inspection.unit_id)
             .where(REPORT_CLAUSES[state]).order_by(day, Inspection.id))
    total, rows = _paged(session, query, page)
    title, since = ("待签发的督导报告", "下达日期") if state == "signoff" else ("已签发待公开的督导报告", "签发日期")
    return Listing(title, ("督导编号", "单位", "类型", since),
                   [(i, f"{n}（{c}）", KIND_LABELS.get(k, k), d.isoformat()) for i, c, n, k, d in rows], total)


def zone_list(session: Session, as_of: date, rt: Runtime, page: int, zone: str = "", short: bool = False) -> Listing:
    semester, required = semester_of(as_of), rt.policy.inspectors.visits_per_semester
    visits, done = school_visits(semester)
    query = over_schools(select(Unit.code, Unit.name, zone_column(), done), visits)
    if zone:
        if zone != NO_ZONE and session.exec(select(ZoneAssignment.zone).where(ZoneAssignment.zone == zone)).first() is None:
            raise UnknownList
        query = query.where(zone_column() == zone)
    if short:
        query = query.where(done < required)
    total, rows = _paged(session, query.order_by(zone_column(), Unit.code), page)
    title = f"{semester_label(semester)}挂牌督导" + ("未达标的学校" if short else "学校") + (f"（责任区 {zone}）" if zone else "")
    return Listing(title, ("学校", "责任区", f"责任督学督导次数（应 {required} 次）"),
                   [(f"{n}（{c}）", z, str(v)) for c, n, z, v in rows], total)


def grade_list(session: Session, year: int, rt: Runtime, page: int, grade: str) -> Listing:
    if grade not in GRADES:
        raise UnknownList
    graded = [r for r in unit_results(session, year, rt.policy.scoring) if r["grade"] == grade]
    rows = graded[page * PAGE:(page + 1) * PAGE]
    return Listing(f"{year}年督导评定等次：{grade}", ("督导编号", "单位", "得分率", "等次"),
                   [(r["inspection"], f"{r['unit_name']}（{r['unit']}）", f"{r['percent']:.1f}%", r["grade"])
                    for r in rows], len(graded))
