"""The office's publication sign-off (签发) on the portal: the issued, unreleased 督导报告 listed, each released
through release_report with the signed-in account as actor and its 姓名 as 签发人 in the audit event; a second
sign-off, an unknown report or a post without the CSRF token refused with nothing written; a unit's session
kept out. Runs on SQLite and on PostgreSQL."""

import json

import pytest
from sqlmodel import func, select

from core.db import session_scope
from models import AuditEvent, Inspection, RectificationItem
from portal.accounts import add_user
from tests.portal_support import OURS, TODAY, client, csrf_of, make_world, signed_in

PASSWORD = "督导室-correct horse 2026"


@pytest.fixture
def inspection(seeded) -> Inspection:
    """OURS's issued, unreleased inspection (the world's item belongs to it); an office account 王丽."""
    world = make_world()
    with session_scope() as session:
        add_user(session, "wang.li", "王丽", PASSWORD, "office", actor="operator")
        return session.get(Inspection, session.get(RectificationItem, world.item).inspection_id)


def _office():
    browser = client()
    csrf = csrf_of(browser.get("/office/signin").text)
    answer = browser.post("/office/signin", data={"csrf": csrf, "username": "wang.li", "password": PASSWORD})
    assert answer.status_code == 200 and answer.url.path == "/office", answer.text
    return browser


def _events() -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(AuditEvent)).one()


def _released_on(inspection_id: int):
    with session_scope() as session:
        return session.get(Inspection, inspection_id).released_on


def test_the_office_signs_off_an_issued_report_as_its_account(inspection):
    office = _office()
    home = office.get("/office").text
    assert inspection.code in home and "南坪育才小学（示例）" in home and "专项督导" in home
    assert f'action="/office/inspections/{inspection.id}/release"' in home
    answer = office.post(f"/office/inspections/{inspection.id}/release", data={"csrf": csrf_of(home)})
    assert answer.status_code == 200 and f"已签发督导报告 {inspection.code}" in answer.text
    assert f'action="/office/inspections/{inspection.id}/release"' not in answer.text  # off the list
    assert _released_on(inspection.id) == TODAY
    with session_scope() as session:
        [event] = session.exec(select(AuditEvent).where(AuditEvent.entity == "inspection",
                                                        AuditEvent.entity_id == inspection.id,
                                                        AuditEvent.event == "release")).all()
    assert event.actor == "office:wang.li" and json.loads(event.detail) == {"signer": "王丽"}
    assert event.as_of == TODAY

    before = _events()
    again = office.post(f"/office/inspections/{inspection.id}/release", data={"csrf": csrf_of(home)})
    assert again.status_code == 409
    assert f"督导报告 {inspection.code} 已于 {TODAY.isoformat()} 签发，不能再次签发。" in again.text
    assert _events() == before


def test_an_unknown_report_or_a_post_without_its_token_is_refused_and_nothing_written(inspection):
    office = _office()
    csrf = csrf_of(office.get("/office").text)
    before = _events()
    unknown = office.post("/office/inspections/999999/release", data={"csrf": csrf})
    assert unknown.status_code == 409 and "没有找到该督导报告，未作任何处理。" in unknown.text
    no_token = office.post(f"/office/inspections/{inspection.id}/release", data={})
    assert no_token.status_code == 403 and "表单已失效" in no_token.text
    wrong_token = office.post(f"/office/inspections/{inspection.id}/release", data={"csrf": "x" + csrf})
    assert wrong_token.status_code == 403
    assert _events() == before and _released_on(inspection.id) is None


def test_a_report_not_issued_yet_is_not_listed_and_cannot_be_signed_off(inspection):
    with session_scope() as session:
        row = session.get(Inspection, inspection.id)
        row.issued_on = None
        session.add(row)
    office = _office()
    home = office.get("/office").text
    assert inspection.code not in home
    refused = office.post(f"/office/inspections/{inspection.id}/release", data={"csrf": csrf_of(home)})
    assert refused.status_code == 409 and f"督导报告 {inspection.code} 尚未下达，不能签发。" in refused.text
    assert _released_on(inspection.id) is None


def test_a_units_session_cannot_see_the_list_nor_sign_off(inspection):
    unit = signed_in(OURS)
    csrf = csrf_of(unit.get("/unit").text)  # the unit's own valid token
    assert unit.get("/office", follow_redirects=False).headers["location"] == "/office/signin"
    before = _events()
    answer = unit.post(f"/office/inspections/{inspection.id}/release", data={"csrf": csrf}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/office/signin"
    assert _events() == before and _released_on(inspection.id) is None


def test_a_link_cannot_make_the_page_claim_a_sign_off(inspection):
    page = _office().get(f"/office?released={inspection.id}").text
    assert "已签发督导报告" not in page  # not released: the notice names only what the ledger holds


def test_of_two_sign_offs_at_once_the_later_is_refused(inspection):
    """The page was read before another account released the report: the conditional update finds it
    released, the sign-off is refused and its transaction writes nothing."""
    from portal.guard import SignedInUser
    from portal.signoff import SignOffRefused, sign_off

    first, second = SignedInUser(1, "wang.li", "王丽", "office"), SignedInUser(2, "zhao.min", "赵敏", "office")
    with pytest.raises(SignOffRefused, match="刚刚已由他人签发"), session_scope() as late:
        seen = late.get(Inspection, inspection.id)  # read while still unreleased (held: the map keeps it)
        with session_scope() as early:
            sign_off(early, first, inspection.id, TODAY)
        assert seen.released_on is None
        sign_off(late, second, inspection.id, TODAY)
    with session_scope() as session:
        actors = session.exec(select(AuditEvent.actor).where(AuditEvent.entity == "inspection",
                                                             AuditEvent.event == "release")).all()
    assert actors == ["office:wang.li"]
