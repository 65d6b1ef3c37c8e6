"""申辩 and its decision, 回头看 per item, through the installed `dudao` and through import files: each step
checked, written and audited; bad input is one Chinese line naming what and where, exit 2, nothing written."""

import json
from datetime import date, timedelta

import pytest
from sqlmodel import select

from core.db import session_scope
from models import AuditEvent, Document, Finding, Inspection, RectificationItem
from tasks.cycle.due_steps import feed_back_due, issue_due, notify_due, recheck_or_close_due
from tasks.cycle.responses import FindingInput, record_visit
from tests.conftest import run_cli
from tests.exchange_support import counts, fill, template_rows, write_xlsx
from tests.publication_world import plan, rectify

D = date.fromisoformat
VISIT = D("2026-04-14")


def _env(settings) -> dict:
    return {"DUDAO_VAR_DIR": str(settings.var_dir), "DUDAO_DATABASE_URL": settings.ledger_url}


def preliminary(runtime, code="2026-ZH-001", unit="S001") -> Inspection:
    """An inspection of `unit` with two findings, its preliminary feedback given (the rebuttal window open)."""
    with session_scope() as session:
        inspection = plan(session, unit, code, VISIT)
        notify_due(session, inspection.notice_on, runtime)
        record_visit(session, inspection, [FindingInput("学校管理", "晨检记录不全"), FindingInput("课程教学", "劳动课时不足")],
                     VISIT, runtime, actor="test")
        feed_back_due(session, inspection.feedback_on, runtime)
        session.expunge(inspection)
        return inspection


def accepted(runtime, code="2026-ZH-001", unit="S001") -> date:
    """The inspection issued and both items accepted; returns the day they were accepted."""
    inspection = preliminary(runtime, code, unit)
    issued = inspection.rebuttal_due + timedelta(days=1)
    with session_scope() as session:
        issue_due(session, issued, runtime)
        rectify(session, runtime, session.get(Inspection, inspection.id), "已整改", issued + timedelta(days=5))
    return issued + timedelta(days=5)


def _cli_fails(settings, *args) -> str:
    """Run a command that must be refused: exit 2, one line on stderr, nothing written. Returns the line."""
    before = counts()
    result = run_cli(*args, env=_env(settings))
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stdout == ""
    assert counts() == before
    return result.stderr.strip()


def _finding(code: str, seq: int) -> Finding:
    with session_scope() as session:
        return session.exec(select(Finding).join(Inspection).where(Inspection.code == code, Finding.seq == seq)).one()


def test_a_unit_rebuts_and_the_office_upholds_so_the_finding_gets_no_item(seeded, runtime):
    inspection = preliminary(runtime)
    day = inspection.feedback_on.isoformat()
    result = run_cli("rebuttal", "submit", "2026-ZH-001", "1", "--reason", "晨检记录齐全，附台账", "--as-of", day,
                     env=_env(seeded))
    assert result.returncode == 0, result.stderr
    assert _finding("2026-ZH-001", 1).rebuttal_decision == "pending"
    result = run_cli("rebuttal", "decide", "2026-ZH-001", "1", "--uphold", "--reason", "核实属实", "--as-of", day,
                     env=_env(seeded))
    assert result.returncode == 0, result.stderr
    assert "申辩成立" in result.stdout
    finding = _finding("2026-ZH-001", 1)
    assert (finding.withdrawn, finding.rebuttal_decision, finding.rebuttal_reason) == (True, "upheld", "晨检记录齐全，附台账")
    with session_scope() as session:
        issue_due(session, inspection.rebuttal_due + timedelta(days=1), runtime)
        items = session.exec(select(RectificationItem).where(RectificationItem.inspection_id == inspection.id)).all()
        events = session.exec(select(AuditEvent.event).where(AuditEvent.entity == "finding",
                                                             AuditEvent.entity_id == finding.id)).all()
    assert [item.finding_id for item in items] == [_finding("2026-ZH-001", 2).id]
    assert events == ["rebut", "rebuttal_decision"]


