"""The audit events that go with every change: one at a time (ORM, sealed onto the chain at once) or many in
order (chained and inserted by multi-row statements)."""

import json
from datetime import date

from sqlmodel import Session

from core import clock
from models import audit_chain
from models.ledger import AuditEvent


def record(
    session: Session,
    entity: str,
    entity_id: int,
    event: str,
    *,
    as_of: date,
    actor: str = "system",
    detail: dict | None = None,
    from_stage: str | None = None,
    to_stage: str | None = None,
) -> AuditEvent:
    """Append an audit event (also for changes that are not stage transitions, e.g. a ladder step)."""
    return record_row(session, audit_row(entity, entity_id, event, as_of=as_of, actor=actor, detail=detail,
                                         from_stage=from_stage, to_stage=to_stage))


def audit_row(entity: str, entity_id: int, event: str, *, as_of: date, actor: str = "system",
              detail: dict | None = None, from_stage: str | None = None, to_stage: str | None = None) -> dict:
    """An audit event's columns (not yet chained): for `record_row` now or `record_rows` in a batch."""
    return {"entity": entity, "entity_id": entity_id, "event": event, "from_stage": from_stage,
            "to_stage": to_stage, "as_of": as_of, "actor": actor, "recorded_at": clock.now(),
            "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=str)}


def record_row(session: Session, row: dict) -> AuditEvent:
    """Append one audit event from `audit_row`'s columns."""
    audit = AuditEvent(**row)
    audit_chain.seal(session, audit)  # hash-chained onto the last event, under the append lock
    session.add(audit)
    return audit


def record_rows(session: Session, rows: list[dict]) -> None:
    """Append many audit events at once, in order: the session's pending events are flushed first so that ids
    follow the chain, then the rows are chained and inserted by multi-row statements (no ORM objects)."""
    if not rows:
        return
    session.flush()
    audit_chain.seal_rows(session, rows)
    table = AuditEvent.__table__
    for start in range(0, len(rows), 500):
        session.connection().execute(table.insert(), rows[start:start + 500])
