"""The one place where stages change.

Each lifecycle is declared once: states are nouns, events are verbs, guards are predicates. An illegal
event raises `IllegalTransition`; a stage changed under our feet by another process raises
`StaleTransition` (optimistic locking on `version`). Every transition appends an audit event in the same
transaction as the change.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from core import clock
from models import audit_chain
from models.inspection import Inspection, InspectionKind, RectificationItem
from models.ledger import AuditEvent


class InspectionStage(StrEnum):
    PLANNED = "planned"
    NOTIFIED = "notified"
    SELF_ASSESSMENT = "self_assessment"
    ONSITE = "onsite"
    PRELIMINARY = "preliminary"
    ISSUED = "issued"
    RECTIFYING = "rectifying"
    RECHECK = "recheck"
    CLOSED = "closed"


class ItemStage(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    CLOSED = "closed"


class IllegalTransition(RuntimeError):
    """An event that the entity's current stage does not allow."""


class StaleTransition(RuntimeError):
    """Another process changed the entity first; this transaction must roll back."""


@dataclass(frozen=True)
class Event:
    sources: frozenset[str]
    target: str
    guard: Callable[[Any], bool] | None = None


def _unannounced(inspection: Inspection) -> bool:
    """Covert, emergency and routine (挂牌督导) inspections visit without a notice first."""
    return inspection.covert or inspection.kind in (InspectionKind.EMERGENCY, InspectionKind.ROUTINE)


S = InspectionStage
INSPECTION_EVENTS: dict[str, Event] = {
    "notify": Event(frozenset({S.PLANNED}), S.NOTIFIED),
    "receive_self_assessment": Event(frozenset({S.NOTIFIED}), S.SELF_ASSESSMENT),
    "visit": Event(frozenset({S.NOTIFIED, S.SELF_ASSESSMENT}), S.ONSITE),
    "visit_unannounced": Event(frozenset({S.PLANNED}), S.ONSITE, _unannounced),
    "feed_back": Event(frozenset({S.ONSITE}), S.PRELIMINARY),
    "issue": Event(frozenset({S.PRELIMINARY}), S.ISSUED),
    "start_rectification": Event(frozenset({S.ISSUED}), S.RECTIFYING),
    "close_without_items": Event(frozenset({S.ISSUED}), S.CLOSED),
    "await_recheck": Event(frozenset({S.RECTIFYING}), S.RECHECK),
    "close": Event(frozenset({S.RECHECK}), S.CLOSED),
    "reopen": Event(frozenset({S.RECHECK, S.CLOSED}), S.RECTIFYING),
}

It = ItemStage
ITEM_EVENTS: dict[str, Event] = {
    "submit": Event(frozenset({It.OPEN}), It.SUBMITTED),
    "accept": Event(frozenset({It.SUBMITTED}), It.ACCEPTED),
    "reject": Event(frozenset({It.SUBMITTED}), It.OPEN),
    "confirm": Event(frozenset({It.ACCEPTED}), It.CLOSED),
    "relapse": Event(frozenset({It.ACCEPTED, It.CLOSED}), It.OPEN),
}

LIFECYCLES: dict[type, tuple[str, dict[str, Event]]] = {
    Inspection: ("inspection", INSPECTION_EVENTS),
    RectificationItem: ("item", ITEM_EVENTS),
}


def allowed_events(entity: Inspection | RectificationItem) -> list[str]:
    """The events the entity's current stage allows (guards included)."""
    _, events = LIFECYCLES[type(entity)]
    return [name for name, ev in events.items() if _permits(ev, entity)]


def _permits(event: Event, entity: Any) -> bool:
    return entity.stage in event.sources and (event.guard is None or event.guard(entity))


def transition(
    session: Session,
    entity: Inspection | RectificationItem,
    event: str,
    *,
    as_of: date,
    actor: str = "system",
    detail: dict | None = None,
) -> str:
    """Apply `event` to `entity`, or raise. Returns the new stage."""
    batch = Transitions(session)
    stage = batch.apply(entity, event, as_of=as_of, actor=actor, detail=detail)
    batch.write()
    return stage


class Transitions:
    """Many transitions (and other audit events) of one transaction, checked one by one as they are applied
    and written together: per table one version-checked UPDATE executed for all rows, then the audit events
    chained in the order they were applied. A step that moves hundreds of rows a day pays for one statement
    instead of one round trip, flush and ORM audit object per row.

    `apply` checks the event against the entity's stage as it stands in this batch and sets its new stage at
    once (so a second event on the same entity sees it); the database has it after `write`. Query by stage
    only after `write`."""

    def __init__(self, session: Session):
        self.session = session
        self._updates: dict[type, list[dict]] = {}
        self._audit: list[dict] = []

    def apply(self, entity: Inspection | RectificationItem, event: str, *, as_of: date, actor: str = "system",
              detail: dict | None = None) -> str:
        """Check and apply `event` to `entity`, or raise IllegalTransition. Returns the new stage."""
        name, events = LIFECYCLES[type(entity)]
        spec = events.get(event)
        if spec is None or not _permits(spec, entity):
            raise IllegalTransition(f"{name} {entity.id}: '{event}' is not allowed in stage '{entity.stage}'")
        source, version = entity.stage, entity.version
        self._updates.setdefault(type(entity), []).append(
            {"b_id": entity.id, "b_version": version, "b_stage": spec.target})
        set_committed_value(entity, "stage", spec.target)  # the version-checked UPDATE writes both in `write`
        set_committed_value(entity, "version", version + 1)
        self.record(name, entity.id, event, as_of=as_of, actor=actor, detail=detail, from_stage=source,
                    to_stage=spec.target)
        return spec.target

    def record(self, entity: str, entity_id: int, event: str, **columns) -> None:
        """An audit event that is not a stage change (a release, a rebuttal), in order with the transitions."""
        self._audit.append(audit_row(entity, entity_id, event, **columns))

    def write(self) -> None:
        """Flush the session's other changes, update every stage (raising StaleTransition if any row's version
        moved under us), then append the audit events in order."""
        self.session.flush()
        for table, rows in self._updates.items():
            self._update_stages(table, rows)
        record_rows(self.session, self._audit)
        self._updates, self._audit = {}, []

    def _update_stages(self, table: type, rows: list[dict]) -> None:
        columns = table.__table__.c
        statement = (update(table.__table__)
                     .where(columns.id == bindparam("b_id"), columns.version == bindparam("b_version"))
                     .values(stage=bindparam("b_stage"), version=bindparam("b_version") + 1))
        result = self.session.connection().execute(statement, rows)
        if result.rowcount != len(rows):
            name, _ = LIFECYCLES[table]
            ids = ", ".join(str(row["b_id"]) for row in rows[:5])
            raise StaleTransition(f"{name}: {len(rows) - result.rowcount} of {len(rows)} changed under us "
                                  f"(among {ids}{' …' if len(rows) > 5 else ''})")


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
