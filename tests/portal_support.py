"""Helpers for the portal's tests: a small world of two schools with open rectification items and filed
documents, and a TestClient signed in as a unit through its link."""

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import select

from core.db import session_scope
from core.settings import get_settings
from models import Document, Notice, Unit
from portal.app import create_app
from portal.links import issue_link
from tests.ladder_support import make_items

TODAY = date(2026, 6, 1)
OURS, THEIRS = "S001", "S002"


@dataclass(frozen=True)
class World:
    item: int  # an open item of OURS
    other_item: int  # an open item of THEIRS
    document: int  # a document addressed to OURS
    other_document: int  # a document addressed to THEIRS
    held_document: int  # OURS's, its notice held past TODAY (a covert visit's)


def _document(session, unit: Unit, name: str, hold_until: date | None = None) -> int:
    relative = Path("2026") / unit.code / f"{name}.html"
    html = get_settings().out_dir / relative
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(f"<html><body><p>{unit.name}：{name}</p></body></html>", encoding="utf-8")
    html.with_suffix(".pdf").write_bytes(b"%PDF-1.7\n% " + name.encode() + b"\n%%EOF\n")
    document = Document(key=f"test:{unit.code}:{name}", kind="notice", title=f"关于{name}的通知",
                        path=str(relative), unit_id=unit.id, issued_on=TODAY - timedelta(days=3))
    session.add(document)
    session.flush()
    if hold_until is not None:
        session.add(Notice(key=f"test-notice:{document.key}", kind="notice", subject=document.title,
                           recipients="[]", body_text="", body_html="", document_id=document.id,
                           unit_id=unit.id, created_on=document.issued_on, hold_until=hold_until,
                           message_id=f"<{document.key}@test>"))
    return document.id


def make_world() -> World:
    [item] = make_items(OURS, TODAY + timedelta(days=30))
    [other_item] = make_items(THEIRS, TODAY + timedelta(days=30))
    with session_scope() as session:
        ours = session.exec(select(Unit).where(Unit.code == OURS)).one()
        theirs = session.exec(select(Unit).where(Unit.code == THEIRS)).one()
        return World(item, other_item, _document(session, ours, "督导通知书"), _document(session, theirs, "他校通知书"),
                     _document(session, ours, "暗访通知", hold_until=TODAY + timedelta(days=5)))


def link_for(code: str, days: int = 30) -> str:
    with session_scope() as session:
        unit = session.exec(select(Unit).where(Unit.code == code)).one()
        return issue_link(session, unit, days, actor="operator")


def client() -> TestClient:
    return TestClient(create_app(today=lambda: TODAY), base_url="http://127.0.0.1:8000")


def signed_in(code: str = OURS) -> TestClient:
    browser = client()
    answer = browser.get(link_for(code).removeprefix("http://127.0.0.1:8000"))
    assert answer.status_code == 200 and answer.url.path == "/unit", answer.text
    return browser


def csrf_of(page: str) -> str:
    marker = 'name="csrf" value="'
    start = page.index(marker) + len(marker)
    return page[start:page.index('"', start)]
