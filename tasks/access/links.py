"""Making a unit's sign-in link: a token signed with the portal's secret naming the unit, the unit's link epoch
when it was made and the moment it expires, and the URL that carries it. The portal reads tokens back
(portal/links.py) with the same serializer; revoking raises the epoch there, which refuses every older token."""

from datetime import datetime, timedelta

from itsdangerous import URLSafeSerializer
from sqlmodel import Session

from core import clock
from core.settings import get_settings
from models import PortalLinkEpoch, Unit
from tasks.access.secret import derived_key

MAX_DAYS = 366  # a link lives at most a year: a longer one is a typing mistake


def link_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(derived_key("portal-link"), salt="dudao-portal-link")


def current_epoch(session: Session, unit_id: int) -> int:
    row = session.get(PortalLinkEpoch, unit_id)
    return row.epoch if row is not None else 0


def token_for(unit_id: int, epoch: int, expires: datetime, serializer: URLSafeSerializer | None = None) -> str:
    """The signed token (a batch of notices passes one serializer: the key is derived once)."""
    return (serializer or link_serializer()).dumps([unit_id, epoch, int(expires.timestamp())])


def make_token(session: Session, unit: Unit, days: int, now: datetime | None = None) -> str:
    """A token for `unit`, valid `days` days from `now` under the unit's current epoch."""
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be 1..{MAX_DAYS}")
    expires = (now or clock.now()) + timedelta(days=days)
    return token_for(unit.id, current_epoch(session, unit.id), expires)


def link_url(token: str) -> str:
    return f"{get_settings().portal_base_url.rstrip('/')}/link/{token}"
