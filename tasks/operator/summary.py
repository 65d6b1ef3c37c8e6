"""Counts for operators: inspections by stage, items by stage, notices by kind, ladder steps reached."""

from sqlmodel import Session, func, select

from models import AuditEvent, Document, Inspection, Notice, RectificationItem
from tasks.ladder.summary import ladder_summary


def _grouped(session: Session, column, *where) -> dict[str, int]:
    rows = session.exec(select(column, func.count()).where(*where).group_by(column)).all()
    return {str(key): count for key, count in sorted(rows)}


def year_summary(session: Session, year: int) -> dict:
    """One JSON-ready object describing the year in the ledger."""
    in_year = Inspection.year == year
    item_ids = select(RectificationItem.id).join(Inspection, RectificationItem.inspection_id == Inspection.id).where(in_year)
    return {
        "year": year,
        "inspections": _grouped(session, Inspection.stage, in_year),
        "inspections_by_kind": _grouped(session, Inspection.kind, in_year),
        "rectification": _grouped(session, RectificationItem.stage, RectificationItem.id.in_(item_ids)),
        "overdue_items": _overdue(session, item_ids),
        **ladder_summary(session, year, item_ids),  # ladder, aggravated_units, escalation, review_requests
        "notices": _grouped(session, Notice.kind),
        "notices_by_status": _grouped(session, Notice.status),
        "documents": _grouped(session, Document.kind),
        "published_reports": session.exec(select(func.count()).where(in_year, Inspection.published_on.is_not(None))).one(),
        "audit_events": session.exec(select(func.count()).select_from(AuditEvent)).one(),
    }


def _overdue(session: Session, item_ids) -> int:
    """Items that climbed past their first deadline (reached 督办 or beyond) and are not yet accepted."""
    return session.exec(select(func.count()).where(
        RectificationItem.id.in_(item_ids), RectificationItem.stage.in_(["open", "submitted"]),
        RectificationItem.ladder_step.not_in(["none", "reminder"]))).one()
