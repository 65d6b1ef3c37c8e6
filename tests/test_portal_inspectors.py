"""Inspectors and leadership in the portal over HTTP: inspector accounts linked to the roster; an inspector sees
only his teams' inspections (another team's by URL: 404) and a covert visit only from its day; his forms — the
on-site score sheet and findings with 整改要求 and 整改期限, 回头看 results, routine visits — go through the
import's code path with his account as actor, refuse bad input in Chinese naming the field and write nothing;
markup is shown as text; a leader reads the office's pages and every form he posts is refused (403); a disabled
account is refused. Runs on SQLite and on PostgreSQL."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from core.db import session_scope
from models import AuditEvent, Finding, Inspection, Inspector, ItemScore, PortalUser, RectificationItem, Unit
from models.planning import RoutineVisit
from portal.accounts import AccountError, add_user, disable_user
from portal.app import create_app
from tasks.cycle.scores import framework_for
from tests.inspector_support import PASSWORD, account, add_accounts, make_inspector_world
from tests.portal_support import TODAY, client, csrf_of

ACTOR = "inspector:li.ming"


@pytest.fixture
def world(seeded):
    world = make_inspector_world()
    add_accounts(world)
    return world


def _count(model) -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def _scores(inspection_id: int) -> dict[str, str]:
    with session_scope() as session:
        inspection = session.get(Inspection, inspection_id)
        framework = framework_for(session, inspection, session.get(Unit, inspection.unit_id), TODAY)
    return {f"score_{entry.item.code}": str(entry.item.points) for entry in framework.entries()}


def _first_item(inspection_id: int) -> str:
    return next(iter(_scores(inspection_id))).removeprefix("score_")


def _visit_form(browser, world, findings: list[dict], scores: dict | None = None) -> dict:
    csrf = csrf_of(browser.get(f"/inspector/inspections/{world.visit}").text)
    data = {"csrf": csrf, **(_scores(world.visit) if scores is None else scores)}
    for name in ("item", "text", "severity", "requirement", "deadline"):
        data[f"finding_{name}"] = [finding.get(name, "") for finding in findings]
    return data


def test_an_inspector_account_is_linked_to_a_row_of_the_roster(world):
    with session_scope() as session:
        for role, inspector, refusal in (("inspector", None, "须用 --inspector"), ("inspector", "I999", "没有“I999”"),
                                         ("leader", world.inspector, "只有督学账号"),
                                         ("inspector", world.inspector, "已有门户账号“li.ming”")):
            with pytest.raises(AccountError, match=refusal):
                add_user(session, "new.one", "新人", PASSWORD, role, actor="operator", inspector=inspector)
        by_id = session.exec(select(Inspector).where(Inspector.code != world.inspector,
                                                     Inspector.code != world.other_inspector)).first()
        user = add_user(session, "by.id", "按编号", PASSWORD, "inspector", actor="operator", inspector=str(by_id.id))
        assert user.inspector_id == by_id.id
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "portaluser",
                                                      AuditEvent.entity_id == user.id)).one()
        assert '"inspector": "' + by_id.code in event.detail


def test_each_account_lands_on_its_own_pages_and_no_other(world):
    inspector, leader, office = account("li.ming"), account("chen.lead"), account("wang.li")
    assert inspector.get("/inspector").url.path == "/inspector"
    assert leader.get("/office").status_code == 200 and "领导 · 只读" in leader.get("/office").text
    refused = inspector.get("/office")
    assert refused.status_code == 403 and "当前登录的账号不能使用该页面" in refused.text
    assert office.get("/inspector").status_code == 403 and leader.get("/inspector").status_code == 403
    assert client().get("/inspector", follow_redirects=False).headers["location"] == "/office/signin"


def test_an_inspector_sees_only_the_inspections_of_his_teams(world):
    ours, theirs = account("li.ming"), account("zhao.gang")
    home = ours.get("/inspector").text
    assert "2026-ZH-901" in home and "2026-AF-902" in home
    assert "2026-ZH-902" not in home and "2026-AF-901" not in home and "2026-AF-903" not in home
    for other in (world.theirs, world.covert_theirs, 999_999):
        answer = ours.get(f"/inspector/inspections/{other}")
        assert answer.status_code == 404 and "2026-" not in answer.text
    assert ours.get(f"/inspector/inspections/{world.visit}").status_code == 200
    assert theirs.get(f"/inspector/inspections/{world.theirs}").status_code == 200
    assert "2026-AF-903" in theirs.get("/inspector").text  # his covert visit, its day past
    assert "2026-AF-901" not in theirs.get("/inspector").text  # never his team


def test_an_inspector_opening_a_covert_visit_before_its_day_is_refused(world):
    browser = account("li.ming")
    before = browser.get(f"/inspector/inspections/{world.covert_ahead}")
    assert before.status_code == 404 and "2026-AF-901" not in before.text and "暗访" not in before.text
    with session_scope() as session:
        school = session.get(Unit, session.get(Inspection, world.covert_ahead).unit_id).name
    assert school not in before.text
    csrf = csrf_of(browser.get("/inspector").text)
    posted = browser.post(f"/inspector/inspections/{world.covert_ahead}/visit",
                          data={"csrf": csrf, "finding_text": "提前登记"})
    assert posted.status_code == 404 and _count(Finding) == 1  # make_items' finding only
    on_the_day = TestClient(create_app(today=lambda: TODAY + timedelta(days=10)), base_url="http://127.0.0.1:8000")
    on_the_day.cookies = browser.cookies
    shown = on_the_day.get(f"/inspector/inspections/{world.covert_ahead}")
    assert shown.status_code == 200 and "2026-AF-901" in shown.text and "登记实地督导" in shown.text


def test_the_visit_is_recorded_with_requirements_deadlines_and_the_inspector_as_actor(world):
    browser = account("li.ming")
    item = _first_item(world.visit)
    deadline = (TODAY + timedelta(days=60)).isoformat()
    data = _visit_form(browser, world, [
        {"item": item, "text": "安全台账缺三月记录", "severity": "严重", "requirement": "一周内补齐台账并建立月检制度",
         "deadline": deadline},
        {"item": item, "text": "食堂留样记录不全"}, {}])
    answer = browser.post(f"/inspector/inspections/{world.visit}/visit", data=data)
    assert answer.status_code == 200 and answer.url.params.get("saved") == "1", answer.text
    assert "一周内补齐台账并建立月检制度" in answer.text and deadline in answer.text and ACTOR in answer.text
    with session_scope() as session:
        inspection = session.get(Inspection, world.visit)
        findings = session.exec(select(Finding).where(Finding.inspection_id == world.visit).order_by(Finding.seq)).all()
        events = session.exec(select(AuditEvent).where(AuditEvent.entity == "inspection",
                                                       AuditEvent.entity_id == world.visit)).all()
        scored = session.exec(select(func.count()).select_from(ItemScore).where(
            ItemScore.inspection_id == world.visit, ItemScore.source == "onsite")).one()
    assert inspection.stage == "onsite" and inspection.visit_on == TODAY
    assert [(f.text, f.severity, f.requirement, f.deadline) for f in findings] == [
        ("安全台账缺三月记录", "serious", "一周内补齐台账并建立月检制度", TODAY + timedelta(days=60)),
        ("食堂留样记录不全", "general", None, None)]
    assert {e.event: e.actor for e in events if e.event in ("visit", "scores:onsite")} == {
        "visit": ACTOR, "scores:onsite": ACTOR}
    assert scored == len(_scores(world.visit))
    again = browser.post(f"/inspector/inspections/{world.visit}/visit", data=data)
    assert again.status_code == 409 and _count(Finding) == 3  # the visit is received once


@pytest.mark.parametrize("finding, field, reason", [
    ({"text": "问题", "deadline": (TODAY - timedelta(days=1)).isoformat()}, "整改期限", "太早"),
    ({"text": "问题", "deadline": "明天"}, "整改期限", "不是日期"),
    ({"text": "", "requirement": "只有要求没有问题"}, "发现问题", "须随一个发现问题"),
    ({"text": "x" * 1001}, "发现问题", "最多 1000 字"),
    ({"text": "含控制字符\x1b[31m"}, "发现问题", "控制字符"),
])
def test_bad_findings_are_refused_naming_the_field_and_nothing_is_written(world, finding, field, reason):
    browser = account("li.ming")
    before = (_count(Finding), _count(ItemScore), _count(AuditEvent))
    data = _visit_form(browser, world, [{"item": _first_item(world.visit), **finding}])
    answer = browser.post(f"/inspector/inspections/{world.visit}/visit", data=data)
    assert answer.status_code == 409 and "未登记任何内容" in answer.text
    assert f"第 1 个问题，{field}：" in answer.text and reason in answer.text, answer.text
    assert (_count(Finding), _count(ItemScore), _count(AuditEvent)) == before
    with session_scope() as session:
        assert session.get(Inspection, world.visit).stage == "notified"


def test_a_score_sheet_missing_items_or_with_a_bad_score_is_refused(world):
    browser = account("li.ming")
    scores = _scores(world.visit)
    first = next(iter(scores))
    missing = browser.post(f"/inspector/inspections/{world.visit}/visit",
                           data=_visit_form(browser, world, [], {**scores, first: ""}))
    assert missing.status_code == 409 and "没有得分" in missing.text and first.removeprefix("score_") in missing.text
    over = browser.post(f"/inspector/inspections/{world.visit}/visit",
                        data=_visit_form(browser, world, [], {**scores, first: "999"}))
    assert over.status_code == 409 and f"考查要点 {first.removeprefix('score_')}，得分：" in over.text
    assert _count(ItemScore) == 0


def test_the_inspectors_scoring_notes_are_kept_and_a_note_without_its_score_is_refused(world):
    browser = account("li.ming")
    scores = _scores(world.visit)
    first, second = (key.removeprefix("score_") for key in list(scores)[:2])
    lone = browser.post(f"/inspector/inspections/{world.visit}/visit", data={
        **_visit_form(browser, world, [], {**scores, f"score_{first}": ""}), f"note_{first}": "未评分的说明"})
    assert lone.status_code == 409 and f"考查要点 {first}，评分说明：评分说明须随该考查要点的得分填写" in lone.text
    assert 'value="未评分的说明"' in lone.text and _count(ItemScore) == 0  # what he typed is kept on the form
    hostile = '<b>扣 1 分</b>：未见安全演练记录'
    saved = browser.post(f"/inspector/inspections/{world.visit}/visit",
                         data={**_visit_form(browser, world, []), f"note_{second}": hostile})
    assert saved.status_code == 200 and saved.url.params.get("saved") == "1", saved.text
    assert "<b>" not in saved.text and "&lt;b&gt;扣 1 分&lt;/b&gt;：未见安全演练记录" in saved.text
    with session_scope() as session:
        notes = session.exec(select(ItemScore.item_code, ItemScore.note).where(
            ItemScore.inspection_id == world.visit, ItemScore.source == "onsite", ItemScore.note != "")).all()
    assert notes == [(second, hostile)]


def test_markup_in_the_inspectors_text_is_shown_as_text(world):
    browser = account("li.ming")
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    data = _visit_form(browser, world, [{"item": _first_item(world.visit), "text": hostile, "requirement": hostile}])
    refused = browser.post(f"/inspector/inspections/{world.visit}/visit",
                           data={**data, "finding_deadline": ["2000-01-01"]})
    assert refused.status_code == 409 and "<script>" not in refused.text and "&lt;script&gt;" in refused.text
    shown = browser.post(f"/inspector/inspections/{world.visit}/visit", data=data)
    assert shown.status_code == 200 and "<script>" not in shown.text and "<img" not in shown.text
    assert shown.text.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") == 2
    routine = browser.post("/inspector/routine", data={"csrf": csrf_of(shown.text), "school": world.zone_school,
                                                       "visit_on": TODAY.isoformat(), "item_0": hostile})
    assert routine.status_code == 200 and "<script>" not in routine.text
    home = browser.get("/inspector").text
    routine_code = re.search(r"2026-JC-\d+", home).group(0)
    with session_scope() as session:
        opened = session.exec(select(Inspection).where(Inspection.code == routine_code)).one()
    page = browser.get(f"/inspector/inspections/{opened.id}").text
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_a_recheck_result_goes_through_recheck_item_with_the_inspector_as_actor(world):
    browser, other = account("li.ming"), account("zhao.gang")
    home = browser.get("/inspector").text
    assert f"/inspector/items/{world.recheck_item}/recheck" in home
    blank = browser.post(f"/inspector/items/{world.recheck_item}/recheck", data={"csrf": csrf_of(home)})
    assert blank.status_code == 409 and "回头看结果：为空" in blank.text
    theirs = other.post(f"/inspector/items/{world.recheck_item}/recheck",
                        data={"csrf": csrf_of(other.get("/inspector").text), "result": "通过"})
    assert theirs.status_code == 404
    done = browser.post(f"/inspector/items/{world.recheck_item}/recheck",
                        data={"csrf": csrf_of(home), "result": "通过", "note": "台账已补齐"})
    assert done.status_code == 200 and "回头看结果已登记" in done.text
    with session_scope() as session:
        item = session.get(RectificationItem, world.recheck_item)
        event = session.exec(select(AuditEvent).where(AuditEvent.entity == "item", AuditEvent.entity_id == item.id,
                                                      AuditEvent.event == "confirm")).one()
    assert item.stage == "closed" and item.closed_on == TODAY and event.actor == ACTOR and "台账已补齐" in event.detail


def test_a_routine_visit_is_filed_by_record_visits_with_the_inspector_as_actor(world):
    browser = account("li.ming")
    csrf = csrf_of(browser.get("/inspector/routine").text)
    form = {"csrf": csrf, "school": world.zone_school, "visit_on": TODAY.isoformat(), "item_1": "课后服务登记不全"}
    future = browser.post("/inspector/routine", data={**form, "visit_on": (TODAY + timedelta(days=1)).isoformat()})
    assert future.status_code == 409 and "督导日期" in future.text and "晚于今天" in future.text
    bad_day = browser.post("/inspector/routine", data={**form, "visit_on": "六月一日"})
    assert bad_day.status_code == 409 and "督导日期“六月一日”不是日期" in bad_day.text
    assert _count(RoutineVisit) == 0
    saved = browser.post("/inspector/routine", data=form)
    assert saved.status_code == 200 and "挂牌督导记录已登记" in saved.text and "发现 1 个问题" in saved.text
    with session_scope() as session:
        visit = session.exec(select(RoutineVisit)).one()
        events = session.exec(select(AuditEvent).where(AuditEvent.actor == ACTOR)).all()
        opened = session.get(Inspection, visit.inspection_id)
    assert visit.problems == 1 and opened.kind == "routine" and opened.stage == "onsite"
    assert {e.event for e in events} >= {"routine_visit", "plan", "visit_unannounced"}
    again = browser.post("/inspector/routine", data=form)
    assert again.status_code == 409 and "已登记，不能重复登记" in again.text and _count(RoutineVisit) == 1


def _routes(routes) -> list:
    """Every route of the app, the included routers' too (FastAPI may nest them: `original_router`)."""
    found = []
    for route in routes:
        nested = getattr(route, "original_router", None) or getattr(route, "router", None)
        found += _routes(nested.routes) if nested is not None and not hasattr(route, "path") else [route]
    return found


