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
    thousands of rows a sweep or a plan day inserts, building SQLModel objects costs more than the INSERT.
    On SQLite ids in order cost one INSERT a row (SQLAlchemy cannot tie SQLite's new rowids to the order of
    the rows in one statement): rows with a key of their own go through insert_keyed, rows whose ids nobody
    reads through insert_all."""
    table = model.__table__
    insert = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    connection = session.connection()
    return [row.id for start in range(0, len(rows), _CHUNK)
            for row in connection.execute(insert, rows[start:start + _CHUNK])]


def insert_keyed(session: Session, model, rows: list[dict]) -> dict[str, int]:
    """INSERT rows that each carry a unique `key`; returns key -> new id, matched by key rather than by
    position, so that SQLite too takes a few hundred rows a statement (27 -> 9 µs a row)."""
    table = model.__table__
    insert = table.insert().returning(table.c.key, table.c.id)
    connection = session.connection()
    ids: dict[str, int] = {}
    for start in range(0, len(rows), _CHUNK):
        ids.update((key, id_) for key, id_ in connection.execute(insert, rows[start:start + _CHUNK]))
    return ids


def insert_all(session: Session, model, rows: list[dict]) -> None:
    """INSERT rows whose new ids the caller does not need (one executemany)."""
    if rows:
        session.connection().execute(model.__table__.insert(), rows)


def office(session: Session, code: str) -> Unit:
    """One of the offices that receive notices (OFFICE, COMMITTEE, LEADERSHIP, MUNICIPAL)."""
    unit = session.exec(select(Unit).where(Unit.code == code)).first()
    if unit is None:
        raise LookupError(f"office '{code}' is not in the ledger: run `dudao seed` first")
    return unit
