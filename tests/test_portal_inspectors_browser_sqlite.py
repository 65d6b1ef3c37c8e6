"""An inspector in Debian's headless Chromium against `dudao portal serve`: his account is added with the CLI
(`dudao portal user add … --role inspector --inspector CODE`), he signs in on a phone, opens the inspection
of his team visited today, fills in the on-site score sheet and records two findings, one with his own 整改要求
and 整改期限; the page and the ledger show them, and the audit chain names his account. SQLite only, like
tests/test_portal_browser_sqlite.py (the HTTP tests run on both backends). Screenshots: test-output/portal/."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from core import clock
from core.db import session_scope
from models import AuditEvent, Finding, Inspection, ItemScore
from tests.conftest import ON_POSTGRES, REPO, run_cli
from tests.inspector_support import PASSWORD, make_inspector_world
from tests.test_portal_browser_sqlite import SHOTS, portal_server  # noqa: F401  (the served portal)
from tests.ui_stack import CHROMIUM, CHROMIUM_ARGS, shown

pytestmark = [pytest.mark.slow, pytest.mark.skipif(ON_POSTGRES, reason="browser test: SQLite only (see docstring)")]
REQUIREMENT = "两周内补齐三月至五月的安全检查台账，<b>建立</b>月检制度"


def _fill_scores(page) -> int:
    """Every item of the score sheet given its full points (the input's max)."""
    inputs = page.locator("input[name^=score_]")
    for index in range(inputs.count()):
        inputs.nth(index).fill(inputs.nth(index).get_attribute("max"))
    return inputs.count()


def _record_visit(page, base: str, inspection_id: int, deadline: str) -> int:
    page.goto(f"{base}/")
    page.get_by_role("link", name="督导室工作人员登录").click()
    page.get_by_label("用户名").fill("li.ming")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    assert page.url == f"{base}/inspector"
    page.get_by_role("link", name="2026-ZH-901 · 南坪育才小学（示例）").click()
    assert page.url == f"{base}/inspector/inspections/{inspection_id}"
    scored = _fill_scores(page)
    page.get_by_label("问题（不超过 1000 字）").nth(0).fill("安全检查台账缺三月至五月记录")
    page.get_by_label("问题性质").nth(0).select_option("严重")
    page.get_by_label("整改要求（不超过 1000 字；留空用通用表述）").nth(0).fill(REQUIREMENT)
    page.get_by_label("整改期限（留空按政策期限）").nth(0).fill(deadline)
    page.get_by_label("问题（不超过 1000 字）").nth(1).fill("食堂留样记录不全")
    page.screenshot(path=str(SHOTS / "inspector-visit-form.png"), full_page=True)
    page.get_by_role("button", name="提交实地督导记录").click()
    shown(page, "实地督导的评分和发现问题已登记。", SHOTS / "serve.log")
    assert page.get_by_text(REQUIREMENT).is_visible()  # the markup typed shown as text
    assert page.get_by_text(deadline, exact=True).is_visible()
    assert page.get_by_text("实地督导 · inspector:li.ming").is_visible()
    page.screenshot(path=str(SHOTS / "inspector-visit-recorded.png"), full_page=True)
    return scored


def test_an_inspector_records_a_visit_with_requirements_and_deadlines_sqlite(portal_server):  # noqa: F811
    base, env = portal_server
    today = clock.today()
    world = make_inspector_world(today)
    added = subprocess.run([str(Path(sys.executable).parent / "dudao"), "portal", "user", "add", "li.ming", "--name",
                            "李明", "--role", "inspector", "--inspector", world.inspector, "--password-stdin"],
                           input=PASSWORD + "\n", capture_output=True, text=True, env={**os.environ, **env},
                           timeout=120, cwd=REPO)
    assert added.returncode == 0, added.stderr
    deadline = (today + timedelta(days=90)).isoformat()

    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")  # a phone
            page.set_default_timeout(20_000)
            scored = _record_visit(page, base, world.visit, deadline)
        finally:
            browser.close()

    with session_scope() as session:
        inspection = session.get(Inspection, world.visit)
        findings = session.exec(select(Finding).where(Finding.inspection_id == world.visit).order_by(Finding.seq)).all()
        actors = dict(session.exec(select(AuditEvent.event, AuditEvent.actor).where(
            AuditEvent.entity == "inspection", AuditEvent.entity_id == world.visit,
            AuditEvent.event != "plan")).all())
        scores = session.exec(select(ItemScore).where(ItemScore.inspection_id == world.visit)).all()
    assert inspection.stage == "onsite" and inspection.visit_on == today
    assert [(f.text, f.severity, f.requirement, str(f.deadline)) for f in findings] == [
        ("安全检查台账缺三月至五月记录", "serious", REQUIREMENT, deadline), ("食堂留样记录不全", "general", None, "None")]
    assert actors == {"visit": "inspector:li.ming", "scores:onsite": "inspector:li.ming"}
    assert len(scores) == scored and {s.source for s in scores} == {"onsite"} and all(s.score == s.points for s in scores)
    verified = run_cli("audit", "verify", env=env)
    assert verified.returncode == 0, verified.stdout