def _post_routes() -> list[str]:
    """Every form of the portal, whoever's: the routers of all its pages (a form added later is covered too)."""
    app = create_app(today=lambda: TODAY)
    return sorted({route.path for route in _routes(app.routes) if "POST" in (getattr(route, "methods", None) or set())})


def test_a_leader_reads_but_every_form_he_posts_is_refused(world):
    leader = account("chen.lead")
    page = leader.get("/office")
    assert page.status_code == 200
    csrf = csrf_of(page.text)
    before = (_count(AuditEvent), _count(Finding), _count(RoutineVisit))
    posted = []
    for path in _post_routes():
        if path in ("/signout", "/office/signin"):
            continue
        target = path.replace("{inspection_id}", str(world.visit)).replace("{item_id}", str(world.recheck_item))
        target = target.replace("{submission_id}", "1").replace("{seq}", "1")
        assert "{" not in target, f"a POST route this test does not know how to fill: {path}"
        answer = leader.post(target, data={"csrf": csrf, "result": "通过", "decision": "accept", "reason": "同意",
                                           "text": "领导代报", "school": world.zone_school,
                                           "visit_on": TODAY.isoformat(), "finding_text": "领导发现"})
        assert answer.status_code == 403 and "领导账号只能查看" in answer.text, (path, answer.text)
        posted.append(path)
    assert {"/office/inspections/{inspection_id}/release", "/office/submissions/{submission_id}/review",
            "/inspector/inspections/{inspection_id}/visit", "/inspector/items/{item_id}/recheck",
            "/inspector/routine", "/unit/inspections/{inspection_id}/findings/{seq}/rebuttal"} <= set(posted)
    assert (_count(AuditEvent), _count(Finding), _count(RoutineVisit)) == before
    assert leader.post("/signout", data={"csrf": csrf}).status_code == 200  # leaving is not a write


