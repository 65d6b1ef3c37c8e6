"""The ladder's part of the year summary: items that reached each step, aggravated units, issue levels, 复核."""

from datetime import date

from sqlmodel import Session, func, select

from models import AuditEvent, Finding, Inspection, RectificationItem, ReviewRequest, Unit
from rules.ladder import STEPS

LADDER_KEYS = STEPS[1:]  # reminder, urge, interview, circular, accountability


def ladder_summary(session: Session, year: int, item_ids) -> dict:
    """`ladder` (all five keys, zero included), `aggravated_units`, `escalation`, `review_requests`, `rechecks`
    (回头看 results: passed, relapsed) and `rebuttals` (申辩 by decision)."""
    reached = dict(session.exec(select(AuditEvent.event, func.count(func.distinct(AuditEvent.entity_id))).where(
        AuditEvent.entity == "item", AuditEvent.event.like("ladder:%"), AuditEvent.entity_id.in_(item_ids),
    ).group_by(AuditEvent.event)).all())
    return {
        "ladder": {step: reached.get(f"ladder:{step}", 0) for step in LADDER_KEYS},
        "aggravated_units": _aggravated(session, year),
        "escalation": _levels(session, year),
        "review_requests": _reviews(session, year),
        "rechecks": _rechecks(session, item_ids),
        "rebuttals": _rebuttals(session, year),
    }


def _aggravated(session: Session, year: int) -> list[str]:
    """Codes of the units held to account `aggravated_after` times or more in the year."""
    ids = select(AuditEvent.entity_id).where(AuditEvent.entity == "unit", AuditEvent.event == "aggravated",
                                             AuditEvent.as_of >= date(year, 1, 1), AuditEvent.as_of <= date(year, 12, 31))
    return list(session.exec(select(Unit.code).where(Unit.id.in_(ids)).order_by(Unit.code)).all())


def _levels(session: Session, year: int) -> dict[str, int]:
    """Raised issues of the year's inspections by the level they stand at (level1 … level4)."""
    rows = session.exec(select(Finding.level, func.count()).join(Inspection).where(
        Inspection.year == year, Finding.needs_escalation.is_(True)).group_by(Finding.level)).all()
    counts = dict(rows)
    return {f"level{level}": counts.get(level, 0) for level in (1, 2, 3, 4)}


def _rechecks(session: Session, item_ids) -> dict[str, int]:
    counts = dict(session.exec(select(AuditEvent.event, func.count()).where(
        AuditEvent.entity == "item", AuditEvent.event.in_(("confirm", "relapse")), AuditEvent.entity_id.in_(item_ids),
    ).group_by(AuditEvent.event)).all())
    return {"passed": counts.get("confirm", 0), "relapsed": counts.get("relapse", 0)}


def _rebuttals(session: Session, year: int) -> dict[str, int]:
    rows = session.exec(select(Finding.rebuttal_decision, func.count()).join(Inspection).where(
        Inspection.year == year, Finding.rebuttal_decision.is_not(None)).group_by(Finding.rebuttal_decision)).all()
    return {decision: count for decision, count in sorted(rows)}


def _reviews(session: Session, year: int) -> dict[str, int]:
    rows = session.exec(select(ReviewRequest.decision, func.count()).join(Inspection).where(
        Inspection.year == year).group_by(ReviewRequest.decision)).all()
    return {decision: count for decision, count in sorted(rows)}


# The ladder's steps that bar a unit from commendation in their year (实施方案 §十四 "不得评优评先").
SANCTIONING_STEPS = ("ladder:circular", "ladder:accountability")


def sanctioned_units(session: Session, year: int) -> frozenset[str]:
    """Codes of the units that received a 督导通报 or a 问责建议 in `year`: through an overdue item's ladder, or
    raised by hand (unit events `circular` and `accountability`)."""
    in_year = (AuditEvent.as_of >= date(year, 1, 1), AuditEvent.as_of <= date(year, 12, 31))
    by_item = select(RectificationItem.unit_id).join(AuditEvent, AuditEvent.entity_id == RectificationItem.id).where(
        AuditEvent.entity == "item", AuditEvent.event.in_(SANCTIONING_STEPS), *in_year)
    by_hand = select(AuditEvent.entity_id).where(
        AuditEvent.entity == "unit", AuditEvent.event.in_(("circular", "accountability")), *in_year)
    return frozenset(session.exec(select(Unit.code).where(Unit.id.in_(by_item.union(by_hand)))).all())
