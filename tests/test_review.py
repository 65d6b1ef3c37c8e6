"""复核: a request within the window is recorded and acknowledged, the ladder goes on meanwhile, the office is
reminded once when the decision is due, and a request outside the window is refused with nothing written."""

import json
from datetime import date

import pytest
from sqlmodel import select

from core.db import session_scope
from core.errors import InputError
from models import AuditEvent, Inspection, Notice, RectificationItem, ReviewRequest
from tasks.cycle.review import decide_review, remind_review_decisions, request_review
from tests.ladder_support import make_items, notices_of, sweep, sweep_days, totals

D = date.fromisoformat


def _inspection_of(item_id: int) -> Inspection:
    with session_scope() as session:
        return session.get(Inspection, session.get(RectificationItem, item_id).inspection_id)


def _request(inspection_id: int, day: date, rt, reason: str = "对问题认定有异议") -> int:
    with session_scope() as session:
        return request_review(session, session.get(Inspection, inspection_id), reason, day, rt, actor="unit").id


def test_a_review_is_recorded_and_the_ladder_is_not_suspended(seeded, runtime):
    [item_id] = make_items("S019", D("2026-09-30"), issued_on=D("2026-09-01"))
    inspection = _inspection_of(item_id)
    request_id = _request(inspection.id, D("2026-09-10"), runtime)
    with session_scope() as session:
        request = session.get(ReviewRequest, request_id)
        receipt = session.exec(select(Notice).where(Notice.kind == "review_receipt")).one()
        event = session.exec(select(AuditEvent).where(AuditEvent.event == "review_request")).one()
    assert (request.decision, request.decide_by) == ("pending", D("2026-10-10"))  # 30 days
    assert [name for name, _ in json.loads(receipt.recipients)] == ["海棠溪阳光小学（示例）", "南岸区政府教育督导室"]  # S019 and the office
    assert "不停止执行" in receipt.body_text
    assert json.loads(event.detail)["ladder_suspended"] is False
    sweep_days(D("2026-09-20"), D("2026-10-08"), runtime)
    assert notices_of(item_id)["urge"] == 1  # the request did not hold the 督办


def test_a_request_outside_the_window_is_refused_and_nothing_is_written(seeded, runtime):
    [item_id] = make_items("S020", D("2026-09-30"), issued_on=D("2026-09-01"))
    inspection = _inspection_of(item_id)
    before = totals()
    with pytest.raises(InputError, match=r"至 2026-09-16（rectification.review_request_days）"):
        _request(inspection.id, D("2026-09-17"), runtime)
    assert totals() == before
    _request(inspection.id, D("2026-09-16"), runtime)  # the last day is inside
    with pytest.raises(InputError, match="已申请过复核"):
        _request(inspection.id, D("2026-09-16"), runtime)


def test_the_office_is_reminded_once_when_a_decision_is_due_and_then_decides(seeded, runtime):
    [item_id] = make_items("S021", D("2026-09-30"), issued_on=D("2026-09-01"))
    request_id = _request(_inspection_of(item_id).id, D("2026-09-05"), runtime)
    assert sweep(D("2026-10-04"), runtime, step=remind_review_decisions) == []
    assert sweep(D("2026-10-05"), runtime, step=remind_review_decisions) == [request_id]
    assert sweep(D("2026-10-06"), runtime, step=remind_review_decisions) == []  # once
    with session_scope() as session:
        decide_review(session, session.get(ReviewRequest, request_id), False, "认定事实清楚", D("2026-10-09"),
                      actor="operator")
    with session_scope() as session:
        kinds = sorted(session.exec(select(Notice.kind).where(Notice.kind.like("review%"))).all())
        decision = session.exec(select(Notice).where(Notice.kind == "review_decision")).one()
        late = json.loads(session.exec(select(AuditEvent.detail).where(AuditEvent.event == "review_decision")).one())
    assert kinds == ["review_decision", "review_due", "review_receipt"]
    assert "维持原督导意见书" in decision.body_text and late["late"] is True
    assert sweep(D("2026-10-12"), runtime, step=remind_review_decisions) == []
    with session_scope() as session, pytest.raises(InputError, match="已作出决定"):
        decide_review(session, session.get(ReviewRequest, request_id), True, "x", D("2026-10-12"), actor="operator")


