"""The office's portal accounts over HTTP: added and disabled by the CLI, Argon2 hashes, sign-in locked after
repeated failures, CSRF on the sign-in form; the review of a unit's report through review_submission with the
office account as actor, markup shown as text, a second review refused with nothing written. Runs on SQLite
and on PostgreSQL."""

import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import func, select

from core import clock
from core.db import session_scope
from models import AuditEvent, PortalUser, RectificationItem, Submission
from portal.accounts import LOCK, MAX_FAILURES, AccountError, add_user, authenticate
from tests.conftest import REPO, commands_prefect
from tests.portal_support import client, csrf_of, make_world, signed_in

PASSWORD = "督导室-correct horse 2026"


@pytest.fixture
def world(seeded):
    world = make_world()
    with session_scope() as session:
        add_user(session, "wang.li", "王丽", PASSWORD, "office", actor="operator")
    return world


def _sign_in(browser, username: str = "wang.li", password: str = PASSWORD):
    csrf = csrf_of(browser.get("/office/signin").text)
    return browser.post("/office/signin", data={"csrf": csrf, "username": username, "password": password})


def _office():
    browser = client()
    answer = _sign_in(browser)
    assert answer.status_code == 200 and answer.url.path == "/office", answer.text
    return browser


def _unit_reports(world, text: str) -> int:
    unit = signed_in()
    csrf = csrf_of(unit.get(f"/unit/items/{world.item}").text)
    assert unit.post(f"/unit/items/{world.item}/report", data={"csrf": csrf, "text": text}).status_code == 200
    with session_scope() as session:
        return session.exec(select(Submission.id).where(Submission.item_id == world.item)).one()


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    """The installed `dudao` with this test's settings and `stdin` as its standard input."""
    return subprocess.run([str(Path(sys.executable).parent / "dudao"), *args], input=stdin, capture_output=True,
                          text=True, env=commands_prefect(dict(os.environ)), timeout=120, cwd=REPO)


def _events() -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(AuditEvent)).one()


def test_passwords_are_kept_as_argon2_hashes(world):
    with session_scope() as session:
        user = session.exec(select(PortalUser).where(PortalUser.username == "wang.li")).one()
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash


def test_a_wrong_password_is_refused_and_repeated_failures_lock_the_account(world):
    browser = client()
    for _ in range(MAX_FAILURES):
        answer = _sign_in(browser, password="wrong password!!")
        assert answer.status_code == 401 and "用户名或密码不正确。" in answer.text
    locked = _sign_in(browser)  # the right password, but locked now
    assert locked.status_code == 401 and "暂时锁定" in locked.text
    assert browser.get("/office", follow_redirects=False).headers["location"] == "/office/signin"
    unknown = _sign_in(client(), username="nobody")
    assert unknown.status_code == 401 and "用户名或密码不正确。" in unknown.text
    with session_scope() as session:  # the lock ends by itself
        user = authenticate(session, "wang.li", PASSWORD, now=clock.now() + LOCK + timedelta(seconds=1))
        assert user.failures == 0 and user.locked_until is None


def test_the_sign_in_form_needs_its_csrf_token(world):
    answer = client().post("/office/signin", data={"username": "wang.li", "password": PASSWORD})
    assert answer.status_code == 403 and "表单已失效" in answer.text


def test_the_office_accepts_a_report_as_its_account_and_markup_is_text(world):
    submission_id = _unit_reports(world, '整改完成<script>alert("office")</script>')
    office = _office()
    home = office.get("/office").text
    assert f'href="/office/submissions/{submission_id}"' in home and "南坪育才小学（示例）" in home
    page = office.get(f"/office/submissions/{submission_id}").text
    assert '<script>alert("office")' not in page and "整改完成&lt;script&gt;alert(&#34;office&#34;)" in page
    answer = office.post(f"/office/submissions/{submission_id}/review",
                         data={"csrf": csrf_of(page), "decision": "accept", "reason": "台账已完善<b>"})
    assert answer.status_code == 200 and "已审核：审核通过" in answer.text and "台账已完善&lt;b&gt;" in answer.text
    with session_scope() as session:
        item = session.get(RectificationItem, world.item)
        actor = session.exec(select(AuditEvent.actor).where(AuditEvent.entity == "item",
                                                            AuditEvent.entity_id == world.item,
                                                            AuditEvent.event == "accept")).one()
    assert item.stage == "accepted" and item.recheck_on is not None
    assert actor == "office:wang.li"
    before = _events()
    again = office.post(f"/office/submissions/{submission_id}/review",
                        data={"csrf": csrf_of(page), "decision": "reject", "reason": "再审"})
    assert again.status_code == 409 and "该整改报告已审核（审核通过），不能再次审核。" in again.text
    assert _events() == before


