"""A unit's sign-in link: a token signed with the portal's secret, naming the unit, the unit's link epoch when
it was made and the moment it expires. A token is refused when its signature does not match (tampered), when
it has expired, or when the unit's epoch has moved on (revoked: `revoke` raises the epoch, which also ends
every session begun with an older link). Tokens are made in tasks/access/links.py, below the portal, because
the delivery of notices puts links into e-mails too."""

from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature
from sqlmodel import Session, select

from core import clock
from models import PortalLinkEpoch, Unit
from models.lifecycles import record
from tasks.access.links import MAX_DAYS, current_epoch, link_serializer, link_url, make_token

__all__ = ["MAX_DAYS", "LinkGrant", "LinkRefused", "current_epoch", "issue_link", "make_token", "read_token",
           "revoke", "unit_by_code"]


class LinkRefused(Exception):
    """A link that cannot sign anyone in; the message says why, in Chinese, for the person holding it."""


@dataclass(frozen=True)
class LinkGrant:
    unit_id: int
    epoch: int


def unit_by_code(session: Session, code: str) -> Unit | None:
    return session.exec(select(Unit).where(Unit.code == code)).first()


def issue_link(session: Session, unit: Unit, days: int, actor: str, now: datetime | None = None) -> str:
    """The URL of a new link for `unit`; who made it for whom and until when goes into the audit chain."""
    now = now or clock.now()
    token = make_token(session, unit, days, now)
    record(session, "unit", unit.id, "portal_link", as_of=clock.today(), actor=actor,
           detail={"days": days, "epoch": current_epoch(session, unit.id)})
    return link_url(token)


def read_token(session: Session, token: str, now: datetime | None = None) -> LinkGrant:
    """The grant a token carries, or LinkRefused saying why in Chinese."""
    try:
        unit_id, epoch, expires = link_serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise LinkRefused("登录链接无效（链接不完整或已被改动），请使用督导室发送的原链接。") from None
    if not all(isinstance(part, int) for part in (unit_id, epoch, expires)):
        raise LinkRefused("登录链接无效，请使用督导室发送的原链接。")
    if (now or clock.now()).timestamp() >= expires:
        raise LinkRefused("登录链接已过期，请联系督导室重新发送。")
    if session.get(Unit, unit_id) is None or epoch != current_epoch(session, unit_id):
        raise LinkRefused("登录链接已被督导室收回，请联系督导室重新发送。")
    return LinkGrant(unit_id, epoch)


def revoke(session: Session, unit: Unit, actor: str, now: datetime | None = None) -> int:
    """Raise the unit's epoch: every link and session made before stops working. Returns the new epoch."""
    now = now or clock.now()
    row = session.get(PortalLinkEpoch, unit.id) or PortalLinkEpoch(unit_id=unit.id, epoch=0, changed_at=now)
    row.epoch, row.changed_at = row.epoch + 1, now
    session.add(row)
    record(session, "unit", unit.id, "portal_revoke", as_of=clock.today(), actor=actor,
           detail={"epoch": row.epoch})
    return row.epoch
