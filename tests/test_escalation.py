"""四级议题上报处置: a raised issue rises unit → 责任督学 → 督导室 → 督导委员会 while unresolved past each level's
working days, with a notice to each new owner; a resolved one stops; sweeping a day again adds nothing."""

import json
from datetime import date

from sqlmodel import select

from core.db import session_scope
from models import AuditEvent, Finding, Inspector, Notice, RectificationItem
from rules.escalation import level_up_on, next_level
from rules.policy import EscalationPolicy
from rules.workdays import WorkdayCalendar
from tasks.cycle.responses import review_submission, submit_rectification
from tasks.ladder.issue_levels import escalate_issues, raise_issue
from tests.ladder_support import make_items, sweep, sweep_days, totals

D = date.fromisoformat


def test_level_up_days_follow_the_policy_and_the_calendar():
    policy, calendar = EscalationPolicy(level_workdays=(10, 10, 15)), WorkdayCalendar()
    assert level_up_on(1, D("2026-09-28"), policy, calendar) == D("2026-10-16")  # across National Day
    assert level_up_on(3, D("2026-10-16"), policy, calendar) == calendar.add_workdays(D("2026-10-16"), 15)
    assert level_up_on(4, D("2026-10-16"), policy, calendar) is None
    assert next_level(1, D("2026-10-16"), False, D("2026-10-15")) is None
    assert next_level(1, D("2026-10-16"), False, D("2026-10-16")) == 2
    assert next_level(2, D("2026-10-16"), True, D("2026-12-01")) is None
    assert next_level(4, D("2026-10-16"), False, D("2026-12-01")) is None


def _finding_of(item_id: int) -> int:
    with session_scope() as session:
        return session.get(RectificationItem, item_id).finding_id


def _raise(finding_id: int, day: date, rt) -> None:
    with session_scope() as session:
        assert raise_issue(session, session.get(Finding, finding_id), day, rt, actor="S015")


def test_an_unresolved_issue_rises_through_four_levels_to_their_owners(seeded, runtime):
    [item_id] = make_items("S015", D("2026-12-31"))
    finding_id = _finding_of(item_id)
    _raise(finding_id, D("2026-09-28"), runtime)
    sweep_days(D("2026-09-28"), D("2026-12-31"), runtime, step=escalate_issues)
    with session_scope() as session:
        finding = session.get(Finding, finding_id)
        rises = session.exec(select(AuditEvent).where(AuditEvent.entity == "finding", AuditEvent.entity_id == finding_id,
                                                      AuditEvent.event == "escalate").order_by(AuditEvent.id)).all()
        notices = session.exec(select(Notice).where(Notice.kind == "escalation").order_by(Notice.id)).all()
        listed = session.exec(select(Inspector).where(Inspector.listed.is_(True)).order_by(Inspector.code)).first()
    level2 = runtime.calendar.add_workdays(D("2026-09-28"), 10)
    level3 = runtime.calendar.add_workdays(level2, 10)
    level4 = runtime.calendar.add_workdays(level3, 15)
    assert [(e.to_stage, e.as_of) for e in rises] == [("level2", level2), ("level3", level3), ("level4", level4)]
    assert (finding.level, finding.escalate_on) == (4, None)
    owners = [json.loads(n.recipients)[0][0] for n in notices]
    assert owners == [listed.name, "南岸区政府教育督导室", "南岸区政府教育督导委员会"]
    assert "第2级" in notices[0].body_text and "责任督学" in notices[0].body_text


def test_a_resolved_issue_stops_rising(seeded, runtime):
    [item_id] = make_items("S016", D("2026-12-31"))
    finding_id = _finding_of(item_id)
    _raise(finding_id, D("2026-09-01"), runtime)
    sweep_days(D("2026-09-01"), D("2026-09-20"), runtime, step=escalate_issues)  # rises to level 2 on 15 Sep
    with session_scope() as session:
        item = session.get(RectificationItem, item_id)
        submission = submit_rectification(session, item, "已解决", D("2026-09-21"), actor="S016")
        session.flush()
        review_submission(session, submission, True, "整改到位", D("2026-09-22"), runtime, actor="operator")
    sweep_days(D("2026-09-22"), D("2026-12-31"), runtime, step=escalate_issues)
    with session_scope() as session:
        finding = session.get(Finding, finding_id)
    assert (finding.level, finding.escalate_on) == (2, None)


def test_sweeping_the_escalation_day_again_adds_nothing(seeded, runtime):
    [item_id] = make_items("S017", D("2026-12-31"))
    _raise(_finding_of(item_id), D("2026-09-01"), runtime)
    rise_day = runtime.calendar.add_workdays(D("2026-09-01"), 10)
    assert len(sweep(rise_day, runtime, step=escalate_issues)) == 1
    before = totals()
    assert sweep(rise_day, runtime, step=escalate_issues) == [] and totals() == before


def test_raising_twice_is_refused(seeded, runtime):
    [item_id] = make_items("S018", D("2026-12-31"))
    _raise(_finding_of(item_id), D("2026-09-01"), runtime)
    with session_scope() as session:
        assert not raise_issue(session, session.get(Finding, _finding_of(item_id)), D("2026-09-02"), runtime,
                               actor="S018")
