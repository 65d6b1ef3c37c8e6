"""The portal in Debian's headless Chromium against `dudao portal serve` started by the test on 127.0.0.1: a
unit opens the link the CLI prints, sees its item, submits a rectification report with an evidence file, and
the office signs in and accepts it; a school opens the link of its 督导通知书 e-mail read from the Maildir, fills
in and hands in its self-assessment, reports on an item with evidence, and the office accepts it; the ledger and
the audit chain show each step with its actor. The browser cannot change what the backend does (the HTTP tests run on
both), so this runs on SQLite only. Screenshots: test-output/portal/."""

import os
import socket
from contextlib import contextmanager
from datetime import timedelta

import httpx
import pytest
from sqlmodel import select

from core import clock
from core.db import session_scope
from core.settings import get_settings
from deployments.local_server import stop
from models import AuditEvent, Evidence, ItemScore, RectificationItem, Submission
from portal.accounts import add_user
from tasks.mail.delivery import deliver_batch_to_maildir
from tests.conftest import ON_POSTGRES, run_cli
from tests.ladder_support import make_items
from tests.portal_support import OURS
from tests.ui_stack import CHROMIUM, CHROMIUM_ARGS, OUTPUT, REPO, shown, spawn, wait_for
from tests.unit_forms_support import delivered, framework_of, links_in, notified

pytestmark = [pytest.mark.slow, pytest.mark.skipif(ON_POSTGRES, reason="browser test: SQLite only (see docstring)")]
SHOTS = OUTPUT / "portal"
PASSWORD = "督导室-correct horse 2026"
EVIDENCE = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@pytest.fixture
def portal_server(seeded):
    assert os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: `make deps-system` installs Debian's chromium"
    SHOTS.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DUDAO_PORTAL_BASE_URL": base}
    server = spawn([str(REPO / ".venv/bin/dudao"), "portal", "serve", "--port", str(port)], env,
                   SHOTS / "serve.log")
    try:
        wait_for(lambda: _answers(f"{base}/"), 60, "the portal to answer", every=0.3)
        yield base, env
    finally:
        stop(server)


@contextmanager
def phone_signed_in(url: str, base: str):
    """Chromium, and a phone-sized page that opened the sign-in `url`: yields (browser, page)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")  # a phone
            page.set_default_timeout(20_000)
            page.goto(url)
            assert page.url == f"{base}/unit"  # signed in, the token gone from the address bar
            yield browser, page
        finally:
            browser.close()


def office_accepts(page, base: str) -> None:
    page.set_default_timeout(20_000)
    page.goto(f"{base}/")
    page.get_by_role("link", name="督导室工作人员登录").click()
    page.get_by_label("用户名").fill("wang.li")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="南坪育才小学（示例）：学校管理：校园安全隐患排查台账不完整（1）").click()
    assert page.get_by_role("link", name="整改台账.pdf").is_visible()
    page.get_by_label("审核通过（安排回头看）").check()
    page.get_by_label("审核意见").fill("整改到位")
    page.get_by_role("button", name="提交审核").click()
    shown(page, "已审核：审核通过。", SHOTS / "serve.log")
    page.screenshot(path=str(SHOTS / "office-accepted.png"), full_page=True)


def test_a_unit_submits_a_report_with_evidence_and_the_office_accepts_it_sqlite(portal_server):
    base, env = portal_server
    [item_id] = make_items(OURS, clock.today() + timedelta(days=20))
    with session_scope() as session:
        add_user(session, "wang.li", "王丽", PASSWORD, "office", actor="operator")
    done = run_cli("portal", "link", OURS, env=env)
    assert done.returncode == 0, done.stderr
    url = done.stdout.strip().splitlines()[-1]
    assert url.startswith(f"{base}/link/")

    with phone_signed_in(url, base) as (browser, page):
        page.get_by_text("校园安全隐患排查台账不完整（1）").click()
        page.get_by_label("整改情况").fill("已完善安全隐患排查台账，<b>每周</b>由副校长复核。")
        page.set_input_files("#files", files=[{"name": "整改台账.pdf", "mimeType": "application/pdf",
                                               "buffer": EVIDENCE}])
        page.screenshot(path=str(SHOTS / "item-form.png"), full_page=True)
        page.get_by_role("button", name="报送").click()
        shown(page, "整改报告已报送，待督导室审核。", SHOTS / "serve.log")
        assert page.get_by_text("已完善安全隐患排查台账，<b>每周</b>由副校长复核。").is_visible()  # as text
        assert page.get_by_role("link", name="整改台账.pdf").is_visible()
        page.screenshot(path=str(SHOTS / "item-sent.png"), full_page=True)
        office_accepts(browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN"), base)

    with session_scope() as session:
        item = session.get(RectificationItem, item_id)
        submission = session.exec(select(Submission).where(Submission.item_id == item_id)).one()
        actors = dict(session.exec(select(AuditEvent.event, AuditEvent.actor).where(
            AuditEvent.entity == "item", AuditEvent.entity_id == item_id)).all())
        evidence = session.exec(select(Evidence).where(Evidence.submission_id == submission.id)).one()
    assert item.stage == "accepted" and submission.decision == "accepted" and submission.reason == "整改到位"
    assert submission.text == "已完善安全隐患排查台账，<b>每周</b>由副校长复核。"
    assert actors == {"submit": OURS, "evidence": OURS, "accept": "office:wang.li"}
    assert evidence.name == "整改台账.pdf" and evidence.size == len(EVIDENCE)
    verified = run_cli("audit", "verify", env=env)
    assert verified.returncode == 0, verified.stdout


def _events(entity: str, entity_id: int) -> list[tuple[str, str]]:
    with session_scope() as session:
        return list(session.exec(select(AuditEvent.event, AuditEvent.actor).where(
            AuditEvent.entity == entity, AuditEvent.entity_id == entity_id).order_by(AuditEvent.id)).all())


def _mailed_link(portal_server, runtime, monkeypatch):
    """The school's annual inspection announced (its self-assessment due in two weeks), the 督导通知书 delivered
    into the Maildir by this process under the server's address; the link read back from the e-mail."""
    base, _env = portal_server
    inspection = notified(runtime, OURS, "2026-ZH-901", clock.today() + timedelta(days=21))
    monkeypatch.setenv("DUDAO_PORTAL_BASE_URL", base)
    get_settings.cache_clear()
    assert deliver_batch_to_maildir(clock.today())["sent"] >= 1
    [link], _html = links_in(delivered("inspection:2026-ZH-901:notice"))
    assert link.startswith(f"{base}/link/")
    return inspection, link


