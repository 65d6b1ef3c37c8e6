"""The portal over HTTP (FastAPI's TestClient): a unit signs in from its link and reads and answers only what
is its own; tampered, expired and revoked links, other units' pages, forms without their CSRF token and late
reports are refused in Chinese with nothing written; what a unit typed is shown as text; the audit chain
names the unit. Runs on SQLite and on PostgreSQL."""

import os
import stat
from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from core import clock
from core.db import session_scope
from models import AuditEvent, RectificationItem, Submission, Unit
from models.audit_chain import verify
from portal.guard import DOCUMENT_CSP, PAGE_CSP
from portal.links import make_token, revoke
from rules.runtime import load_runtime
from tasks.access.secret import secret_path
from tasks.cycle.responses import review_submission
from tests.conftest import run_cli
from tests.portal_support import OURS, THEIRS, client, csrf_of, link_for, make_world, signed_in


@pytest.fixture
def world(seeded):
    return make_world()


def _counts() -> tuple[int, int]:
    with session_scope() as session:
        return (session.exec(select(func.count()).select_from(Submission)).one(),
                session.exec(select(func.count()).select_from(AuditEvent)).one())


def _report(browser, item: int, text: str, csrf: str | None = "page"):
    if csrf == "page":
        csrf = csrf_of(browser.get(f"/unit/items/{item}").text)
    data = {"text": text} if csrf is None else {"text": text, "csrf": csrf}
    return browser.post(f"/unit/items/{item}/report", data=data, follow_redirects=True)


def test_a_unit_signs_in_from_its_link_and_sees_its_own_item_and_documents(world):
    browser = signed_in()
    home = browser.get("/unit")
    assert home.status_code == 200
    assert "南坪育才小学（示例）" in home.text and "校园安全隐患排查台账不完整（1）" in home.text
    assert "整改中" in home.text  # the item's stage, in Chinese
    assert "关于督导通知书的通知" in home.text
    assert "他校通知书" not in home.text and "暗访通知" not in home.text  # another's; one held for a covert visit
    assert f'href="/unit/items/{world.other_item}"' not in home.text


def test_every_page_carries_the_secure_headers(world):
    browser = signed_in()
    for path in ("/", "/unit", f"/unit/items/{world.item}", "/static/portal.css"):
        headers = browser.get(path).headers
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["content-security-policy"] == PAGE_CSP
    document = browser.get(f"/unit/documents/{world.document}")
    assert document.headers["content-security-policy"] == DOCUMENT_CSP and "sandbox" in DOCUMENT_CSP
    signing_in = client().get(link_for(OURS).removeprefix("http://127.0.0.1:8000"), follow_redirects=False)
    assert signing_in.status_code == 303 and signing_in.headers["location"] == "/unit"  # the token leaves the bar
    cookie = signing_in.headers["set-cookie"].lower()
    assert cookie.startswith("dudao_portal=") and "httponly" in cookie and "samesite=lax" in cookie


def test_a_tampered_link_is_refused(world):
    url = link_for(OURS)
    token = url.rsplit("/", 1)[1]
    for forged in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), token + "x", "garbage",
                   make_token_for_other_secret()):
        browser = client()
        answer = browser.get(f"/link/{forged}")
        assert answer.status_code == 403 and "登录链接无效" in answer.text
        assert browser.get("/unit").status_code == 401


def make_token_for_other_secret() -> str:
    from itsdangerous import URLSafeSerializer

    with session_scope() as session:
        unit_id = session.exec(select(Unit.id).where(Unit.code == OURS)).one()
    return URLSafeSerializer("not the portal's secret", salt="dudao-portal-link").dumps([unit_id, 0, 2**40])


def test_an_expired_link_is_refused(world):
    with session_scope() as session:
        unit = session.exec(select(Unit).where(Unit.code == OURS)).one()
        token = make_token(session, unit, 3, now=clock.now() - timedelta(days=3, seconds=1))
    browser = client()
    answer = browser.get(f"/link/{token}")
    assert answer.status_code == 403 and "登录链接已过期" in answer.text
    assert browser.get("/unit").status_code == 401


