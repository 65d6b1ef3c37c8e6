"""The unit's sign-in link in its 督导通知书, 整改提醒 and 督办 e-mails, put in when the message is built for
delivery, never when the notice is filed: a link expires and can be revoked, while a notice's stored body is
written once and must not change (every side effect once). The link is valid `portal_link_days` (settings)
from the day the message is built; a message built again the same day (a retry) carries the same link.

A link goes only into a message addressed to the unit alone: it signs in *as the unit*, so a 督办 copied to the
unit's superior in the same message carries, instead, a line telling the unit where it finds its link (its
督导通知书 and 整改提醒, or the office), and the superior never holds a key to the unit's pages."""

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from html import escape

from sqlalchemy import select
from sqlmodel import Session

from core import clock
from core.settings import get_settings
from models import Notice, PortalLinkEpoch, Unit
from tasks.access.links import link_serializer, link_url, token_for
from tasks.mail.notice_build import MessageSpec

LINKED_KINDS = frozenset({"notice", "reminder", "urge"})  # 督导通知书, 整改提醒, 督办通知


def link_expiry(now: datetime, days: int) -> datetime:
    """The end of the `days`-th whole day after `now` (UTC): the same for every build on one day."""
    return datetime.combine(now.astimezone(UTC).date(), time(0), UTC) + timedelta(days=days + 1)


def _units(session: Session, unit_ids: set[int]) -> dict[int, tuple[str, int]]:
    """unit id -> (name, link epoch), in one query."""
    rows = session.execute(select(Unit.id, Unit.name, PortalLinkEpoch.epoch)
                           .join(PortalLinkEpoch, PortalLinkEpoch.unit_id == Unit.id, isouter=True)
                           .where(Unit.id.in_(unit_ids))).all()
    return {unit_id: (name, epoch or 0) for unit_id, name, epoch in rows}


def _with_link(spec: MessageSpec, unit_name: str, url: str, days: int) -> MessageSpec:
    line = f"{unit_name}登录督导门户（本单位专用，{days} 天内有效，请勿转发）："
    text = f"{spec.text.rstrip()}\n\n{line}\n{url}\n"
    if spec.html is None:
        return replace(spec, text=text)
    block = f'<p class="portal-link">{escape(line)}<br><a href="{escape(url)}">{escape(url)}</a></p>\n'
    return replace(spec, text=text, html=_before_body_end(spec.html, block))


def _where_to_find_link(spec: MessageSpec, unit_name: str) -> MessageSpec:
    line = (f"{unit_name}登录督导门户的专用链接附在发给本单位的督导通知书和整改提醒中，也可向区督导室索取"
            "（本邮件同时抄送上级单位，故不附链接）。")
    text = f"{spec.text.rstrip()}\n\n{line}\n"
    if spec.html is None:
        return replace(spec, text=text)
    return replace(spec, text=text, html=_before_body_end(spec.html, f'<p class="portal-link">{escape(line)}</p>\n'))


def _before_body_end(html: str, block: str) -> str:
    at = html.lower().rfind("</body>")
    return html + block if at < 0 else html[:at] + block + html[at:]


def _addressed_to_alone(spec: MessageSpec, unit_name: str) -> bool:
    return all(name == unit_name for name, _ in spec.recipients)


def with_portal_links(session: Session, notices: list[Notice], specs: list[MessageSpec],
                      now: datetime | None = None) -> list[MessageSpec]:
    """`specs` (one per notice, in order), those of a unit's notice, reminder or 督办 carrying its link when
    addressed to the unit alone, and where to find it when copied to others too."""
    linked = {n.unit_id for n in notices if n.kind in LINKED_KINDS and n.unit_id is not None}
    if not linked:
        return specs
    days, units, serializer = get_settings().portal_link_days, _units(session, linked), link_serializer()
    expires = link_expiry(now or clock.now(), days)
    out = []
    for notice, spec in zip(notices, specs, strict=True):
        unit = units.get(notice.unit_id) if notice.kind in LINKED_KINDS else None
        if unit is not None and not _addressed_to_alone(spec, unit[0]):
            spec = _where_to_find_link(spec, unit[0])
        elif unit is not None:
            spec = _with_link(spec, unit[0], link_url(token_for(notice.unit_id, unit[1], expires, serializer)), days)
        out.append(spec)
    return out
