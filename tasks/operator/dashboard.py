"""The office's dashboard figures, each one grouped query however large the ledger: overdue rectification
items by ladder step and by unit, what falls due this week, reports waiting for review, 签发 or publication,
routine-visit coverage by zone, the year's grades. What "overdue" and "this week" mean is rules/dashboard.py;
the rows behind each number are tasks/operator/dashboard_lists.py, filtered by the same clauses."""

from datetime import date

from sqlalchemy import and_, case, or_
from sqlmodel import Session, func, select

from models import Inspection, RectificationItem, Submission, Unit, UnitKind
from models.lifecycles import ItemStage, SubmissionDecision
from models.planning import RoutineVisit, ZoneAssignment
from rules.dashboard import PAST_DEADLINE_STEPS, by_bucket, grade_counts, steps_of, this_week
from rules.frequency import semester_label, semester_of
from rules.runtime import Runtime
from tasks.cycle.scores import unit_results

TOP_UNITS = 15  # units with the most overdue items on the dashboard (every unit: the list page)
TOP_ZONES = 15  # zones with the lowest coverage on the dashboard
NO_ZONE = "未划分"


def overdue_clause(as_of: date, bucket: str | None = None):
    """rules.dashboard.is_overdue as SQL, optionally one column (bucket) of the dashboard."""
    item = RectificationItem
    clause = and_(item.stage == ItemStage.OPEN,
                  or_(item.current_deadline < as_of, item.ladder_step.in_(PAST_DEADLINE_STEPS)))
    return clause if bucket is None else and_(clause, item.ladder_step.in_(steps_of(bucket)))


def overdue(session: Session, as_of: date) -> dict:
    """`total`, `units` (how many have any), `by_step` (the dashboard's columns) and `top_units`: the units with
    the most overdue items, each with its columns."""
    item, clause = RectificationItem, overdue_clause(as_of)
    steps = dict(session.exec(select(item.ladder_step, func.count()).where(clause).group_by(item.ladder_step)).all())
    units = session.exec(select(func.count(func.distinct(item.unit_id))).where(clause)).one()
    top = session.exec(select(item.unit_id).where(clause).group_by(item.unit_id)
                       .order_by(func.count().desc(), item.unit_id).limit(TOP_UNITS)).all()
    per_unit: dict[int, dict[str, int]] = {unit_id: {} for unit_id in top}
    for unit_id, step, n in session.exec(select(item.unit_id, item.ladder_step, func.count()).where(
            clause, item.unit_id.in_(top)).group_by(item.unit_id, item.ladder_step)).all():
        per_unit[unit_id][step] = n
    names = {u.id: u for u in session.exec(select(Unit).where(Unit.id.in_(top))).all()}
    rows = [{"code": names[u].code, "name": names[u].name, "by_step": by_bucket(per_unit[u]),
             "total": sum(per_unit[u].values())} for u in top]
    return {"total": sum(steps.values()), "units": units, "by_step": by_bucket(steps), "top_units": rows}


def week_clauses(as_of: date) -> dict:
    """What falls due from today to Sunday: open items' deadlines, 回头看 of accepted items, on-site visits."""
    start, end = this_week(as_of)
    item = RectificationItem
    return {
        "items": and_(item.stage == ItemStage.OPEN, item.current_deadline.between(start, end)),
        "rechecks": and_(item.stage == ItemStage.ACCEPTED, item.recheck_on.between(start, end)),
        "visits": and_(Inspection.visit_on.between(start, end), Inspection.closed_on.is_(None)),
    }


def due_this_week(session: Session, as_of: date) -> dict:
    start, end = this_week(as_of)
    clauses = week_clauses(as_of)
    count = {name: session.exec(select(func.count()).select_from(
        Inspection if name == "visits" else RectificationItem).where(clause)).one() for name, clause in clauses.items()}
    return {"from": start, "to": end, **count}


REPORT_CLAUSES = {
    "review": Submission.decision == SubmissionDecision.PENDING,  # 整改报告 waiting for the office's review
    "signoff": and_(Inspection.issued_on.is_not(None), Inspection.released_on.is_(None)),  # waiting for 签发
    "publication": and_(Inspection.released_on.is_not(None), Inspection.published_on.is_(None)),  # for 公开
}


def waiting_reports(session: Session) -> dict[str, int]:
    return {name: session.exec(select(func.count()).select_from(Submission if name == "review" else Inspection)
                               .where(clause)).one() for name, clause in REPORT_CLAUSES.items()}


def visit_counts(semester: str):
    """Routine visits per school by its responsible inspector in the semester (the only ones that cover)."""
    return (select(RoutineVisit.unit_id, func.count().label("visits"))
            .where(RoutineVisit.semester == semester, RoutineVisit.by_responsible.is_(True))
            .group_by(RoutineVisit.unit_id).subquery())


def zone_column():
    return func.coalesce(ZoneAssignment.zone, NO_ZONE)


def school_visits(semester: str):
    """The visits subquery and each school's count of them (0 when none)."""
    visits = visit_counts(semester)
    return visits, func.coalesce(visits.c.visits, 0)


def over_schools(query, visits):
    """`query` over every school, with its zone (if any) and its visits: the base of coverage and its list."""
    return (query.select_from(Unit).outerjoin(ZoneAssignment, ZoneAssignment.unit_id == Unit.id)
            .outerjoin(visits, visits.c.unit_id == Unit.id).where(Unit.kind == UnitKind.SCHOOL))


def coverage_by_zone(session: Session, as_of: date, rt: Runtime) -> dict:
    """Schools covered this semester (visits by their responsible inspector ≥ the policy's number), by zone:
    the whole district, how many zones, and the zones with the lowest share first."""
    semester, required = semester_of(as_of), rt.policy.inspectors.visits_per_semester
    visits, done = school_visits(semester)
    zone = zone_column()
    covered = func.sum(case((done >= required, 1), else_=0))
    grouped = over_schools(select(zone, func.count(Unit.id), covered), visits).group_by(zone)
    rows = session.exec(grouped.order_by(covered * 1.0 / func.count(Unit.id), zone)).all()
    zones = [{"zone": z, "schools": n, "covered": int(c or 0), "short": n - int(c or 0)} for z, n, c in rows]
    return {"semester": semester, "label": semester_label(semester), "required": required, "zones": zones[:TOP_ZONES],
            "zone_count": len(zones), "schools": sum(z["schools"] for z in zones),
            "covered": sum(z["covered"] for z in zones)}


def year_grades(session: Session, year: int, rt: Runtime) -> dict[str, int]:
    """The scored inspections of the year by on-site grade (one grouped query: tasks.cycle.scores)."""
    return grade_counts(r["grade"] for r in unit_results(session, year, rt.policy.scoring))


def dashboard(session: Session, as_of: date, rt: Runtime) -> dict:
    """Every figure of the office's dashboard on `as_of`."""
    return {"as_of": as_of, "overdue": overdue(session, as_of), "week": due_this_week(session, as_of),
            "reports": waiting_reports(session), "coverage": coverage_by_zone(session, as_of, rt),
            "year": as_of.year, "grades": year_grades(session, as_of.year, rt)}
