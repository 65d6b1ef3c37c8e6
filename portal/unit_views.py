"""What a signed-in unit may read. Every query here takes the unit's id and filters by it, so a page can only
reach another unit's rows by a bug in this one module (and the tests ask for another unit's by URL).

Secrecy: a covert visit (暗访) is not shown before its day, and a document whose notice is held (a covert
inspection's, until the visit) is not shown while it is held."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import and_, exists, or_
from sqlmodel import Session, select

from core.settings import get_settings
from models import Document, Finding, Inspection, Notice, RectificationItem, Submission


@dataclass(frozen=True)
class ItemView:
    item: RectificationItem
    finding: Finding
    inspection: Inspection


def _visible(today: date):
    """Inspections the unit may know of on `today`: visited already, or announced (never a covert one early)."""
    visited = and_(Inspection.visit_on.is_not(None), Inspection.visit_on <= today)
    announced = and_(Inspection.covert.is_(False), Inspection.notice_on.is_not(None), Inspection.notice_on <= today)
    return or_(visited, announced)


def inspections_of(session: Session, unit_id: int, today: date) -> list[Inspection]:
    return list(session.exec(select(Inspection).where(Inspection.unit_id == unit_id, _visible(today))
                             .order_by(Inspection.year.desc(), Inspection.id.desc())).all())


def inspection_of(session: Session, unit_id: int, inspection_id: int, today: date) -> Inspection | None:
    """The unit's inspection `inspection_id` as it may know it today, or None (none, another's, not yet shown)."""
    return session.exec(select(Inspection).where(Inspection.id == inspection_id, Inspection.unit_id == unit_id,
                                                 _visible(today))).first()


def _items_query(unit_id: int, today: date):
    return (select(RectificationItem, Finding, Inspection)
            .join(Finding, Finding.id == RectificationItem.finding_id)
            .join(Inspection, Inspection.id == RectificationItem.inspection_id)
            .where(RectificationItem.unit_id == unit_id, Inspection.unit_id == unit_id, _visible(today)))


def items_of(session: Session, unit_id: int, today: date) -> list[ItemView]:
    rows = session.exec(_items_query(unit_id, today).order_by(RectificationItem.current_deadline,
                                                               RectificationItem.id)).all()
    return [ItemView(*row) for row in rows]


def item_of(session: Session, unit_id: int, item_id: int, today: date) -> ItemView | None:
    """The unit's item `item_id`, or None when there is none or it is another unit's (the same answer)."""
    row = session.exec(_items_query(unit_id, today).where(RectificationItem.id == item_id)).first()
    return ItemView(*row) if row is not None else None


def submissions_of(session: Session, item_id: int) -> list[Submission]:
    return list(session.exec(select(Submission).where(Submission.item_id == item_id)
                             .order_by(Submission.id.desc())).all())


def _documents_query(unit_id: int, today: date):
    held = exists().where(Notice.document_id == Document.id, Notice.hold_until.is_not(None),
                          Notice.hold_until > today)
    hidden_inspection = exists().where(Inspection.id == Document.inspection_id, ~_visible(today))
    return select(Document).where(Document.unit_id == unit_id, Document.issued_on <= today, ~held,
                                  ~hidden_inspection)


def documents_of(session: Session, unit_id: int, today: date) -> list[Document]:
    return list(session.exec(_documents_query(unit_id, today).order_by(Document.issued_on.desc(),
                                                                         Document.id.desc())).all())


def document_of(session: Session, unit_id: int, document_id: int, today: date) -> Document | None:
    return session.exec(_documents_query(unit_id, today).where(Document.id == document_id)).first()


def document_file(document: Document, suffix: str) -> Path | None:
    """The document's file (.html or .pdf) under the output folder, or None (missing, or a path that would
    leave the folder: the ledger's path is trusted no further than that)."""
    root = get_settings().out_dir.resolve()
    path = (root / document.path).with_suffix(suffix).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path