def test_a_disabled_inspector_is_refused(world):
    browser = account("li.ming")
    csrf = csrf_of(browser.get("/inspector").text)
    with session_scope() as session:
        disable_user(session, "li.ming", actor="operator")
    assert browser.get("/inspector", follow_redirects=False).headers["location"] == "/office/signin"
    posted = browser.post("/inspector/routine", data={"csrf": csrf, "school": world.zone_school,
                                                      "visit_on": TODAY.isoformat()}, follow_redirects=False)
    assert posted.status_code == 303 and _count(RoutineVisit) == 0
    again = client()
    answer = again.post("/office/signin", data={"csrf": csrf_of(again.get("/office/signin").text),
                                                 "username": "li.ming", "password": PASSWORD})
    assert answer.status_code == 401 and "用户名或密码不正确" in answer.text
    with session_scope() as session:
        assert session.exec(select(PortalUser).where(PortalUser.username == "li.ming")).one().disabled


def test_an_inspector_form_without_its_csrf_token_is_refused(world):
    browser = account("li.ming")
    answer = browser.post(f"/inspector/inspections/{world.visit}/visit",
                          data=_visit_form(browser, world, [{"text": "问题"}]) | {"csrf": ""})
    assert answer.status_code == 403 and "表单已失效" in answer.text and _count(ItemScore) == 0