def test_a_revoked_link_is_refused_and_its_open_session_ends(world):
    url = link_for(OURS).removeprefix("http://127.0.0.1:8000")
    browser = client()
    assert browser.get(url).status_code == 200
    with session_scope() as session:
        revoke(session, session.exec(select(Unit).where(Unit.code == OURS)).one(), actor="operator")
    assert browser.get("/unit").status_code == 401  # the session begun with the old link is over
    answer = client().get(url)
    assert answer.status_code == 403 and "已被督导室收回" in answer.text
    assert signed_in().get("/unit").status_code == 200  # a link made after the revocation works
    with session_scope() as session:
        events = session.exec(select(AuditEvent.event).where(AuditEvent.entity == "unit")).all()
    assert "portal_revoke" in events and "portal_link" in events


def test_another_units_item_and_documents_by_url_are_not_found(world):
    browser = signed_in()
    for path in (f"/unit/items/{world.other_item}", f"/unit/documents/{world.other_document}",
                 f"/unit/documents/{world.other_document}/pdf", f"/unit/documents/{world.held_document}",
                 "/unit/items/999999", "/unit/documents/999999"):
        answer = browser.get(path)
        assert answer.status_code == 404, path
        assert "不属于本单位" in answer.text and "他校" not in answer.text
    before = _counts()
    csrf = csrf_of(browser.get("/unit").text)
    answer = browser.post(f"/unit/items/{world.other_item}/report", data={"text": "替别人报送", "csrf": csrf})
    assert answer.status_code == 404 and _counts() == before
    own = browser.get(f"/unit/documents/{world.document}")
    assert own.status_code == 200 and "督导通知书" in own.text
    pdf = browser.get(f"/unit/documents/{world.document}/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_pages_without_a_session_ask_for_the_link(world):
    for path in ("/unit", f"/unit/items/{world.item}", f"/unit/documents/{world.document}"):
        answer = client().get(path)
        assert answer.status_code == 401 and "请使用督导室发送的链接" in answer.text


def test_a_form_posted_without_its_csrf_token_is_refused_and_writes_nothing(world):
    browser = signed_in()
    other_session_csrf = csrf_of(signed_in().get("/unit").text)  # a real token, of another session
    before = _counts()
    for csrf in (None, "", "forged-token"):
        answer = _report(browser, world.item, "整改完成", csrf=csrf)
        assert answer.status_code == 403 and "表单已失效" in answer.text
    assert _report(browser, world.item, "整改完成", csrf=other_session_csrf).status_code == 403
    assert _counts() == before
    assert browser.post("/signout", data={}).status_code == 403
    assert browser.get("/unit").status_code == 200  # still signed in: the sign-out form had no token


def test_a_report_is_submitted_with_the_unit_as_actor_through_the_cli_path(world):
    browser = signed_in()
    answer = _report(browser, world.item, "已完善校园安全隐患排查台账，\n并建立每周检查制度。")
    assert answer.status_code == 200 and "整改报告已报送，待督导室审核" in answer.text
    assert "已报送待审核" in answer.text and "待审核" in answer.text
    with session_scope() as session:
        item = session.get(RectificationItem, world.item)
        [submission] = session.exec(select(Submission).where(Submission.item_id == world.item)).all()
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "item", AuditEvent.entity_id == item.id,
                                                      AuditEvent.event == "submit")).one()
        checked, broken = verify(session)
    assert item.stage == "submitted" and submission.text.endswith("并建立每周检查制度。")
    assert submission.submitted_on.isoformat() == "2026-06-01"
    assert event.actor == OURS and (event.from_stage, event.to_stage) == ("open", "submitted")
    assert broken is None and checked > 0


def test_markup_in_the_report_is_shown_as_text(world):
    browser = signed_in()
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    page = _report(browser, world.item, hostile).text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    refused = _report(signed_in(), world.item, hostile)  # refused (no longer open): the typed text comes back
    assert refused.status_code == 409 and "<script>alert" not in refused.text


