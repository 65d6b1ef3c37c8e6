"""A unit's self-assessment in the portal (HTTP, SQLite and PostgreSQL): a draft kept as typed, a hand-in through
the import's own write with the unit as the actor, every score checked against its indicator with the indicator
named, the deadline kept; refusals write nothing; another unit's inspection is 404; no CSRF token, 403; what a
unit typed is shown as text."""

from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from core.db import session_scope
from models import AuditEvent, Inspection, ItemScore, SelfAssessmentDraft
from tests.portal_support import csrf_of
from tests.unit_forms_support import client_on, framework_of, full_sheet, notified, reload, signed_in_on

VISIT = date(2026, 4, 14)  # notice 2026-03-15, self-assessment due 2026-04-07
DAY = date(2026, 4, 1)
SCRIPT = '<script>alert("自评")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def inspection(seeded, runtime):
    return notified(runtime, "S001", "2026-ZH-001", VISIT)


def _counts() -> tuple[int, int, int]:
    with session_scope() as session:
        return tuple(session.exec(select(func.count()).select_from(model)).one()
                     for model in (ItemScore, AuditEvent, SelfAssessmentDraft))


def _post(browser, inspection, fields: dict, action: str = "submit", csrf: str | None = "page"):
    if csrf == "page":
        csrf = csrf_of(browser.get(f"/unit/inspections/{inspection.id}").text)
    data = {**fields, "action": action, **({"csrf": csrf} if csrf else {})}
    return browser.post(f"/unit/inspections/{inspection.id}/self-assessment", data=data, follow_redirects=True)


def _events(inspection_id: int) -> list[tuple[str, str]]:
    with session_scope() as session:
        return list(session.exec(select(AuditEvent.event, AuditEvent.actor).where(
            AuditEvent.entity == "inspection", AuditEvent.entity_id == inspection_id).order_by(AuditEvent.id)).all())


def test_a_unit_saves_a_draft_then_hands_in_its_self_assessment(inspection):
    framework = framework_of(inspection)
    browser = signed_in_on(DAY, "S001")
    home = browser.get("/unit").text
    assert f'href="/unit/inspections/{inspection.id}"' in home
    page = browser.get(f"/unit/inspections/{inspection.id}").text
    assert framework.name in page and "2026-04-07" in page and page.count('name="score:') == len(framework.entries())
    first, second = framework.entries()[:2]
    draft = _post(browser, inspection, {f"score:{first.item.code}": "4.5", f"score:{second.item.code}": "七",
                                        f"note:{first.item.code}": "见台账"}, action="save")
    assert draft.status_code == 200 and "自评草稿已保存" in draft.text
    assert 'value="4.5"' in draft.text and 'value="七"' in draft.text and 'value="见台账"' in draft.text
    assert reload(inspection.id).stage == "notified"  # a draft moves nothing
    done = _post(browser, inspection, {**full_sheet(framework), f"note:{first.item.code}": "见台账"})
    assert done.status_code == 200 and "自评已提交" in done.text, done.text
    assert "2026-04-01 提交" in done.text and 'name="score:' not in done.text  # the sheet, no longer a form
    after = reload(inspection.id)
    assert (after.stage, after.self_assessment_on) == ("self_assessment", DAY)
    with session_scope() as session:
        scores = dict(session.exec(select(ItemScore.item_code, ItemScore.score).where(
            ItemScore.inspection_id == inspection.id, ItemScore.source == "self")).all())
        draft_row = session.get(SelfAssessmentDraft, inspection.id)
    assert scores == {e.item.code: e.item.points - 1 for e in framework.entries()}
    assert draft_row.submitted_on == DAY
    events = _events(inspection.id)
    assert ("self_assessment_draft", "S001") in events
    assert ("receive_self_assessment", "S001") in events and ("scores:self", "S001") in events


def test_a_score_out_of_range_or_missing_is_refused_naming_the_indicator_and_nothing_is_written(inspection):
    framework = framework_of(inspection)
    first, second, third = framework.entries()[:3]
    fields = full_sheet(framework)
    fields[f"score:{first.item.code}"] = f"{first.item.points + 1:g}"
    fields[f"score:{second.item.code}"] = ""
    fields[f"score:{third.item.code}"] = "-1"
    browser = signed_in_on(DAY, "S001")
    before = _counts()
    refused = _post(browser, inspection, fields)
    assert refused.status_code == 409
    assert f"指标 {first.item.code}（{first.item.text}）：得分{first.item.points + 1:g} 不在 0–{first.item.points:g}" in refused.text
    assert f"指标 {second.item.code}（{second.item.text}）：未填写得分" in refused.text
    assert f"指标 {third.item.code}" in refused.text and "未作任何处理" in refused.text
    assert f'value="{first.item.points + 1:g}"' in refused.text  # what was typed, shown again to correct
    assert _counts() == before and reload(inspection.id).stage == "notified"