def test_bad_rebuttals_are_refused_with_one_line(seeded, runtime):
    inspection = preliminary(runtime)
    late = (inspection.rebuttal_due + timedelta(days=1)).isoformat()
    assert "申辩期限" in _cli_fails(seeded, "rebuttal", "submit", "2026-ZH-001", "1", "--reason", "理由", "--as-of", late)
    assert "2026-ZH-404" in _cli_fails(seeded, "rebuttal", "submit", "2026-ZH-404", "1", "--reason", "理由")
    assert "第9项" in _cli_fails(seeded, "rebuttal", "submit", "2026-ZH-001", "9", "--reason", "理由")
    assert "没有待决定的申辩" in _cli_fails(seeded, "rebuttal", "decide", "2026-ZH-001", "1", "--dismiss", "--reason", "x",
                                      "--as-of", inspection.feedback_on.isoformat())
    assert "理由" in _cli_fails(seeded, "rebuttal", "submit", "2026-ZH-001", "1", "--reason", "  ",
                              "--as-of", inspection.feedback_on.isoformat())


def test_recheck_passed_closes_the_item_and_then_the_inspection_and_relapse_reopens(seeded, runtime):
    accepted_on = accepted(runtime)
    day = (accepted_on + timedelta(days=30)).isoformat()
    passed = run_cli("recheck", "2026-ZH-001", "1", "--passed", "--note", "复查到位", "--as-of", day, env=_env(seeded))
    assert passed.returncode == 0, passed.stderr
    with session_scope() as session:  # one item still awaits 回头看: the inspection stays in recheck
        recheck_or_close_due(session, D(day), runtime)
        recheck_or_close_due(session, D(day), runtime)
        assert session.exec(select(Inspection.stage).where(Inspection.code == "2026-ZH-001")).one() == "recheck"
    relapse = run_cli("recheck", "2026-ZH-001", "2", "--relapse", "--as-of", day, env=_env(seeded))
    assert relapse.returncode == 0, relapse.stderr
    with session_scope() as session:
        items = {session.get(Finding, i.finding_id).seq: i for i in session.exec(select(RectificationItem)).all()}
        assert (items[1].stage, items[2].stage, items[2].reopen_count) == ("closed", "open", 1)
        assert session.exec(select(Inspection.stage).where(Inspection.code == "2026-ZH-001")).one() == "rectifying"
    assert "回头看只对" in _cli_fails(seeded, "recheck", "2026-ZH-001", "1", "--passed", "--as-of", day)


def test_recheck_import_closes_every_item_and_the_sweep_closes_the_inspection(seeded, runtime, tmp_path):
    accepted_on = accepted(runtime)
    rows = fill(template_rows("recheck", ["2026-ZH-001"], tmp_path), "回头看结果", lambda row: "通过")
    day = accepted_on + timedelta(days=30)
    result = run_cli("import", "recheck", str(write_xlsx(tmp_path / "回头看.xlsx", rows)), "--as-of", day.isoformat(),
                     env=_env(seeded))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rechecks"] == 2
    with session_scope() as session:
        recheck_or_close_due(session, day, runtime)
        recheck_or_close_due(session, day, runtime)
        assert session.exec(select(Inspection.stage).where(Inspection.code == "2026-ZH-001")).one() == "closed"


@pytest.mark.parametrize(("cell", "value", "says"), [
    ("回头看结果", "好", "“好”不是通过、反弹之一"),
    ("问题序号", "7", "没有第7项问题"),
    ("督导编号", "2026-ZH-404", "台账中没有督导 2026-ZH-404"),
])
def test_a_bad_recheck_file_names_row_and_column_and_writes_nothing(seeded, runtime, tmp_path, cell, value, says):
    accepted(runtime)
    rows = fill(template_rows("recheck", ["2026-ZH-001"], tmp_path), "回头看结果", lambda row: "通过")
    rows[2][rows[0].index(cell)] = value
    before = counts()
    result = run_cli("import", "recheck", str(write_xlsx(tmp_path / "bad.xlsx", rows)), env=_env(seeded))
    assert result.returncode == 2 and counts() == before
    assert "bad.xlsx" in result.stderr and "第 3 行" in result.stderr and cell in result.stderr and says in result.stderr