def test_an_upheld_review_withdraws_the_finding_and_stops_its_ladder(seeded, runtime):
    """Before, the ladder climbed to 问责 on the finding the office withdrew."""
    from models import Finding

    first, second = make_items("S022", D("2026-09-30"), 2, issued_on=D("2026-09-01"))
    request_id = _request(_inspection_of(first).id, D("2026-09-10"), runtime)
    with session_scope() as session:
        decide_review(session, session.get(ReviewRequest, request_id), True, "认定依据不充分", D("2026-09-20"),
                      actor="operator", withdraw=(1,))
    sweep_days(D("2026-09-21"), D("2026-12-31"), runtime)
    assert set(notices_of(first)) <= {"reminder"}  # nothing after the deadline: no 督办, 约谈, 通报, 问责
    assert notices_of(second)["accountability"] == 1  # the finding the office kept climbs as before
    with session_scope() as session:
        item = session.get(RectificationItem, first)
        assert (item.stage, item.closed_on, session.get(Finding, item.finding_id).withdrawn) == (
            "closed", D("2026-09-20"), True)
        decision = session.exec(select(Notice).where(Notice.kind == "review_decision")).one()
    assert "撤回以下问题" in decision.body_text


def test_a_report_pending_on_a_withdrawn_finding_is_withdrawn_with_it(seeded, runtime):
    """Before, the report stayed pending on a closed item and reviewing it failed with IllegalTransition."""
    from models import Submission
    from models.lifecycles.machine import IllegalTransition
    from tasks.cycle.responses import pending_submissions, review_submission, submit_rectification

    [item_id] = make_items("S024", D("2026-09-30"), issued_on=D("2026-09-01"))
    request_id = _request(_inspection_of(item_id).id, D("2026-09-10"), runtime)
    with session_scope() as session:
        submission_id = submit_rectification(session, session.get(RectificationItem, item_id), "已整改", D("2026-09-15"),
                                             actor="unit").id
    with session_scope() as session:
        decide_review(session, session.get(ReviewRequest, request_id), True, "认定依据不充分", D("2026-09-20"),
                      actor="operator", withdraw=(1,))
    with session_scope() as session:
        submission = session.get(Submission, submission_id)
        assert (submission.decision, submission.decided_on) == ("withdrawn", D("2026-09-20"))
        assert session.get(RectificationItem, item_id).stage == "closed"
        assert pending_submissions(session, D("2026-12-31")) == []  # nothing left for the office to review
        with pytest.raises(IllegalTransition, match="当前阶段“withdrawn”不允许“accept”"):
            review_submission(session, submission, True, "整改到位", D("2026-09-21"), runtime, actor="operator")


def test_an_upheld_review_must_name_what_it_withdraws_and_writes_nothing_otherwise(seeded, runtime):
    [item_id] = make_items("S023", D("2026-09-30"), issued_on=D("2026-09-01"))
    request_id = _request(_inspection_of(item_id).id, D("2026-09-10"), runtime)
    before = totals()
    for withdraw, says in (((), "须指明撤回.*或变更.*的问题序号"), ((5,), "没有可撤回的第5项问题")):
        with session_scope() as session, pytest.raises(InputError, match=says):
            decide_review(session, session.get(ReviewRequest, request_id), True, "认定依据不充分", D("2026-09-20"),
                          actor="operator", withdraw=withdraw)
    assert totals() == before


