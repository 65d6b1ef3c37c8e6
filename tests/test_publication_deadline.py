"""publication_workdays (policy) is read by the sweep: an issued report not released within it is flagged once,
to the office through the outbox and on the daily sweep's table (issue 16); a report released in time is not."""

from datetime import date, timedelta

from sqlmodel import func, select

from core.db import session_scope
from models import Inspection, Notice
from tasks.operator.artifacts import sweep_rows
from tasks.publication.deadline import publication_due_on
from tasks.sweep import STEPS, sweep_day
from tests.publication_world import plan, release_and_publish, visit_and_issue

VISIT = date(2026, 4, 13)


def _late_notices(session) -> list[Notice]:
    return list(session.exec(select(Notice).where(Notice.kind == "publication_due").order_by(Notice.key)).all())


def test_a_report_left_unreleased_past_publication_workdays_is_flagged_once(seeded, runtime):
    rt = runtime
    with session_scope() as session:
        late, on_time = plan(session, "S001", "2026-ZH-901", VISIT), plan(session, "S002", "2026-ZH-902", VISIT)
        issued_on = visit_and_issue(session, rt, late, [("学校管理", "台账不全")])
        assert visit_and_issue(session, rt, on_time, [("学校管理", "台账不全")]) == issued_on
        release_and_publish(session, rt, on_time, rt.calendar.add_workdays(issued_on, 3))
    last_day = publication_due_on(issued_on, rt)
    assert last_day == rt.calendar.add_workdays(issued_on, rt.policy.inspection.publication_workdays)
    assert rt.policy.inspection.publication_workdays == 20 and (last_day - issued_on).days >= 20
    with session_scope() as session:
        assert sweep_day(session, last_day, rt)["publication-due"] == 0  # the last day itself is in time
        assert not _late_notices(session)
    day_after = rt.calendar.next_workday(last_day + timedelta(days=1))
    with session_scope() as session:
        moved = STEPS["publication-due"](session, day_after, rt)
        rows = sweep_rows(session, {"publication-due": moved}, {})
        assert moved == [late.id]
        assert rows[0]["项目"] == "督导报告公开逾期提醒" and rows[0]["明细"] == "2026-ZH-901 南坪育才小学（示例）"  # the sweep's table
        [notice] = _late_notices(session)
        assert notice.key == "inspection:2026-ZH-901:publication_due" and "督导报告公开逾期提醒" in notice.subject
        assert notice.recipients.count("@") == 1 and "duddaoshi@nanan.example.cn" in notice.recipients  # the office
    with session_scope() as session:  # later sweeps do not flag it again
        for n in range(1, 6):
            assert sweep_day(session, rt.calendar.add_workdays(day_after, n), rt)["publication-due"] == 0
        assert len(_late_notices(session)) == 1
        assert session.exec(select(func.count()).select_from(Inspection).where(
            Inspection.released_on.is_not(None))).one() == 1


def test_a_report_released_in_time_is_never_flagged(seeded, runtime):
    rt = runtime
    with session_scope() as session:
        inspection = plan(session, "S003", "2026-ZH-903", VISIT)
        issued_on = visit_and_issue(session, rt, inspection, [("学校管理", "台账不全")])
        release_and_publish(session, rt, inspection, publication_due_on(issued_on, rt))
    with session_scope() as session:
        for n in range(25, 40):
            assert STEPS["publication-due"](session, rt.calendar.add_workdays(issued_on, n), rt) == []
        assert not _late_notices(session)
