"""Stage transitions of inspections and rectification items, checked one by one and written together."""

from datetime import date

from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from models.inspection import Inspection, RectificationItem
from models.lifecycles.audit import audit_row, record_rows
from models.lifecycles.inspection import INSPECTION
from models.lifecycles.item import ITEM
from models.lifecycles.moves import Change, update_unchanged

STAGED = {Inspection: INSPECTION, RectificationItem: ITEM}  # optimistic locking on `version`


def allowed_events(entity: Inspection | RectificationItem) -> list[str]:
    """The events the entity's current stage allows (guards included)."""
    return STAGED[type(entity)].allowed(entity)


def transition(session: Session, entity: Inspection | RectificationItem, event: str, *, as_of: date,
               actor: str = "system", detail: dict | None = None) -> str:
    """Apply `event` to `entity`, or raise. Returns the new stage."""
    batch = Transitions(session)
    stage = batch.apply(entity, event, as_of=as_of, actor=actor, detail=detail)
    batch.write()
    return stage


class Transitions:
    """Many transitions (and other audit events) of one transaction, checked one by one as they are applied
    and written together: per table the version-checked conditional UPDATE executed for all rows, then the
    audit events chained in the order they were applied. A step that moves hundreds of rows a day pays for one
    statement instead of one round trip, flush and ORM audit object per row.

    `apply` checks the event against the entity's stage as it stands in this batch and sets its new stage at
    once (so a second event on the same entity sees it); the database has it after `write`. Query by stage
    only after `write`."""

    def __init__(self, session: Session):
        self.session = session
        self._updates: dict[type, list[Change]] = {}
        self._audit: list[dict] = []

    def apply(self, entity: Inspection | RectificationItem, event: str, *, as_of: date, actor: str = "system",
              detail: dict | None = None) -> str:
        """Check and apply `event` to `entity`, or raise IllegalTransition. Returns the new stage."""
        machine = STAGED[type(entity)]
        target = machine.after(entity, event)
        source, version = entity.stage, entity.version
        self._updates.setdefault(type(entity), []).append(
            (entity.id, {"version": version}, {"stage": target, "version": version + 1}))
        set_committed_value(entity, "stage", target)  # the version-checked UPDATE writes both in `write`
        set_committed_value(entity, "version", version + 1)
        self.record(machine.name, entity.id, event, as_of=as_of, actor=actor, detail=detail,
                    from_stage=source, to_stage=target)
        return target

    def record(self, entity: str, entity_id: int, event: str, **columns) -> None:
        """An audit event that is not a stage change (a release, a rebuttal), in order with the moves."""
        self._audit.append(audit_row(entity, entity_id, event, **columns))

    def write(self) -> None:
        """Flush the session's other changes, update every stage (raising StaleTransition if any row's version
        moved under us), then append the audit events in order."""
        self.session.flush()
        for table, changes in self._updates.items():
            update_unchanged(self.session, table.__table__, changes, STAGED[table].name)
        record_rows(self.session, self._audit)
        self._updates, self._audit = {}, []
