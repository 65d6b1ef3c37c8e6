"""The ladder step of the daily sweep against a real ledger: every step's documents, notices and audit events;
submissions hold the ladder, rejections keep the clock running, 回头看 relapses restart it at 督办; aggravated
units; policy changes; the indexed selection."""

import json
from datetime import date, timedelta

from sqlalchemy import text
from sqlmodel import select

from core.db import get_engine, session_scope
from models import AuditEvent, Document, Finding, Notice, RectificationItem, Submission, Unit
from rules.policy import LadderPolicy
from rules.runtime import Runtime
from tasks.cycle.responses import record_recheck, review_submission, submit_rectification
from tasks.documents.issuing import document_text
from tasks.ladder.climb import select_due_items
from tasks.operator.summary import year_summary
from tests.ladder_support import item, ladder_events_of, make_items, notices_of, sweep, sweep_days, totals

D = date.fromisoformat
FULL_LADDER = {"reminder": 4, "urge": 1, "interview": 1, "interview_record": 1, "circular": 1, "accountability": 1}


def _hold_interviews(day: date) -> None:
    """The office holds each 约谈 whose day has come and files its record (as people do, through the function the
    CLI calls)."""
    from tasks.ladder.interviews import interviews_to_record, record_interview

    with session_scope() as session:
        for interview in interviews_to_record(session, day):
            record_interview(session, interview, interview.scheduled_on, "主要负责人；督导室负责同志", "说明了原因，承诺整改。",
                             day, actor="operator")


def _notice_texts(item_id: int) -> dict[str, tuple[str, list]]:
    with session_scope() as session:
        return {n.kind: (n.body_text, json.loads(n.recipients)) for n in session.exec(
            select(Notice).where(Notice.item_id == item_id)).all()}


def test_an_item_that_is_never_rectified_climbs_every_step_once(seeded, runtime):
    school, private, department = (make_items(code, D("2026-09-30"))[0] for code in ("S001", "S008", "D06"))
    sweep_days(D("2026-09-01"), D("2026-12-31"), runtime)
    _hold_interviews(D("2026-12-31"))
    for item_id in (school, private, department):
        assert notices_of(item_id) == FULL_LADDER
        assert ladder_events_of(item_id) == {k: v for k, v in FULL_LADDER.items() if k != "interview_record"}
    with session_scope() as session:
        for doc in session.exec(select(Document).where(Document.item_id.in_([school, private, department]))).all():
            html = seeded.out_dir / doc.path
            assert html.is_file() and document_text(session, doc.id), doc.path
    # At the top of the ladder, still open, with nothing more ever due: not read again (a new item is).
    [fresh] = make_items("S002", D("2027-03-31"))
    with session_scope() as session:
        assert all(item(i).stage == "open" and item(i).next_action_on is None for i in (school, private, department))
        assert [i.id for i in select_due_items(session, D("2027-01-04"))] == [fresh]
    texts = _notice_texts(school)
    record_text, record_to = texts["interview_record"]
    assert [name for name, _ in record_to] == ["区教委", "中共南岸区委、南岸区人民政府"]
    assert "不予评优评先、不予提拔任用" in texts["circular"][0]
    assert "撤换" not in texts["accountability"][0]
    private_text = _notice_texts(private)["accountability"][0]
    assert "撤换学校负责人" in private_text and "吊销其办学许可证" in private_text
    assert item(school).ladder_step == "accountability" and item(school).next_action_on is None


def test_a_serious_finding_is_referred_and_the_item_raises_an_issue_at_interview(seeded, runtime):
    [item_id] = make_items("S002", D("2026-09-30"), severity="serious")
    sweep_days(D("2026-10-08"), D("2026-12-31"), runtime)
    assert "移送有关执法部门" in _notice_texts(item_id)["accountability"][0]
    with session_scope() as session:
        finding = session.get(Finding, session.get(RectificationItem, item_id).finding_id)
        raised = session.exec(select(AuditEvent.as_of).where(
            AuditEvent.entity == "finding", AuditEvent.entity_id == finding.id, AuditEvent.event == "raise")).one()
    assert finding.needs_escalation and raised == D("2026-10-29")  # the day of the 约谈