def test_a_recheck_file_for_items_not_yet_accepted_is_refused(seeded, runtime, tmp_path):
    inspection = preliminary(runtime)
    with session_scope() as session:
        issue_due(session, inspection.rebuttal_due + timedelta(days=1), runtime)
    rows = [["督导编号", "问题序号", "回头看结果"], ["2026-ZH-001", "1", "通过"]]
    before = counts()
    result = run_cli("import", "recheck", str(write_xlsx(tmp_path / "early.xlsx", rows)), env=_env(seeded))
    assert result.returncode == 2 and counts() == before
    assert "第 2 行" in result.stderr and "整改中" in result.stderr


def test_rebuttal_import_records_each_case_and_refuses_a_late_file(seeded, runtime, tmp_path):
    inspection = preliminary(runtime)
    rows = fill(template_rows("rebuttals", ["2026-ZH-001"], tmp_path), "申辩理由", lambda row: "已整改并附证明")
    path = write_xlsx(tmp_path / "申辩.xlsx", rows)
    late = (inspection.rebuttal_due + timedelta(days=1)).isoformat()
    before = counts()
    refused = run_cli("import", "rebuttals", str(path), "--as-of", late, env=_env(seeded))
    assert refused.returncode == 2 and counts() == before and "申辩期限" in refused.stderr
    result = run_cli("import", "rebuttals", str(path), "--as-of", inspection.feedback_on.isoformat(), env=_env(seeded))
    assert result.returncode == 0, result.stderr
    assert [_finding("2026-ZH-001", seq).rebuttal_decision for seq in (1, 2)] == ["pending", "pending"]


def test_a_report_left_unreviewed_reminds_the_office_once(seeded, runtime):
    """Before, a pending report held the ladder for ever with nobody told."""
    from models import Notice, Submission
    from tasks.cycle.report_reviews import review_due_on
    from tasks.cycle.responses import submit_rectification
    from tasks.sweep import sweep_day
    from tests.ladder_support import make_items

    [item_id] = make_items("S004", D("2026-09-30"))
    with session_scope() as session:
        submit_rectification(session, session.get(RectificationItem, item_id), "已整改", D("2026-09-14"), actor="S004")
    review_by = review_due_on(D("2026-09-14"), runtime)
    day = review_by
    while day <= review_by + timedelta(days=10):  # swept every day, twice on some
        for _ in range(2):
            with session_scope() as session:
                sweep_day(session, day, runtime)
        day += timedelta(days=1)
    with session_scope() as session:
        notices = session.exec(select(Notice).where(Notice.kind == "report_review_due")).all()
        reminders = session.exec(select(Document).where(Document.kind == "report_review_due")).all()
        assert len(notices) == 1 and [d.issued_on for d in reminders] == [review_by + timedelta(days=1)]
        assert [name for name, _ in json.loads(notices[0].recipients)] == ["南岸区政府教育督导室"]
        assert "尚未审核" in notices[0].body_text
        submission = session.exec(select(Submission).where(Submission.item_id == item_id)).one()
        assert submission.decision == "pending"


def test_a_bad_review_file_names_row_and_column_and_writes_nothing(seeded, runtime, tmp_path):
    accepted(runtime)  # both reports accepted already: nothing awaits review
    rows = [["督导编号", "问题序号", "审核结果", "审核意见"], ["2026-ZH-001", "1", "通过", "整改到位"],
            ["2026-ZH-001", "2", "可以", "整改到位"]]
    before = counts()
    result = run_cli("import", "reviews", str(write_xlsx(tmp_path / "审核.xlsx", rows)), env=_env(seeded))
    assert result.returncode == 2 and counts() == before
    assert "第 2 行" in result.stderr and "没有待审核的整改报告" in result.stderr
    assert "第 3 行" in result.stderr and "审核结果" in result.stderr