def test_an_upheld_review_amends_a_finding_and_its_ladder_follows_the_new_deadline(seeded, runtime):
    """复核 upheld may amend rather than withdraw: the wording, the 整改要求 and the 整改期限 change, and the
    ladder runs from the new deadline (before, only withdrawal was possible)."""
    from models import Document, Finding
    from tasks.cycle.amendments import Amendment

    first, second = make_items("S025", D("2026-09-30"), 2, issued_on=D("2026-09-01"))
    request_id = _request(_inspection_of(first).id, D("2026-09-10"), runtime)
    sweep_days(D("2026-09-20"), D("2026-10-09"), runtime)
    assert notices_of(first)["urge"] == 1  # the old deadline passed: 督办 already
    amendment = Amendment(1, text="食堂留样记录不全", requirement="补齐三个月留样台账并建立日查制度",
                          deadline=D("2026-11-30"))
    with session_scope() as session:
        decide_review(session, session.get(ReviewRequest, request_id), True, "问题表述和期限调整", D("2026-10-09"),
                      actor="督导室", amendments=(amendment,))
    with session_scope() as session:
        item = session.get(RectificationItem, first)
        finding = session.get(Finding, item.finding_id)
        event = session.exec(select(AuditEvent).where(AuditEvent.event == "amend")).one()
        decision = session.exec(select(Notice).where(Notice.kind == "review_decision")).one()
    assert (item.stage, item.deadline, item.current_deadline, item.ladder_step) == (
        "open", D("2026-11-30"), D("2026-11-30"), "none")
    assert (finding.text, finding.requirement, item.decision, finding.withdrawn) == (
        "食堂留样记录不全", "补齐三个月留样台账并建立日查制度", "补齐三个月留样台账并建立日查制度", False)
    assert (event.entity, event.entity_id, event.actor) == ("item", first, "督导室")
    before = json.loads(event.detail)["before"]
    assert before["deadline"] == "2026-10-28" and before["requirement"] == "完善台账并书面报告。"  # the 督办 deadline, as it was
    assert "变更以下问题" in decision.body_text and "2026年11月30日" in decision.body_text
    sweep_days(D("2026-10-10"), D("2026-11-30"), runtime)
    assert notices_of(first)["interview"] == 0 and notices_of(first)["reminder"] >= 1  # reminded of the new one
    assert notices_of(second)["interview"] == 1  # the finding left as it was climbs on
    sweep_days(D("2026-12-01"), D("2026-12-02"), runtime)
    with session_scope() as session:
        keys = session.exec(select(Document.key).where(Document.item_id == first, Document.kind == "urge")).all()
    assert len(keys) == 2 and any("2026-11-30" in key for key in keys)  # 督办 again, against the new deadline


def test_an_amendment_that_cannot_be_made_writes_nothing(seeded, runtime):
    from tasks.cycle.amendments import Amendment

    [item_id] = make_items("S026", D("2026-09-30"), issued_on=D("2026-09-01"))
    request_id = _request(_inspection_of(item_id).id, D("2026-09-10"), runtime)
    before = totals()
    for amendments, withdraw, says in (((Amendment(1),), (), "须写明变更后的"),
                                       ((Amendment(1, deadline=D("2026-09-20")),), (), "须晚于决定日"),
                                       ((Amendment(4, text="x"),), (), "没有可变更的第4项问题"),
                                       ((Amendment(1, text="x"),), (1,), "重复")):
        with session_scope() as session, pytest.raises(InputError, match=says):
            decide_review(session, session.get(ReviewRequest, request_id), True, "认定依据不充分", D("2026-09-20"),
                          actor="operator", withdraw=withdraw, amendments=amendments)
    with session_scope() as session, pytest.raises(InputError, match="复核不成立时不撤回、不变更"):
        decide_review(session, session.get(ReviewRequest, request_id), False, "维持", D("2026-09-20"),
                      actor="operator", amendments=(Amendment(1, text="x"),))
    assert totals() == before


def test_the_review_command_amends_a_deadline(seeded, runtime):
    from tests.conftest import run_cli

    env = {"DUDAO_VAR_DIR": str(seeded.var_dir), "DUDAO_DATABASE_URL": seeded.ledger_url}
    [item_id] = make_items("S027", D("2026-09-30"), issued_on=D("2026-09-01"))
    request_id = _request(_inspection_of(item_id).id, D("2026-09-10"), runtime)
    before = totals()
    alone = run_cli("review", "decide", str(request_id), "--uphold", "--reason", "期限调整", "--new-deadline",
                    "2026-11-30", "--as-of", "2026-09-20", env=env)
    assert alone.returncode == 2 and "--amend" in alone.stderr and totals() == before
    done = run_cli("review", "decide", str(request_id), "--uphold", "--reason", "期限调整", "--amend", "1",
                   "--new-deadline", "2026-11-30", "--as-of", "2026-09-20", env=env)
    assert done.returncode == 0, done.stderr
    with session_scope() as session:
        assert session.get(RectificationItem, item_id).current_deadline == D("2026-11-30")
