"""The audit log as a hash chain: each event's hash covers the previous event's hash and its own fields.

Editing or deleting an event behind the system's back breaks the chain at that point, and `verify` names the
first event where it breaks. Appending takes the ledger's write lock first (an advisory transaction lock on
PostgreSQL, the database write lock on SQLite) so that two transactions appending at once cannot both chain
onto the same head. Only the transaction's first append reads the head (one read by primary key); later
appends in the same transaction chain onto the event appended before.
"""

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import partial

from sqlalchemy import Row, select, text
from sqlmodel import Session

from models.ledger import AuditEvent

GENESIS = "0" * 64
# pg_advisory_xact_lock key: the bytes "dudaoaud" as a signed 64-bit integer.
LOCK_KEY = int.from_bytes(b"dudaoaud", "big", signed=True)
_CACHE = "audit_chain_head"
HASHED_FIELDS = ("entity", "entity_id", "event", "from_stage", "to_stage", "as_of", "actor", "detail")


def canonical(event: AuditEvent | Row | Mapping) -> str:
    """The event's hashed fields as one canonical JSON text (recorded_at is not covered)."""
    get = event.__getitem__ if isinstance(event, Mapping) else partial(getattr, event)
    fields = {name: get(name) for name in HASHED_FIELDS}
    fields["as_of"] = fields["as_of"].isoformat()
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(prev_hash: str, event: AuditEvent | Row | Mapping) -> str:
    """sha256 over the previous hash and the event's canonical text."""
    return hashlib.sha256(f"{prev_hash}\n{canonical(event)}".encode()).hexdigest()


def seal(session: Session, event: AuditEvent) -> None:
    """Chain `event` (not yet flushed) onto the ledger's last event and remember it as this transaction's head."""
    event.prev_hash = _head_for_append(session)
    event.hash = digest(event.prev_hash, event)
    session.info[_CACHE] = (session.get_transaction(), event.hash, event)


def seal_rows(session: Session, rows: list[dict]) -> None:
    """Chain rows that are about to be inserted in this order (after every pending event has been flushed)."""
    prev_hash = _head_for_append(session)
    for row in rows:
        row["prev_hash"], row["hash"] = prev_hash, digest(prev_hash, row)
        prev_hash = row["hash"]
    session.info[_CACHE] = (session.get_transaction(), prev_hash, None)


def _head_for_append(session: Session) -> str:
    """This transaction's last appended hash, or the ledger's (read under the append lock) at its first append.
    An ORM event remembered as the head counts only while it is still in the session (not rolled back)."""
    cached = session.info.get(_CACHE)
    if cached is not None and cached[0] is session.get_transaction() and (cached[2] is None or cached[2] in session):
        return cached[1]
    return _locked_head(session)


def _locked_head(session: Session) -> str:
    """Take the append lock (held until the transaction ends), then read the last event's hash."""
    with session.no_autoflush:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        else:
            # A write that changes nothing still takes SQLite's write lock (waiting out the busy timeout),
            # so the read below sees the last committed event and no other writer can append meanwhile.
            session.execute(text("UPDATE auditevent SET id = id WHERE 0 = 1"))
        last = session.execute(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar()
    return GENESIS if last is None else last


@dataclass(frozen=True)
class Break:
    """Where the chain first fails to hold, and why."""

    event_id: int
    reason: str


def verify(session: Session, batch: int = 2000) -> tuple[int, Break | None]:
    """Walk the chain from the first event. Returns (events checked, first break or None)."""
    expected_prev, checked = GENESIS, 0
    for event in _events(session, batch):
        if event.prev_hash != expected_prev:
            reason = "missing hash" if event.prev_hash is None else "does not follow the event before it " \
                "(an event was deleted, inserted or reordered)"
            return checked, Break(event.id, f"prev_hash {reason}")
        if event.hash != digest(event.prev_hash, event):
            return checked, Break(event.id, "hash does not match its fields (the event was edited)")
        expected_prev, checked = event.hash, checked + 1
    return checked, None


def head(session: Session) -> tuple[int, str] | None:
    """The last event's id and hash (an anchor to keep elsewhere), or None for an empty log."""
    row = session.execute(select(AuditEvent.id, AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).first()
    return None if row is None else (row[0], row[1])


def _events(session: Session, batch: int) -> Iterator[Row]:
    """Every event's stored columns in id order, read in keyset pages (a long log never sits in memory)."""
    columns = [getattr(AuditEvent, name) for name in ("id", "prev_hash", "hash", *HASHED_FIELDS)]
    after = 0
    while True:
        page = session.execute(select(*columns).where(AuditEvent.id > after)
                               .order_by(AuditEvent.id).limit(batch)).all()
        if not page:
            return
        yield from page
        after = page[-1].id
