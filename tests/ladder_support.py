"""Helpers for the ladder tests: open rectification items directly in the ledger, sweep days, count."""

from collections import Counter
from datetime import date, timedelta
from itertools import count

from sqlmodel import Session, func, select

from core.db import session_scope
from models import (
    AuditEvent,
    Finding,
    Inspection,
    InspectionMember,
    Inspector,
    Notice,
    RectificationItem,
    Unit,
)
from tasks.ladder.climb import climb_ladder

_codes = count(1)


def open_items(session: Session, unit_code: str, deadline: date, n: int = 1, *, severity: str = "general",
               issued_on: date | None = None) -> list[int]:
    """An issued inspection of `unit_code` (team of three, one of them a listed inspector) with `n` open
    rectification items due on `deadline`. Returns the item ids."""
    unit = session.exec(select(Unit).where(Unit.code == unit_code)).one()
    issued_on = issued_on or deadline - timedelta(days=30)
    inspection = Inspection(code=f"{deadline.year}-T-{next(_codes):04d}", year=deadline.year, kind="special",
                            unit_id=unit.id, stage="rectifying", visit_on=issued_on - timedelta(days=10),
                            issued_on=issued_on)
    session.add(inspection)
    session.flush()
    listed = session.exec(select(Inspector).where(Inspector.listed.is_(True)).order_by(Inspector.code)).first()
    others = session.exec(select(Inspector).where(Inspector.listed.is_(False)).order_by(Inspector.code)).all()[:2]
    for role, inspector in zip(("lead", "member", "member"), [*others[:1], listed, *others[1:]], strict=True):
        session.add(InspectionMember(inspection_id=inspection.id, inspector_id=inspector.id, role=role))
    ids = []
    for seq in range(1, n + 1):
        finding = Finding(inspection_id=inspection.id, seq=seq, area="学校管理", text=f"校园安全隐患排查台账不完整（{seq}）",
                          severity=severity, level_since=inspection.visit_on)
        session.add(finding)
        session.flush()
        item = RectificationItem(finding_id=finding.id, inspection_id=inspection.id, unit_id=unit.id,
                                 decision="完善台账并书面报告。", deadline=deadline, current_deadline=deadline)
        session.add(item)
        session.flush()
        ids.append(item.id)
    return ids


def make_items(unit_code: str, deadline: date, n: int = 1, **kwargs) -> list[int]:
    with session_scope() as session:
        return open_items(session, unit_code, deadline, n, **kwargs)


def sweep(day: date, rt, step=climb_ladder) -> list[int]:
    """One ladder sweep of `day` in its own transaction."""
    with session_scope() as session:
        return step(session, day, rt)


def sweep_days(start: date, end: date, rt, step=climb_ladder) -> None:
    day = start
    while day <= end:
        sweep(day, rt, step)
        day += timedelta(days=1)


def notices_of(item_id: int) -> Counter:
    with session_scope() as session:
        return Counter(session.exec(select(Notice.kind).where(Notice.item_id == item_id)).all())


def ladder_events_of(item_id: int) -> Counter:
    with session_scope() as session:
        return Counter(event.removeprefix("ladder:") for event in session.exec(select(AuditEvent.event).where(
            AuditEvent.entity == "item", AuditEvent.entity_id == item_id, AuditEvent.event.like("ladder:%"))).all())


def totals() -> tuple[int, int, int]:
    """(notices, documents on record, audit events) in the ledger."""
    from models import Document

    with session_scope() as session:
        return tuple(session.exec(select(func.count()).select_from(model)).one()
                     for model in (Notice, Document, AuditEvent))


def item(item_id: int) -> RectificationItem:
    with session_scope() as session:
        return session.get(RectificationItem, item_id)
