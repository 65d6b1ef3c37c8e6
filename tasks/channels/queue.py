"""Channel messages queued with their notices, in the same transaction: one per notice, channel and recipient
unit that has the channel's address (a robot, a mobile). The key names all three, so filing a notice again,
or queueing its messages twice, adds nothing."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import select
from sqlmodel import Session

from core.settings import Settings, get_settings
from models import ChannelMessage, Document, Notice, Unit
from models.queries import chunks, insert_all
from rules.policy import ChannelsPolicy, load_policy

SMS_LIMIT = 140  # characters of an SMS text: two segments of a Chinese SMS at most
WEBHOOK_LIMIT = 1000  # characters of a robot's text (both platforms take far more; a group reads the first lines)


@dataclass(frozen=True)
class Queued:
    """A notice just filed: its id, its kind, and the units it goes to."""

    notice_id: int
    kind: str
    recipients: Sequence[Unit]


@lru_cache(maxsize=4)
def _policy_at(path: str, _mtime_ns: int) -> ChannelsPolicy:
    return load_policy(Path(path)).channels


def channels_policy(settings: Settings) -> ChannelsPolicy:
    """The policy's [channels], read again only when the policy file changed (issue_many runs per batch)."""
    path = settings.policy_path
    return _policy_at(str(path), os.stat(path).st_mtime_ns)


def addressed(channel: str, unit: Unit, settings: Settings) -> bool:
    """Whether `unit` can be reached by `channel`: a robot; a mobile and an SMS gateway."""
    if channel == "webhook":
        return bool(getattr(unit, "robot_url", None))
    return bool(getattr(unit, "mobile", None)) and bool(settings.sms_gateway_url)


def message_key(notice_key: str, channel: str, unit_code: str) -> str:
    return f"{notice_key}|{channel}|{unit_code}"


def document_link(path: str | None, settings: Settings) -> str | None:
    """Where a unit opens the document over HTTP, when DUDAO_CHANNEL_LINK_URL says where documents are served."""
    if not path or not settings.channel_link_url:
        return None
    return f"{settings.channel_link_url.rstrip('/')}/{quote(path)}"


def message_text(channel: str, subject: str, body: str, link: str | None, sender: str) -> str:
    """A short Chinese text: for SMS the sender, the subject (title and unit) and the link; for a robot the
    subject, the document's first lines and the link."""
    if channel == "sms":
        tail = f"详见：{link}" if link else "详见电子邮件。"
        head = f"【{sender}】{subject}，" if sender else f"{subject}，"
        room = max(SMS_LIMIT - len(tail), 30)  # a link too long for the limit is kept whole: it must work
        return (head if len(head) <= room else head[:room - 2] + "…，") + tail
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    summary = "\n".join(lines[:8])
    text = f"{subject}\n{summary}"
    text = text if len(text) <= WEBHOOK_LIMIT else text[:WEBHOOK_LIMIT - 1] + "…"
    return f"{text}\n查看原文：{link}" if link else f"{text}\n（原文已发至本单位电子邮箱）"


def queue_channel_messages(session: Session, queued: list[Queued]) -> int:
    """Queue the channel messages of notices filed in the caller's transaction. Returns how many were new.
    A batch whose kinds the policy names for no channel, or whose units have no robot or mobile, costs no query."""
    settings = get_settings()
    policy = channels_policy(settings)
    wanted = [(q, pairs) for q in queued
              if (pairs := [(channel, unit) for channel in policy.channels_of(q.kind) for unit in q.recipients
                            if addressed(channel, unit, settings)])]
    if not wanted:
        return 0
    notices = _notices_with_documents(session, [q.notice_id for q, _ in wanted])
    rows: dict[str, dict] = {}
    for q, pairs in wanted:
        notice, path = notices[q.notice_id]
        link = document_link(path, settings)
        for channel, unit in pairs:
            key = message_key(notice.key, channel, unit.code)
            rows.setdefault(key, _row(key, notice, channel, unit, link, settings))
    fresh = _not_queued(session, list(rows))
    insert_all(session, ChannelMessage, [row for key, row in rows.items() if key in fresh])
    return len(fresh)


def _notices_with_documents(session: Session, ids: list[int]) -> dict[int, tuple[Notice, str | None]]:
    found = {}
    for part in chunks(ids):
        for notice, path in session.execute(select(Notice, Document.path)
                                            .outerjoin(Document, Notice.document_id == Document.id)
                                            .where(Notice.id.in_(part))):
            found[notice.id] = (notice, path)
    return found


def _not_queued(session: Session, keys: list[str]) -> set[str]:
    table = ChannelMessage.__table__
    known: set[str] = set()
    for start in range(0, len(keys), 500):
        known.update(session.execute(select(table.c.key).where(table.c.key.in_(keys[start:start + 500]))).scalars())
    return set(keys) - known


def _row(key: str, notice: Notice, channel: str, unit: Unit, link: str | None, settings: Settings) -> dict:
    return {"key": key, "notice_id": notice.id, "channel": channel, "kind": notice.kind, "unit_id": unit.id,
            "text": message_text(channel, notice.subject, notice.body_text, link, settings.smtp_from_name),
            "created_on": notice.created_on, "hold_until": notice.hold_until, "status": "pending", "attempts": 0,
            "last_error": ""}