def _hand_in_self_assessment(page, inspection, framework) -> None:
    page.get_by_role("link", name=inspection.code).click()
    first, *rest = framework.entries()
    page.get_by_label(f"{first.item.code} 得分").fill(f"{first.item.points:g}")
    page.get_by_label(f"{first.item.code} 说明").fill("<b>见</b>安全台账")
    page.get_by_role("button", name="保存草稿").click()
    shown(page, "自评草稿已保存", SHOTS / "serve.log")
    for entry in rest:
        page.get_by_label(f"{entry.item.code} 得分").fill(f"{entry.item.points - 1:g}")
    page.screenshot(path=str(SHOTS / "self-assessment-form.png"), full_page=True)
    page.get_by_role("button", name="提交自评").click()
    shown(page, "自评已提交，督导室已收到。", SHOTS / "serve.log")
    assert page.get_by_text("<b>见</b>安全台账").is_visible()  # as text
    page.screenshot(path=str(SHOTS / "self-assessment-sent.png"), full_page=True)


def _report_with_evidence(page) -> None:
    page.get_by_role("link", name="← 返回本单位首页").click()
    page.get_by_text("校园安全隐患排查台账不完整（1）").click()
    page.get_by_label("整改情况").fill("已完善安全隐患排查台账，每周复核。")
    page.set_input_files("#files", files=[{"name": "整改台账.pdf", "mimeType": "application/pdf",
                                           "buffer": EVIDENCE}])
    page.get_by_role("button", name="报送").click()
    shown(page, "整改报告已报送，待督导室审核。", SHOTS / "serve.log")


def test_a_school_signs_in_from_its_notice_hands_in_its_self_assessment_and_evidence_sqlite(
        portal_server, runtime, monkeypatch):
    base, env = portal_server
    inspection, link = _mailed_link(portal_server, runtime, monkeypatch)
    framework = framework_of(inspection)
    [item_id] = make_items(OURS, clock.today() + timedelta(days=20))
    with session_scope() as session:
        add_user(session, "wang.li", "王丽", PASSWORD, "office", actor="operator")

    with phone_signed_in(link, base) as (browser, page):
        _hand_in_self_assessment(page, inspection, framework)
        _report_with_evidence(page)
        office_accepts(browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN"), base)

    with session_scope() as session:
        scores = session.exec(select(ItemScore).where(ItemScore.inspection_id == inspection.id)).all()
        item = session.get(RectificationItem, item_id)
    assert len(scores) == len(framework.entries()) and {s.source for s in scores} == {"self"}
    assert item.stage == "accepted"
    steps = _events("inspection", inspection.id)
    assert [e for e in steps if e[1] == OURS] == [("self_assessment_draft", OURS), ("receive_self_assessment", OURS),
                                                 ("scores:self", OURS)]
    assert [e for e in _events("item", item_id) if e[0] in ("submit", "evidence", "accept")] == [
        ("submit", OURS), ("evidence", OURS), ("accept", "office:wang.li")]
    verified = run_cli("audit", "verify", env=env)
    assert verified.returncode == 0, verified.stdout
