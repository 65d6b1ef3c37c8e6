"""What operators read about the outbox: counts by status, failed notices, stuck ones (pending after
`smtp_max_attempts` transient failures). Used by `dudao notices` and the daily sweep's artifact."""

from sqlalchemy import func, select
from sqlmodel import Session

from models import Notice


def status_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Notice.status, func.count()).group_by(Notice.status)).all()
    return {status: count for status, count in sorted(rows)}


def failed_notices(session: Session, limit: int = 50) -> tuple[int, list[Notice]]:
    """How many failed for good (a 5xx reply, a refused address), and the newest `limit` of them."""
    total = session.execute(select(func.count()).where(Notice.status == "failed")).scalar_one()
    rows = session.execute(select(Notice).where(Notice.status == "failed")
                           .order_by(Notice.id.desc()).limit(limit)).scalars().all()
    return total, list(rows)


def stuck_notices(session: Session, max_attempts: int, limit: int = 50) -> tuple[int, list[Notice]]:
    """Pending notices that failed transiently `max_attempts` times or more; each later run tries again."""
    where = (Notice.status == "pending", Notice.attempts >= max_attempts)
    total = session.execute(select(func.count()).where(*where)).scalar_one()
    rows = session.execute(select(Notice).where(*where).order_by(Notice.id).limit(limit)).scalars().all()
    return total, list(rows)


def notice_row(notice: Notice) -> dict:
    """One notice as a table row for operators (no bodies, no settings)."""
    return {"id": notice.id, "key": notice.key, "status": notice.status, "attempts": notice.attempts,
            "subject": notice.subject, "last_error": notice.last_error}