def test_a_report_after_the_item_is_no_longer_open_is_refused_and_writes_nothing(world):
    browser = signed_in()
    assert _report(browser, world.item, "第一次报送").status_code == 200
    csrf = csrf_of(browser.get("/unit").text)  # the form is gone from the item's page: post as a stale tab would
    before = _counts()
    answer = browser.post(f"/unit/items/{world.item}/report", data={"text": "第二次报送", "csrf": csrf})
    assert answer.status_code == 409
    assert "该整改事项当前为“已报送待审核”，不能再报送整改报告。" in answer.text
    with session_scope() as session:
        submission = session.exec(select(Submission).where(Submission.item_id == world.item)).one()
        review_submission(session, submission, True, "整改到位", clock.today(), load_runtime(), actor="operator")
    before = _counts()
    answer = browser.post(f"/unit/items/{world.item}/report", data={"text": "验收后再报送", "csrf": csrf})
    assert answer.status_code == 409 and "“已验收待回头看”" in answer.text
    assert _counts() == before


@pytest.mark.parametrize("text, message", [("   ", "整改报告不能为空。"), ("a" * 20_001, "整改报告超过 20000 字"),
                                           ("整改\x00完成", "整改报告含有控制字符 U+0000。")])
def test_bad_report_text_is_refused_in_chinese_and_writes_nothing(world, text, message):
    browser = signed_in()
    before = _counts()
    answer = _report(browser, world.item, text)
    assert answer.status_code == 409 and message in answer.text
    assert _counts() == before


def test_the_link_secret_is_kept_in_var_with_mode_600(world):
    link_for(OURS)
    assert stat.S_IMODE(os.stat(secret_path()).st_mode) == 0o600


def test_the_cli_prints_a_link_that_signs_the_unit_in(world):
    done = run_cli("portal", "link", OURS, "--days", "3")
    assert done.returncode == 0, done.stderr
    url = done.stdout.strip().splitlines()[-1]
    assert url.startswith("http://127.0.0.1:8000/link/")
    browser = client()
    assert browser.get(url.removeprefix("http://127.0.0.1:8000")).url.path == "/unit"
    unknown = run_cli("portal", "link", "NOPE")
    assert unknown.returncode == 2 and "NOPE" in unknown.stderr and unknown.stdout == ""
    assert run_cli("portal", "link", THEIRS, "--days", "0").returncode == 2


def test_a_covert_visit_is_not_shown_before_its_day(world):
    from fastapi.testclient import TestClient

    from models import Inspection
    from portal.app import create_app

    with session_scope() as session:
        unit_id = session.exec(select(Unit.id).where(Unit.code == OURS)).one()
        session.add(Inspection(code="2026-AF-0001", year=2026, kind="covert", unit_id=unit_id, covert=True,
                               stage="planned", notice_on=date(2026, 5, 1), visit_on=date(2026, 6, 10)))
    url = link_for(OURS).removeprefix("http://127.0.0.1:8000")
    for today, shown in ((date(2026, 6, 9), False), (date(2026, 6, 10), True)):
        browser = TestClient(create_app(today=lambda day=today: day))
        assert browser.get(url).status_code == 200
        assert ("2026-AF-0001" in browser.get("/unit").text) is shown, today


def test_an_https_base_url_makes_the_session_cookie_secure(world, monkeypatch):
    from core.settings import get_settings

    monkeypatch.setenv("DUDAO_PORTAL_BASE_URL", "https://dudao.example.cn")
    get_settings.cache_clear()
    url = link_for(OURS)
    assert url.startswith("https://dudao.example.cn/link/")
    answer = client().get(url.removeprefix("https://dudao.example.cn"), follow_redirects=False)
    assert answer.status_code == 303 and "secure" in answer.headers["set-cookie"].lower()


def test_the_cli_revokes_a_units_links(world):
    url = link_for(OURS).removeprefix("http://127.0.0.1:8000")
    browser = client()
    assert browser.get(url).status_code == 200
    done = run_cli("portal", "revoke", OURS)
    assert done.returncode == 0 and "已全部失效" in done.stdout
    assert browser.get("/unit").status_code == 401 and client().get(url).status_code == 403