def test_two_items_of_one_report_are_one_accountability_not_an_aggravated_one(seeded, runtime):
    """从重问责 counts a unit held to account, not items: before, the second overdue item of one 督导意见书 said
    "第2次被问责" on the same day."""
    first, second = make_items("S003", D("2026-06-30"), 2)
    sweep_days(D("2026-06-01"), D("2026-10-31"), runtime)
    assert ladder_events_of(first)["accountability"] == ladder_events_of(second)["accountability"] == 1
    assert all("从重" not in _notice_texts(i)["accountability"][0] for i in (first, second))
    with session_scope() as session:
        assert year_summary(session, 2026)["aggravated_units"] == []


def test_a_unit_held_to_account_twice_in_a_year_is_aggravated(seeded, runtime):
    [first] = make_items("S003", D("2026-06-30"))
    [second] = make_items("S003", D("2026-08-31"))  # another inspection's item: a second 问责 of the unit
    sweep_days(D("2026-06-01"), D("2026-12-31"), runtime)
    assert "从重" not in _notice_texts(first)["accountability"][0]
    assert "第2次被问责" in _notice_texts(second)["accountability"][0]
    with session_scope() as session:
        unit = session.exec(select(Unit).where(Unit.code == "S003")).one()
        flags = session.exec(select(AuditEvent).where(AuditEvent.entity == "unit", AuditEvent.entity_id == unit.id,
                                                      AuditEvent.event == "aggravated")).all()
        assert [json.loads(f.detail)["accountability_count"] for f in flags] == [2]
        assert year_summary(session, 2026)["aggravated_units"] == ["S003"]


def test_a_pending_report_holds_the_ladder_and_a_rejection_keeps_the_clock_running(seeded, runtime):
    [item_id] = make_items("S004", D("2026-09-30"))
    sweep_days(D("2026-09-20"), D("2026-09-28"), runtime)
    with session_scope() as session:
        submission = submit_rectification(session, session.get(RectificationItem, item_id), "已整改", D("2026-09-28"),
                                          actor="S004")
        session.flush()
        submission_id = submission.id
    sweep_days(D("2026-09-29"), D("2026-10-20"), runtime)  # past the deadline, but the report is pending
    assert notices_of(item_id) == {"reminder": 1}
    with session_scope() as session:
        review_submission(session, session.get(Submission, submission_id), False, "材料不全", D("2026-10-20"),
                          runtime, actor="operator")
    sweep(D("2026-10-21"), runtime)  # the deadline passed while under review: 督办 at once
    assert notices_of(item_id)["urge"] == 1
    assert item(item_id).current_deadline == runtime.calendar.add_workdays(D("2026-10-21"), 15)


def test_an_accepted_report_stops_the_ladder_and_a_relapse_restarts_it_at_urge(seeded, runtime):
    [item_id] = make_items("S005", D("2026-09-30"))
    with session_scope() as session:
        row = session.get(RectificationItem, item_id)
        submission = submit_rectification(session, row, "已整改", D("2026-09-15"), actor="S005")
        session.flush()
        review_submission(session, submission, True, "整改到位", D("2026-09-16"), runtime, actor="operator")
    sweep_days(D("2026-09-16"), D("2026-12-14"), runtime)
    assert notices_of(item_id) == {}
    with session_scope() as session:  # 回头看 on Tue 15 Dec finds the problem back
        record_recheck(session, session.get(RectificationItem, item_id), True, D("2026-12-15"), runtime,
                       actor="inspector")
    sweep(D("2026-12-15"), runtime)
    assert notices_of(item_id) == {}  # no reminder on the re-check day itself
    sweep(D("2026-12-16"), runtime)
    relapsed = item(item_id)
    assert notices_of(item_id) == {"urge": 1} and relapsed.ladder_step == "urge"
    assert relapsed.current_deadline == runtime.calendar.add_workdays(D("2026-12-16"), 15)


