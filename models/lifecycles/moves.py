"""The one way a state changes in the ledger: a conditional UPDATE that names the columns as they were read.

`update_unchanged` updates each row only if its state (or version, or plan) is still what the caller read,
else raises StaleTransition: another process moved it first, and nothing of the move was written. `move`
applies one event of a declared machine to one entity that way and appends its audit event in the same
transaction. The statements are built once per shape and kept, so a sweep that moves thousands of rows a day
pays for the execution only.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, bindparam
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from models.lifecycles.audit import record_row
from models.lifecycles.machine import IllegalTransition, Machine, StaleTransition

# (row id, the columns as read, the columns to set)
Change = tuple[int, Mapping[str, Any], Mapping[str, Any]]
_STATEMENTS: dict[tuple, Any] = {}


def _shape(table: Table, change: Change) -> tuple:
    _, read, values = change
    return (table.name, tuple([(name, value is None) for name, value in read.items()]), tuple(values))


def _statement(table: Table, shape: tuple):
    """UPDATE … SET the values WHERE id and every column read still hold (IS NULL for a None read)."""
    statement = _STATEMENTS.get(shape)
    if statement is None:
        _, read, values = shape
        where = [table.c[name].is_(None) if null else table.c[name] == bindparam(f"read_{name}")
                 for name, null in read]
        statement = table.update().where(table.c.id == bindparam("row_id"), *where).values(
            {name: bindparam(f"new_{name}") for name in values})
        _STATEMENTS[shape] = statement
    return statement


def _params(change: Change) -> dict:
    row_id, read, values = change
    params = {f"read_{name}": value for name, value in read.items() if value is not None}
    params.update({f"new_{name}": value for name, value in values.items()})
    params["row_id"] = row_id
    return params


def update_unchanged(session: Session, table: Table, changes: Sequence[Change], what: str) -> None:
    """Apply each change only where its row still holds what was read, in the caller's transaction (one
    executemany per shape); StaleTransition naming how many rows moved under us if any did."""
    groups: dict[tuple, list[dict]] = {}
    for change in changes:
        groups.setdefault(_shape(table, change), []).append(_params(change))
    connection = session.connection()
    matched = 0
    for shape, rows in groups.items():
        matched += connection.execute(_statement(table, shape), rows[0] if len(rows) == 1 else rows).rowcount
    if matched != len(changes):
        ids = ", ".join(str(change[0]) for change in changes[:5])
        raise StaleTransition(f"{what}: {len(changes) - matched} of {len(changes)} changed under us "
                              f"(among {ids}{' …' if len(changes) > 5 else ''})")


def move(session: Session, machine: Machine, entity: Any, event: str, *, read: Sequence[str] = (),
         values: Mapping[str, Any] | None = None, audit: dict | None = None) -> Any:
    """Apply `event` to `entity` now: its state column and the `read` columns must still hold what the entity
    says (else StaleTransition), `values` are set with the new state, and `audit` (an `audit_row`, if the
    change is audited here) is appended in the same transaction. IllegalTransition if the machine forbids the
    event, or if `values` names another state than the machine's. Returns the new state."""
    target = machine.after(entity, event)
    values = dict(values or {})
    if values.setdefault(machine.column, target) != target:
        raise IllegalTransition(f"{machine.name} {entity.id}: '{event}' leads to '{target}', "
                                f"not '{values[machine.column]}'")
    expected = {name: getattr(entity, name) for name in (machine.column, *read)}
    update_unchanged(session, type(entity).__table__, [(entity.id, expected, values)], machine.name)
    for name, value in values.items():
        set_committed_value(entity, name, value)  # the row has them: nothing left for the ORM to flush
    if audit is not None:
        record_row(session, audit)
    return target
