"""What operators read about the channel messages: counts by channel and status, failed ones, stuck ones
(pending after `smtp_max_attempts` transient failures, like notices). Used by `dudao channels`, the daily
sweep's table, the deliver-outbox table and the outbox-stuck alert."""

from sqlalchemy import func, select
from sqlmodel import Session

from models import ChannelMessage

CHANNEL_LABELS = {"webhook": "群机器人", "sms": "短信"}
M = ChannelMessage


def channel_counts(session: Session) -> dict[str, int]:
    """'channel status' -> count, e.g. {'sms sent': 3, 'webhook pending': 1}."""
    rows = session.execute(select(M.channel, M.status, func.count()).group_by(M.channel, M.status)).all()
    return {f"{channel} {status}": count for channel, status, count in sorted(rows)}


def failed_messages(session: Session, limit: int = 50) -> tuple[int, list[ChannelMessage]]:
    total = session.execute(select(func.count()).where(M.status == "failed")).scalar_one()
    rows = session.execute(select(M).where(M.status == "failed").order_by(M.id.desc()).limit(limit)).scalars().all()
    return total, list(rows)


def stuck_messages(session: Session, max_attempts: int, limit: int = 50) -> tuple[int, list[ChannelMessage]]:
    """Pending messages that failed transiently `max_attempts` times or more; each later run tries again."""
    where = (M.status == "pending", M.attempts >= max_attempts)
    total = session.execute(select(func.count()).where(*where)).scalar_one()
    rows = session.execute(select(M).where(*where).order_by(M.id).limit(limit)).scalars().all()
    return total, list(rows)


def message_row(message: ChannelMessage) -> dict:
    """One message as a table row for operators (no address, no secret)."""
    return {"id": message.id, "key": message.key, "channel": message.channel, "status": message.status,
            "attempts": message.attempts, "last_error": message.last_error}
