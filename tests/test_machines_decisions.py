"""The decisions' machines (复核 requests, rectification reports) and the outbox's notice status: an illegal
event raises, a legal one moves and audits where it audits, and a decision made meanwhile elsewhere is
refused with nothing written."""

import json
from datetime import date

import pytest
from sqlmodel import select

from core.db import session_scope
from core.errors import InputError
from models import AuditEvent, Inspection, Notice, RectificationItem, ReviewRequest, Submission
from models.lifecycles import NOTICE, REVIEW, IllegalTransition, NoticeStatus, move
from tasks.cycle.responses import review_submission, submit_rectification
from tasks.cycle.review import decide_review, request_review
from tasks.documents.issuing import issue_many
from tasks.mail import outbox_claims
from tests.ladder_support import make_items, totals
from tests.test_outbox import papers

D = date.fromisoformat


def _request(rt) -> int:
    [item_id] = make_items("S019", D("2026-09-30"), issued_on=D("2026-09-01"))
    with session_scope() as session:
        inspection = session.get(Inspection, session.get(RectificationItem, item_id).inspection_id)
        return request_review(session, inspection, "对问题认定有异议", D("2026-09-10"), rt, actor="S019").id


def _decisions() -> list[dict]:
    with session_scope() as session:
        return [json.loads(detail) for detail in session.exec(select(AuditEvent.detail).where(
            AuditEvent.event == "review_decision")).all()]


def test_a_review_decision_moves_and_audits_once_and_a_second_raises(seeded, runtime):
    request_id = _request(runtime)
    with session_scope() as session:
        decide_review(session, session.get(ReviewRequest, request_id), True, "认定依据不充分", D("2026-09-20"),
                      actor="operator", withdraw=(1,))
    with session_scope() as session:
        request = session.get(ReviewRequest, request_id)
        assert (request.decision, request.decision_reason, request.decided_on) == (
            "upheld", "认定依据不充分", D("2026-09-20"))
        with pytest.raises(IllegalTransition, match="当前阶段“upheld”不允许“dismiss”"):
            move(session, REVIEW, request, "dismiss")
    assert _decisions() == [{"request": request_id, "decision": "upheld", "late": False}]


def test_a_review_decided_meanwhile_elsewhere_is_refused_and_nothing_is_written(seeded, runtime):
    request_id = _request(runtime)
    with session_scope() as first, session_scope() as second:
        a, b = first.get(ReviewRequest, request_id), second.get(ReviewRequest, request_id)
        decide_review(first, a, False, "认定事实清楚", D("2026-09-20"), actor="operator")
        first.commit()
        before = totals()
        with pytest.raises(InputError, match="已由他人同时作出决定"):  # b still reads pending
            decide_review(second, b, True, "认定依据不充分", D("2026-09-21"), actor="operator", withdraw=(1,))
        second.rollback()
    assert totals() == before
    assert _decisions() == [{"request": request_id, "decision": "dismissed", "late": False}]


def test_a_report_is_decided_once_and_moves_its_item(seeded, runtime):
    [item_id] = make_items("S012", D("2026-10-30"))
    with session_scope() as session:
        submission = submit_rectification(session, session.get(RectificationItem, item_id), "已整改", D("2026-10-12"),
                                          actor="S012")
        session.flush()
        submission_id = submission.id
    with session_scope() as session:
        review_submission(session, session.get(Submission, submission_id), True, "材料齐全", D("2026-10-14"), runtime,
                          actor="operator")
    with session_scope() as session:
        assert session.get(Submission, submission_id).decision == "accepted"
        assert session.get(RectificationItem, item_id).stage == "accepted"
        events = session.exec(select(AuditEvent.event).where(AuditEvent.entity == "item")).all()
    assert events == ["submit", "accept"]  # the report's decision is audited as its item's event
    before = totals()
    with pytest.raises(IllegalTransition, match="submission .*当前阶段“accepted”不允许“reject”"), \
            session_scope() as session:
        review_submission(session, session.get(Submission, submission_id), False, "x", D("2026-10-15"), runtime,
                          actor="operator")
    assert totals() == before


def test_the_outbox_moves_notices_as_declared_and_audits_nothing(seeded):
    with pytest.raises(IllegalTransition, match="'deliver' is not declared from 'pending'"):
        NOTICE.next(NoticeStatus.PENDING, "deliver")  # only a claimed notice is sent
    assert outbox_claims._STATUS == {"sent": "sent", "permanent": "failed", "transient": "pending"}
    assert {NOTICE.next(s, e) for s, e in (("pending", "claim"), ("sending", "claim"), ("failed", "retry"))} == {
        outbox_claims._CLAIMED}
    with session_scope() as session:
        issue_many(session, papers(session, "r:a", "r:b"))
    before = totals()
    token = outbox_claims.new_token()
    claimed = outbox_claims.claim(outbox_claims.ClaimRequest(token, D("2026-05-15")))
    assert [n.status for n in claimed] == ["sending", "sending"]
    recorder = outbox_claims.Recorder(token)
    recorder.expect(claimed)
    recorder.add("r:a", "sent")
    recorder.flush()
    outbox_claims.release(token)
    with session_scope() as session:
        assert dict(session.exec(select(Notice.key, Notice.status)).all()) == {"r:a": "sent", "r:b": "pending"}
    assert totals() == before
