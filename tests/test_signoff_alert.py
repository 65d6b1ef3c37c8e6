"""A sign-off (签发) waiting longer than `[signoff] alert_after_workdays` working days alerts the office once per
report (issue 18 part 3): the daily sweep's `signoff-waiting` step files the alert through the outbox, e-mail and,
where the office has them, its robot and SMS."""

from datetime import date, timedelta

from sqlalchemy import update
from sqlmodel import select

from core.db import session_scope
from models import ChannelMessage, Notice, Unit
from tasks.operator.artifacts import sweep_rows
from tasks.publication.signoff_waiting import signoff_overdue_on
from tasks.sweep import STEPS, sweep_day
from tests.publication_world import plan, release_and_publish, visit_and_issue

VISIT = date(2026, 4, 13)


def _alerts(session) -> list[Notice]:
    return list(session.exec(select(Notice).where(Notice.kind == "alert").order_by(Notice.key)).all())


def test_a_report_waiting_for_its_signoff_alerts_the_office_once(seeded, runtime):
    rt = runtime
    with session_scope() as session:
        session.execute(update(Unit).where(Unit.code == "OFFICE").values(robot_url="https://oapi.example.cn/robot/send"))
        waiting, signed = plan(session, "S001", "2026-ZH-901", VISIT), plan(session, "S002", "2026-ZH-902", VISIT)
        issued_on = visit_and_issue(session, rt, waiting, [("学校管理", "台账不全")])
        assert visit_and_issue(session, rt, signed, [("学校管理", "台账不全")]) == issued_on
        release_and_publish(session, rt, signed, rt.calendar.add_workdays(issued_on, 1))
    last_day = signoff_overdue_on(issued_on, rt)
    assert rt.policy.signoff.alert_after_workdays == 3
    assert last_day == rt.calendar.add_workdays(issued_on, 3)
    with session_scope() as session:
        assert sweep_day(session, last_day, rt)["signoff-waiting"] == 0  # N working days: still in time
        assert not _alerts(session)
    day_after = rt.calendar.next_workday(last_day + timedelta(days=1))
    with session_scope() as session:
        moved = STEPS["signoff-waiting"](session, day_after, rt)
        rows = sweep_rows(session, {"signoff-waiting": moved}, {})
        assert moved == [waiting.id]
        assert rows[0]["项目"] == "督导报告签发等待过久告警" and rows[0]["明细"].startswith("2026-ZH-901 南坪育才小学（示例）")
        [alert] = _alerts(session)
        assert alert.key == "alert:signoff-waiting:inspection:2026-ZH-901"
        assert alert.subject.startswith("【系统告警：督导报告签发等待过久】") and "duddaoshi@" in alert.recipients
        assert "2026-ZH-901" in alert.body_text and "已超过3个工作日未签发" in alert.body_text
        [robot] = session.exec(select(ChannelMessage)).all()  # the policy sends alerts to the office's robot too
        assert robot.notice_id == alert.id and robot.channel == "webhook"
    with session_scope() as session:  # later mornings: once per report
        for n in range(1, 6):
            assert sweep_day(session, rt.calendar.add_workdays(day_after, n), rt)["signoff-waiting"] == 0
        assert len(_alerts(session)) == 1
        assert len(session.exec(select(ChannelMessage)).all()) == 1
