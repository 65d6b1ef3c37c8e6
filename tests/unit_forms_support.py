"""Helpers for the tests of a unit's forms: inspections at the step a form belongs to, a portal client on a
chosen day signed in through a link, a full self-assessment, and the sign-in link read from a delivered e-mail."""

import re
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

from fastapi.testclient import TestClient
from sqlmodel import select

from core.db import session_scope
from core.settings import get_settings
from models import Inspection, Unit
from portal.app import create_app
from rules.indicators import Framework
from tasks.cycle.due_steps import feed_back_due, issue_due, notify_due
from tasks.cycle.responses import FindingInput, record_visit
from tasks.cycle.scores import framework_for
from tests.portal_support import link_for
from tests.publication_world import plan

BASE = "http://127.0.0.1:8000"
LINK = re.compile(r"https?://[^\s\"<>]+/link/[A-Za-z0-9_.\-]+")


def notified(runtime, unit: str, code: str, visit_on: date) -> Inspection:
    """An announced annual inspection of `unit`, its 督导通知书 filed: waiting for the self-assessment."""
    with session_scope() as session:
        inspection = plan(session, unit, code, visit_on)
        notify_due(session, inspection.notice_on, runtime)
        session.expunge(inspection)
        return inspection


def preliminary(runtime, unit: str, code: str, visit_on: date) -> Inspection:
    """Visited with two findings and fed back: the 申辩 window open until `rebuttal_due`."""
    with session_scope() as session:
        inspection = plan(session, unit, code, visit_on)
        notify_due(session, inspection.notice_on, runtime)
        record_visit(session, inspection, [FindingInput("学校管理", "晨检记录不全"),
                                           FindingInput("课程教学", "劳动课时不足")], visit_on, runtime, actor="test")
        feed_back_due(session, inspection.feedback_on, runtime)
        session.expunge(inspection)
        return inspection


def issued(runtime, unit: str, code: str, visit_on: date) -> Inspection:
    """Its 督导意见书 issued the day after the 申辩 window: the 复核 window open."""
    inspection = preliminary(runtime, unit, code, visit_on)
    with session_scope() as session:
        issue_due(session, inspection.rebuttal_due + timedelta(days=1), runtime)
        return _detached(session, inspection.id)


def _detached(session, inspection_id: int) -> Inspection:
    inspection = session.get(Inspection, inspection_id)
    session.expunge(inspection)
    return inspection


def reload(inspection_id: int) -> Inspection:
    with session_scope() as session:
        return _detached(session, inspection_id)


def framework_of(inspection: Inspection) -> Framework:
    with session_scope() as session:
        unit = session.get(Unit, inspection.unit_id)
        return framework_for(session, session.get(Inspection, inspection.id), unit, inspection.visit_on)


def full_sheet(framework: Framework, score=lambda points: points - 1) -> dict[str, str]:
    """Form fields scoring every item (by default one point below its 分值)."""
    return {f"score:{e.item.code}": f"{score(e.item.points):g}" for e in framework.entries()}


def client_on(day: date) -> TestClient:
    return TestClient(create_app(today=lambda: day), base_url=BASE)


def signed_in_on(day: date, code: str) -> TestClient:
    browser = client_on(day)
    answer = browser.get(link_for(code).removeprefix(BASE))
    assert answer.status_code == 200 and answer.url.path == "/unit", answer.text
    return browser


def unit_id(code: str) -> int:
    with session_scope() as session:
        return session.exec(select(Unit.id).where(Unit.code == code)).one()


def delivered(key: str) -> EmailMessage:
    """The e-mail of the notice `key` as it lies in the Maildir."""
    root = get_settings().outbox_dir
    for path in [*(root / "new").iterdir(), *(root / "cur").iterdir()]:
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["X-Dudao-Key"] == key:
            return message
    raise AssertionError(f"no message for {key} in {root}")


def links_in(message: EmailMessage) -> tuple[list[str], list[str]]:
    """The sign-in links of the message's plain text and of its HTML (each once: an anchor names its href)."""
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return LINK.findall(text), list(dict.fromkeys(link.replace("&amp;", "&") for link in LINK.findall(html)))
