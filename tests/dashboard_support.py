"""A small world for the office's dashboard: overdue items at several ladder steps, items and 回头看 due this
week, reports waiting for review, 签发 and publication, zones with routine visits, scored inspections; and the
figures worked out from every row in Python with the pure rules, to hold the grouped queries to."""

from datetime import date, timedelta

from sqlmodel import select

from core.db import session_scope
from models import Inspection, InspectionFramework, ItemScore, RectificationItem, Submission, Unit, UnitKind
from models.planning import RoutineVisit, ZoneAssignment
from rules.dashboard import bucket_of, by_bucket, is_overdue, this_week
from rules.frequency import semester_of
from tasks.roster.zones import assign_zones
from tests.ladder_support import open_items
from tests.portal_support import TODAY


def _set(session, item_id: int, **values) -> RectificationItem:
    item = session.get(RectificationItem, item_id)
    for name, value in values.items():
        setattr(item, name, value)
    session.add(item)
    return item


def _overdue_and_due(session, today: date) -> None:
    late = open_items(session, "S001", today - timedelta(days=10), 3)
    for item_id, step in zip(late, ("none", "urge", "interview"), strict=True):
        _set(session, item_id, ladder_step=step)
    urged, fine = open_items(session, "S002", today + timedelta(days=20), 2)
    _set(session, urged, ladder_step="circular")  # past its first deadline once: overdue, whatever the new one
    open_items(session, "S003", today + timedelta(days=3))  # due this week
    [waiting] = open_items(session, "S003", today - timedelta(days=5))
    _set(session, waiting, stage="submitted", submitted_on=today - timedelta(days=6))
    session.add(Submission(item_id=waiting, submitted_on=today - timedelta(days=6), text="已整改"))
    [rechecked] = open_items(session, "S004", today - timedelta(days=40))
    _set(session, rechecked, stage="accepted", recheck_on=today + timedelta(days=2))


def _reports_and_visits(session, today: date) -> None:
    codes = [i.code for i in session.exec(select(Inspection).order_by(Inspection.id)).all()]
    for code, released, published in ((codes[0], True, True), (codes[1], True, False), (codes[2], True, False)):
        inspection = session.exec(select(Inspection).where(Inspection.code == code)).one()
        inspection.released_on = today - timedelta(days=3) if released else None
        inspection.published_on = today - timedelta(days=1) if published else None
        session.add(inspection)
    unit = session.exec(select(Unit).where(Unit.code == "S005")).one()
    session.add(Inspection(code="2026-ZH-900", year=2026, kind="annual", unit_id=unit.id, stage="notified",
                           visit_on=today + timedelta(days=4)))


def _zones_and_scores(session, rt, today: date) -> None:
    assign_zones(session, today, rt)
    zoned = session.exec(select(ZoneAssignment).order_by(ZoneAssignment.unit_id)).all()
    for n, zone in enumerate(zoned[:5]):
        for k in range(2 if n < 3 else 1):  # three schools covered, two short of the second visit
            session.add(RoutineVisit(unit_id=zone.unit_id, inspector_id=zone.inspector_id, semester=semester_of(today),
                                     visit_on=today - timedelta(days=20 + k), items="{}", by_responsible=True))
    scored = session.exec(select(Inspection).order_by(Inspection.id)).all()[:3]
    for inspection, score in zip(scored, (95.0, 85.0, 50.0), strict=True):
        session.add(InspectionFramework(inspection_id=inspection.id, framework="school", version="2026",
                                        name="学校督导评估指标", assigned_on=today))
        session.add(ItemScore(inspection_id=inspection.id, source="onsite", item_code="A1", area_code="A", area="管理",
                              points=100.0, score=score, recorded_on=today))


def make_dashboard_world(rt, today: date = TODAY) -> None:
    with session_scope() as session:
        _overdue_and_due(session, today)
        session.flush()
        _reports_and_visits(session, today)
        session.flush()
        _zones_and_scores(session, rt, today)


def expected_overdue(as_of: date = TODAY) -> dict:
    """The overdue figures from every item, row by row, by the pure rule."""
    with session_scope() as session:
        rows = session.exec(select(RectificationItem, Unit).join(Unit, Unit.id == RectificationItem.unit_id)).all()
    late = [(unit.code, item.ladder_step) for item, unit in rows
            if is_overdue(item.stage, item.ladder_step, item.current_deadline, as_of)]
    steps: dict[str, int] = {}
    per_unit: dict[str, dict[str, int]] = {}
    for code, step in late:
        steps[step] = steps.get(step, 0) + 1
        per_unit.setdefault(code, {b: 0 for b in by_bucket({})})[bucket_of(step)] += 1
    return {"total": len(late), "by_step": by_bucket(steps), "units": per_unit}


def expected_week(as_of: date = TODAY) -> dict:
    start, end = this_week(as_of)
    with session_scope() as session:
        items = session.exec(select(RectificationItem)).all()
        inspections = session.exec(select(Inspection)).all()
        pending = session.exec(select(Submission).where(Submission.decision == "pending")).all()
    return {
        "items": sum(i.stage == "open" and start <= i.current_deadline <= end for i in items),
        "rechecks": sum(i.stage == "accepted" and i.recheck_on is not None and start <= i.recheck_on <= end
                        for i in items),
        "visits": sum(i.visit_on is not None and start <= i.visit_on <= end and i.closed_on is None for i in inspections),
        "review": len(pending),
        "signoff": sum(i.issued_on is not None and i.released_on is None for i in inspections),
        "publication": sum(i.released_on is not None and i.published_on is None for i in inspections),
    }


def school_count() -> int:
    with session_scope() as session:
        return len(session.exec(select(Unit.id).where(Unit.kind == UnitKind.SCHOOL)).all())
