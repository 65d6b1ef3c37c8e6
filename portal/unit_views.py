"""What a signed-in unit may read. Every query here takes the unit's id and filters by it, so a page can only
reach another unit's rows by a bug in this one module (and the tests ask for another unit's by URL).

Secrecy: a covert visit (暗访) is not shown before its day, and a document whose notice is held (a covert
inspection's, until the visit) is not shown while it is held."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import and_, bindparam, exists, or_
from sqlmodel import Session, select

from core.settings import get_settings
from models import Document, Finding, Inspection, Notice, RectificationItem, Submission


@dataclass(frozen=True)
class ItemView:
    item: RectificationItem
    finding: Finding
    inspection: Inspection


# Each query is built once, its unit, day and row left as bound parameters: building a SQLAlchemy statement
# costs more CPU than SQLite's answering it, and a unit's page asks several (bench/portal_cpu.py).
UNIT, TODAY, ROW = bindparam("unit_id"), bindparam("today"), bindparam("row_id")


def _visible():
    """Inspections the unit may know of on TODAY: visited already, or announced (never a covert one early)."""
    visited = and_(Inspection.visit_on.is_not(None), Inspection.visit_on <= TODAY)
    announced = and_(Inspection.covert.is_(False), Inspection.notice_on.is_not(None), Inspection.notice_on <= TODAY)
    return or_(visited, announced)


def _inspections_query():
    return select(Inspection).where(Inspection.unit_id == UNIT, _visible())


def _items_query():
    return (select(RectificationItem, Finding, Inspection)
            .join(Finding, Finding.id == RectificationItem.finding_id)
            .join(Inspection, Inspection.id == RectificationItem.inspection_id)
            .where(RectificationItem.unit_id == UNIT, Inspection.unit_id == UNIT, _visible()))


def _documents_query():
    held = exists().where(Notice.document_id == Document.id, Notice.hold_until.is_not(None),
                          Notice.hold_until > TODAY)
    hidden_inspection = exists().where(Inspection.id == Document.inspection_id, ~_visible())
    return select(Document).where(Document.unit_id == UNIT, Document.issued_on <= TODAY, ~held, ~hidden_inspection)


INSPECTIONS = _inspections_query().order_by(Inspection.year.desc(), Inspection.id.desc())
INSPECTION = _inspections_query().where(Inspection.id == ROW)
ITEMS = _items_query().order_by(RectificationItem.current_deadline, RectificationItem.id)
ITEM = _items_query().where(RectificationItem.id == ROW)
SUBMISSIONS = select(Submission).where(Submission.item_id == ROW).order_by(Submission.id.desc())
DOCUMENTS = _documents_query().order_by(Document.issued_on.desc(), Document.id.desc())
DOCUMENT = _documents_query().where(Document.id == ROW)


def inspections_of(session: Session, unit_id: int, today: date) -> list[Inspection]:
    return list(session.exec(INSPECTIONS, params={"unit_id": unit_id, "today": today}).all())


def inspection_of(session: Session, unit_id: int, inspection_id: int, today: date) -> Inspection | None:
    """The unit's inspection `inspection_id` as it may know it today, or None (none, another's, not yet shown)."""
    return session.exec(INSPECTION, params={"unit_id": unit_id, "today": today, "row_id": inspection_id}).first()


def items_of(session: Session, unit_id: int, today: date) -> list[ItemView]:
    rows = session.exec(ITEMS, params={"unit_id": unit_id, "today": today}).all()
    return [ItemView(*row) for row in rows]


def item_of(session: Session, unit_id: int, item_id: int, today: date) -> ItemView | None:
    """The unit's item `item_id`, or None when there is none or it is another unit's (the same answer)."""
    row = session.exec(ITEM, params={"unit_id": unit_id, "today": today, "row_id": item_id}).first()
    return ItemView(*row) if row is not None else None


def submissions_of(session: Session, item_id: int) -> list[Submission]:
    return list(session.exec(SUBMISSIONS, params={"row_id": item_id}).all())


def documents_of(session: Session, unit_id: int, today: date) -> list[Document]:
    return list(session.exec(DOCUMENTS, params={"unit_id": unit_id, "today": today}).all())


def document_of(session: Session, unit_id: int, document_id: int, today: date) -> Document | None:
    return session.exec(DOCUMENT, params={"unit_id": unit_id, "today": today, "row_id": document_id}).first()


def document_file(document: Document, suffix: str) -> Path | None:
    """The document's file (.html or .pdf) under the output folder, or None (missing, or a path that would
    leave the folder: the ledger's path is trusted no further than that)."""
    root = get_settings().out_dir.resolve()
    path = (root / document.path).with_suffix(suffix).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path
