"""Audit commands: verify the audit log's hash chain, print its head (an anchor to keep elsewhere)."""

import argparse

from core.db import session_scope
from core.errors import InputError
from models import AuditEvent
from models.audit_chain import head, verify


def cmd_verify(args) -> int:
    with session_scope() as session:
        checked, broken = verify(session)
        anchor_problem = _check_anchor(session, args.anchor) if broken is None and args.anchor else None
    if broken is not None:
        print(f"audit chain broken at event {broken.event_id}: {broken.reason} ({checked} events before it hold)")
        return 1
    if anchor_problem:
        print(f"audit chain does not reach the anchor: {anchor_problem}")
        return 1
    print(f"audit chain holds: {checked} events")
    return 0


def _check_anchor(session, anchor: str) -> str | None:
    """An anchor ID:HASH kept from earlier must still be in the chain (catches a rewritten or truncated tail)."""
    event_id, _, expected = anchor.partition(":")
    if not event_id.isdigit() or len(expected) != 64:
        raise InputError(f"--anchor {anchor!r}：应为 `dudao audit head` 打印的 EVENT_ID:SHA256")
    event = session.get(AuditEvent, int(event_id))
    if event is None:
        return f"event {event_id} is missing (the log was truncated)"
    if event.hash != expected:
        return f"event {event_id} has hash {event.hash}, not {expected} (the chain was rewritten)"
    return None


def cmd_head(args) -> int:
    with session_scope() as session:
        last = head(session)
    print("audit log is empty" if last is None else f"{last[0]}:{last[1]}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    audit = sub.add_parser("audit", help="审计日志的防篡改核验")
    verbs = audit.add_subparsers(dest="audit_command", required=True)
    verify = verbs.add_parser("verify", help="核验哈希链；有断裂时指出第一个断裂的事件并以 1 退出")
    verify.add_argument("--anchor", help="此前由 `dudao audit head` 打印的 EVENT_ID:SHA256")
    verify.set_defaults(func=cmd_verify)
    verbs.add_parser("head", help="以 EVENT_ID:SHA256 打印最后一个事件").set_defaults(func=cmd_head)
