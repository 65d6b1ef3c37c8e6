"""A unit's 申辩 and 复核 request in the portal (HTTP, SQLite and PostgreSQL): each through the function the CLI
and the import call (state_case, request_review) with the unit as the actor, inside its window; late, twice,
empty, too long or without CSRF refused in Chinese with nothing written; another unit's inspection 404; what the
unit wrote shown as text."""

from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from core.db import session_scope
from models import AuditEvent, Document, Finding, ReviewRequest
from tasks.cycle.rebuttals import MAX_REASON
from tests.portal_support import csrf_of
from tests.unit_forms_support import issued, preliminary, signed_in_on

VISIT = date(2026, 4, 14)
SCRIPT = '<script>alert("申辩")</script>'


def _counts() -> tuple[int, int, int]:
    with session_scope() as session:
        return tuple(session.exec(select(func.count()).select_from(model)).one()
                     for model in (AuditEvent, ReviewRequest, Document))


def _post(browser, path: str, reason: str | None, csrf: str | None = "page"):
    inspection_path = path.split("/findings/")[0].removesuffix("/review")
    if csrf == "page":
        csrf = csrf_of(browser.get(inspection_path).text)
    data = {**({"reason": reason} if reason is not None else {}), **({"csrf": csrf} if csrf else {})}
    return browser.post(path, data=data, follow_redirects=True)


def _finding(inspection_id: int, seq: int) -> Finding:
    with session_scope() as session:
        return session.exec(select(Finding).where(Finding.inspection_id == inspection_id, Finding.seq == seq)).one()


@pytest.fixture
def fed_back(seeded, runtime):
    return preliminary(runtime, "S001", "2026-ZH-001", VISIT)


def test_a_unit_rebuts_a_finding_in_its_window_and_the_reason_is_shown_as_text(fed_back):
    browser = signed_in_on(fed_back.feedback_on, "S001")
    page = browser.get(f"/unit/inspections/{fed_back.id}").text
    assert "晨检记录不全" in page and "第1项申辩理由" in page and fed_back.rebuttal_due.isoformat() in page
    assert "自评（" not in page  # visited without one: no sheet left to fill in
    path = f"/unit/inspections/{fed_back.id}/findings/1/rebuttal"
    done = _post(browser, path, f"晨检记录齐全，附台账{SCRIPT}")
    assert done.status_code == 200 and "申辩已提交" in done.text
    assert "<script>" not in done.text and "&lt;script&gt;" in done.text and "待决定" in done.text
    finding = _finding(fed_back.id, 1)
    assert (finding.rebuttal_decision, finding.rebuttal_reason) == ("pending", f"晨检记录齐全，附台账{SCRIPT}")
    with session_scope() as session:
        actor = session.exec(select(AuditEvent.actor).where(AuditEvent.entity == "finding",
                                                            AuditEvent.entity_id == finding.id,
                                                            AuditEvent.event == "rebut")).one()
    assert actor == "S001"
    before = _counts()
    again = _post(browser, path, "再次申辩", csrf=csrf_of(done.text))
    assert again.status_code == 409 and "已申辩过一次" in again.text and _counts() == before


def test_a_rebuttal_late_empty_too_long_or_without_csrf_is_refused_with_nothing_written(fed_back):
    path = f"/unit/inspections/{fed_back.id}/findings/2/rebuttal"
    browser = signed_in_on(fed_back.feedback_on, "S001")
    csrf = csrf_of(browser.get(f"/unit/inspections/{fed_back.id}").text)
    late = signed_in_on(fed_back.rebuttal_due + timedelta(days=1), "S001")  # a link made: audited
    before = _counts()
    for reason, expected in (("   ", "申辩理由不能为空"), ("理" * (MAX_REASON + 1), f"申辩理由超过 {MAX_REASON} 字")):
        refused = _post(browser, path, reason, csrf=csrf)
        assert refused.status_code == 409 and expected in refused.text
    assert 'maxlength="4000"' in refused.text and "理" * 50 in refused.text  # what was typed, shown again
    for csrf_value in (None, "forged"):
        assert _post(browser, path, "理由", csrf=csrf_value).status_code == 403
    page = late.get(f"/unit/inspections/{fed_back.id}").text
    assert "第2项申辩理由" not in page  # the window is closed: no form
    refused = _post(late, path, "理由", csrf=csrf_of(page))
    assert refused.status_code == 409 and f"申辩期限 {fed_back.rebuttal_due} 已过" in refused.text
    assert _counts() == before and _finding(fed_back.id, 2).rebuttal_decision is None


def test_another_unit_cannot_rebut_or_ask_for_a_review_of_this_units_inspection(fed_back):
    stranger = signed_in_on(fed_back.feedback_on, "S002")
    csrf = csrf_of(stranger.get("/unit").text)
    before = _counts()
    for path in (f"/unit/inspections/{fed_back.id}/findings/1/rebuttal", f"/unit/inspections/{fed_back.id}/review"):
        assert _post(stranger, path, "理由", csrf=csrf).status_code == 404
    assert _counts() == before and _finding(fed_back.id, 1).rebuttal_decision is None


def test_a_unit_asks_for_a_review_once_within_its_window(seeded, runtime):
    inspection = issued(runtime, "S001", "2026-ZH-002", VISIT)
    browser = signed_in_on(inspection.issued_on, "S001")
    path = f"/unit/inspections/{inspection.id}/review"
    before = _counts()
    for csrf_value in (None, "forged"):
        assert _post(browser, path, "理由", csrf=csrf_value).status_code == 403
    refused = _post(browser, path, "复" * (MAX_REASON + 1))
    assert refused.status_code == 409 and f"复核理由超过 {MAX_REASON} 字" in refused.text
    assert _counts() == before
    done = _post(browser, path, f"第2项问题认定有误{SCRIPT}")
    assert done.status_code == 200 and "复核申请已提交" in done.text and "&lt;script&gt;" in done.text
    assert "<script>" not in done.text
    with session_scope() as session:
        request = session.exec(select(ReviewRequest).where(ReviewRequest.inspection_id == inspection.id)).one()
        actor = session.exec(select(AuditEvent.actor).where(AuditEvent.entity == "inspection",
                                                            AuditEvent.entity_id == inspection.id,
                                                            AuditEvent.event == "review_request")).one()
    assert request.reason == f"第2项问题认定有误{SCRIPT}" and actor == "S001"
    assert request.decide_by.isoformat() in done.text
    after = _counts()
    again = _post(browser, path, "再次申请", csrf=csrf_of(done.text))
    assert again.status_code == 409 and "已申请过复核" in again.text and _counts() == after


def test_a_review_request_after_its_window_is_refused(seeded, runtime):
    inspection = issued(runtime, "S001", "2026-ZH-003", VISIT)
    late_day = inspection.issued_on + timedelta(days=runtime.policy.rectification.review_request_days + 1)
    browser = signed_in_on(late_day, "S001")
    page = browser.get(f"/unit/inspections/{inspection.id}").text
    assert "申请复核" not in page
    before = _counts()
    refused = _post(browser, f"/unit/inspections/{inspection.id}/review", "理由", csrf=csrf_of(page))
    assert refused.status_code == 409 and "不在期内" in refused.text and _counts() == before