def test_sweeping_a_day_again_adds_nothing(seeded, runtime):
    make_items("S006", D("2026-09-30"), 3)
    for day in (D("2026-09-22"), D("2026-10-08"), D("2026-10-29")):
        sweep(day, runtime)
        before = totals()
        assert sweep(day, runtime) == []
        assert totals() == before


def test_a_policy_change_applies_to_new_steps_only(seeded, runtime):
    [item_id] = make_items("S007", D("2026-09-30"))
    sweep(D("2026-10-08"), runtime)  # 督办 under 2026.1: deadline 28 Oct, 约谈 on 29 Oct
    urged = item(item_id)
    stricter = runtime.policy.model_copy(update={"version": "2026.2", "ladder": LadderPolicy(
        urge_workdays=5, interview_after_workdays=3, circular_after_workdays=2)})
    rt2 = Runtime(policy=stricter, calendar=runtime.calendar)
    sweep_days(D("2026-10-09"), D("2026-10-28"), rt2)
    assert item(item_id).current_deadline == urged.current_deadline == D("2026-10-28")
    assert notices_of(item_id)["interview"] == 0
    sweep(D("2026-10-29"), rt2)
    interviewed = item(item_id)
    assert interviewed.ladder_step == "interview"
    assert interviewed.step_due_on == runtime.calendar.add_workdays(D("2026-10-29"), 2)  # the new policy's 通报
    with session_scope() as session:
        details = {e.event: json.loads(e.detail) for e in session.exec(select(AuditEvent).where(
            AuditEvent.entity == "item", AuditEvent.entity_id == item_id)).all()}
    assert details["ladder:urge"]["policy"] == "2026.1" and details["ladder:interview"]["policy"] == "2026.2"


def test_an_item_whose_reminder_went_out_is_not_read_again_until_its_next_step(seeded, runtime):
    [item_id] = make_items("S009", D("2026-09-30"))
    sweep(D("2026-09-22"), runtime)  # the 5-day reminder
    assert item(item_id).next_action_on == D("2026-09-29")
    with session_scope() as session:
        for day in (D("2026-09-23"), D("2026-09-28")):
            assert item_id not in [i.id for i in select_due_items(session, day)]
        assert item_id in [i.id for i in select_due_items(session, D("2026-09-29"))]


def test_the_due_items_are_found_by_a_range_scan_on_the_index(seeded):
    sql = "SELECT * FROM rectificationitem WHERE stage = 'open' AND next_action_on <= '2026-10-08'"
    with get_engine().connect() as conn:
        if conn.dialect.name == "sqlite":
            plan = " ".join(str(row[-1]) for row in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
            assert "SEARCH rectificationitem USING INDEX ix_rectificationitem_stage_next_action_on " \
                   "(stage=? AND next_action_on<?)" in plan
        else:  # on a near-empty table PostgreSQL prefers a sequential scan; the index path must exist
            conn.execute(text("SET enable_seqscan = off"))
            plan = " ".join(row[0] for row in conn.execute(text(f"EXPLAIN {sql}")))
            assert "ix_rectificationitem_stage_next_action_on" in plan and "next_action_on <=" in plan


def test_nothing_climbs_on_a_non_working_day(seeded, runtime):
    make_items("S010", D("2026-09-30"))
    before = totals()
    assert sweep(D("2026-10-03"), runtime) == [] and totals() == before
    assert all(step == "none" for step in _steps())


def _steps() -> list[str]:
    with session_scope() as session:
        return list(session.exec(select(RectificationItem.ladder_step)).all())


def test_catching_up_after_missed_days_issues_one_step_a_day(seeded, runtime):
    [item_id] = make_items("S011", D("2026-09-30"))
    sweep(D("2026-11-30"), runtime)  # the sweep was down for two months
    assert notices_of(item_id) == {"urge": 1}
    assert item(item_id).current_deadline == D("2026-11-30") + timedelta(days=21)  # 15 working days, no holiday