def test_after_the_deadline_the_form_is_closed_and_a_late_post_refused(inspection):
    late = inspection.self_assessment_due + timedelta(days=1)
    framework = framework_of(inspection)
    csrf = csrf_of(signed_in_on(DAY, "S001").get(f"/unit/inspections/{inspection.id}").text)
    browser = signed_in_on(late, "S001")
    page = browser.get(f"/unit/inspections/{inspection.id}").text
    assert "自评报送期限 2026-04-07 已过" in page and 'name="score:' not in page
    csrf = csrf_of(page)
    before = _counts()
    for action in ("submit", "save"):
        refused = _post(browser, inspection, full_sheet(framework), action=action, csrf=csrf)
        assert refused.status_code == 409 and "自评报送期限 2026-04-07 已过" in refused.text
    assert _counts() == before and reload(inspection.id).stage == "notified"


def test_another_units_inspection_is_not_found_and_nothing_is_written(inspection):
    framework = framework_of(inspection)
    stranger = signed_in_on(DAY, "S002")
    assert stranger.get(f"/unit/inspections/{inspection.id}").status_code == 404
    assert stranger.get("/unit/inspections/999999").status_code == 404
    before = _counts()
    csrf = csrf_of(stranger.get("/unit").text)
    answer = _post(stranger, inspection, full_sheet(framework), csrf=csrf)
    assert answer.status_code == 404 and _counts() == before
    assert client_on(DAY).get(f"/unit/inspections/{inspection.id}").status_code == 401  # not signed in


def test_a_form_without_its_csrf_token_is_refused(inspection):
    browser = signed_in_on(DAY, "S001")
    before = _counts()
    for csrf in (None, "forged"):
        answer = _post(browser, inspection, full_sheet(framework_of(inspection)), csrf=csrf)
        assert answer.status_code == 403 and "表单已失效" in answer.text
    assert _counts() == before and reload(inspection.id).stage == "notified"


def test_markup_in_a_note_is_kept_and_shown_as_text_and_overlong_values_refused(inspection):
    framework = framework_of(inspection)
    code = framework.entries()[0].item.code
    browser = signed_in_on(DAY, "S001")
    saved = _post(browser, inspection, {f"note:{code}": SCRIPT, f"score:{code}": "<b>1</b>"}, action="save")
    assert saved.status_code == 200 and "<script>" not in saved.text and "<b>1" not in saved.text
    assert "&lt;script&gt;alert(&#34;自评&#34;)&lt;/script&gt;" in saved.text
    before = _counts()
    for fields, expected in (({f"note:{code}": "说" * 1001}, "说明超过 1000 字"),
                             ({f"score:{code}": "1" * 13}, "得分超过 12 字"),
                             ({f"note:{code}": "见\u202e台账"}, "控制字符")):
        refused = _post(browser, inspection, fields, action="save")
        assert refused.status_code == 409 and f"指标 {code}" in refused.text and expected in refused.text
    assert _counts() == before
    done = _post(browser, inspection, {**full_sheet(framework), f"note:{code}": SCRIPT})
    assert done.status_code == 200 and "<script>" not in done.text and "&lt;script&gt;" in done.text
    with session_scope() as session:
        note = session.exec(select(ItemScore.note).where(ItemScore.inspection_id == inspection.id,
                                                         ItemScore.item_code == code)).one()
    assert note == SCRIPT  # kept as the unit typed it


def test_a_sheet_handed_in_once_cannot_be_handed_in_again(inspection):
    framework = framework_of(inspection)
    browser = signed_in_on(DAY, "S001")
    csrf = csrf_of(browser.get(f"/unit/inspections/{inspection.id}").text)
    assert _post(browser, inspection, full_sheet(framework), csrf=csrf).status_code == 200
    before = _counts()
    again = _post(browser, inspection, full_sheet(framework, lambda points: 0), csrf=csrf)
    assert again.status_code == 409 and "自评已于 2026-04-01 报送" in again.text
    assert _counts() == before
    with session_scope() as session:
        assert session.get(Inspection, inspection.id).stage == "self_assessment"