def test_a_rejected_report_sends_the_item_back_and_a_review_needs_a_reason_and_a_token(world):
    submission_id = _unit_reports(world, "整改完成")
    office = _office()
    page = office.get(f"/office/submissions/{submission_id}").text
    before = _events()
    assert office.post(f"/office/submissions/{submission_id}/review",
                       data={"decision": "reject", "reason": "不充分"}).status_code == 403
    blank = office.post(f"/office/submissions/{submission_id}/review",
                        data={"csrf": csrf_of(page), "decision": "reject", "reason": "  "})
    assert blank.status_code == 409 and "审核意见不能为空。" in blank.text
    assert _events() == before
    answer = office.post(f"/office/submissions/{submission_id}/review",
                         data={"csrf": csrf_of(page), "decision": "reject", "reason": "证明材料不足"})
    assert answer.status_code == 200 and "退回重报" in answer.text
    with session_scope() as session:
        assert session.get(RectificationItem, world.item).stage == "open"


def test_units_and_the_office_stay_on_their_own_pages(world):
    unit = signed_in()
    assert unit.get("/office", follow_redirects=False).headers["location"] == "/office/signin"
    office = _office()
    assert office.get("/unit").status_code == 401
    assert office.get("/office/submissions/999999").status_code == 404


def test_the_cli_adds_and_disables_an_account_and_disabling_ends_its_session(world):
    added = _cli("portal", "user", "add", "zhao.min", "--name", "赵敏", "--password-stdin",
                 stdin="another long password\n")
    assert added.returncode == 0, added.stderr
    short = _cli("portal", "user", "add", "qian.yi", "--name", "钱一", "--password-stdin", stdin="short\n")
    assert short.returncode == 2 and "密码至少 12 位" in short.stderr
    bad_name = _cli("portal", "user", "add", "Bad Name", "--name", "某", "--password-stdin",
                    stdin="another long password\n")
    assert bad_name.returncode == 2 and "用户名“Bad Name”不合规" in bad_name.stderr
    office = _office()
    assert office.get("/office").status_code == 200
    assert _cli("portal", "user", "disable", "wang.li").returncode == 0
    assert office.get("/office", follow_redirects=False).headers["location"] == "/office/signin"
    assert _sign_in(client()).status_code == 401
    with session_scope() as session, pytest.raises(AccountError):
        add_user(session, "zhao.min", "赵敏", "another long password", "office", actor="operator")


def _form_actions(page: str) -> list[str]:
    return re.findall(r'<form method="post" action="([^"]+)"', page)


def test_a_leader_sees_what_waits_but_no_button_that_would_be_refused(world):
    """Leadership reads without writing: its pages list the reports waiting for review and sign-off, with no
    form but 退出 (every form it posted would be refused); the office's own pages keep theirs."""
    submission_id = _unit_reports(world, "整改完成")
    with session_scope() as session:
        add_user(session, "chen.zr", "陈主任", PASSWORD, "leader", actor="operator")
    leader, office = client(), _office()
    assert _sign_in(leader, "chen.zr").url.path == "/office"
    home, review = leader.get("/office").text, leader.get(f"/office/submissions/{submission_id}").text
    assert f'href="/office/submissions/{submission_id}"' in home and "以下报告待督导室签发（领导账号只读）" in home
    assert _form_actions(home) == _form_actions(review) == ["/signout"]
    assert "待督导室审核（领导账号只读）" in review and "提交审核" not in review
    office_home = office.get("/office").text
    assert any(action.endswith("/release") for action in _form_actions(office_home))
    assert f"/office/submissions/{submission_id}/review" in _form_actions(
        office.get(f"/office/submissions/{submission_id}").text)
