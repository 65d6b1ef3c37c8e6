"""Batch reads and writes of ledger rows: IN lists in chunks, rows by id, multi-row INSERTs without ORM objects.

The sweep and the simulation work on a day's rows as sets; these are the few statements they share.
"""

from collections.abc import Iterable

from sqlmodel import Session, select

from models.district import Unit

_CHUNK = 500  # ids per IN list


def chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    """The ids in IN lists of at most _CHUNK (SQLite and PostgreSQL both cap a statement's parameters)."""
    ids = list(ids)
    for start in range(0, len(ids), _CHUNK):
        yield ids[start:start + _CHUNK]


def rows_by_id(session: Session, model, row_ids: Iterable[int]) -> dict:
    """id -> row of `model` for a batch (the identity map keeps one object per row, as session.get would)."""
    rows: dict = {}
    for ids in chunks(sorted(set(row_ids))):
        rows.update({row.id: row for row in session.exec(select(model).where(model.id.in_(ids))).all()})
    return rows


def insert_rows(session: Session, model, rows: list[dict]) -> list[int]:
    """INSERT the rows of `model` in order (multi-row statements, every row with the same keys; columns left
    out take their defaults) and return their new ids in that order. No ORM object is built: for the tens of
    thousands of rows a sweep or a plan day inserts, building SQLModel objects costs more than the INSERT."""
    table = model.__table__
    insert = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    connection = session.connection()
    return [row.id for start in range(0, len(rows), _CHUNK)
            for row in connection.execute(insert, rows[start:start + _CHUNK])]


def office(session: Session, code: str) -> Unit:
    """One of the offices that receive notices (OFFICE, COMMITTEE, LEADERSHIP, MUNICIPAL)."""
    unit = session.exec(select(Unit).where(Unit.code == code)).first()
    if unit is None:
        raise LookupError(f"office '{code}' is not in the ledger: run `dudao seed` first")
    return unit
