"""The human steps that had a command but no import: the office's 申辩 decision, the 约谈记录 after the interview
took place, and 约谈/问责 raised by hand. Each import goes through the command's function, from a prefilled
template, and a file with any bad row writes nothing and names each problem by row and column."""

import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from core.db import session_scope
from models import AuditEvent, Document, Interview
from tasks.cycle.rebuttals import state_case
from tasks.exchange.imports import ImportRefused, run_import
from tasks.exchange.imports.templates import export_template
from tasks.ladder.by_hand import raise_interview, unit_of
from tests.conftest import run_cli
from tests.exchange_support import counts, fill, read_csv, set_cell, write_xlsx
from tests.ladder_support import totals
from tests.test_human_steps import _env, _finding, preliminary

D = date.fromisoformat


def _template(kind: str, tmp_path, as_of: date, codes=()) -> list[list[str]]:
    path = tmp_path / f"{kind}.csv"
    with session_scope() as session:
        export_template(session, kind, path, list(codes), as_of)
    return read_csv(path)


def _refused(kind: str, path, as_of: date) -> list[str]:
    """Import a file that must be refused with nothing written; the problems' lines."""
    before = totals(), counts()
    with pytest.raises(ImportRefused) as refused:
        run_import(kind, path, as_of=as_of)
    assert (totals(), counts()) == before
    return [problem.describe() for problem in refused.value.problems]


def _at(lines: list[str], row: int, says: str) -> bool:
    """Whether one line names spreadsheet row `row` and says `says` (the frame's words may be translated)."""
    return any(re.search(rf"(row {row}\b|第 ?{row} ?行)", line) and says in line for line in lines)


def _rebutted(runtime):
    inspection = preliminary(runtime)
    with session_scope() as session:
        for seq in (1, 2):
            finding = _finding("2026-ZH-001", seq)
            session.add(finding)
            state_case(session, finding, inspection, "已整改并附证明", inspection.feedback_on, actor="S001")
    return inspection


def test_the_office_decides_rebuttals_from_a_prefilled_file(seeded, runtime, tmp_path):
    inspection = _rebutted(runtime)
    rows = _template("rebuttal-decisions", tmp_path, inspection.feedback_on)
    assert [row[:2] + row[4:5] for row in rows[1:]] == [["2026-ZH-001", "1", "已整改并附证明"],
                                                        ["2026-ZH-001", "2", "已整改并附证明"]]
    rows = fill(rows, "决定理由", lambda row: "经核实")
    rows = set_cell(set_cell(rows, 2, "申辩决定", "成立"), 3, "申辩决定", "不成立")
    counts_ = run_import("rebuttal-decisions", write_xlsx(tmp_path / "决定.xlsx", rows), as_of=inspection.feedback_on,
                         actor="督导室张某")
    assert (counts_["decisions"], counts_["upheld"]) == (2, 1)
    first, second = _finding("2026-ZH-001", 1), _finding("2026-ZH-001", 2)
    assert (first.rebuttal_decision, first.withdrawn, second.rebuttal_decision, second.withdrawn) == (
        "upheld", True, "dismissed", False)
    with session_scope() as session:
        actors = session.exec(select(AuditEvent.actor).where(AuditEvent.event == "rebuttal_decision")).all()
    assert actors == ["督导室张某", "督导室张某"]
    assert _template("rebuttal-decisions", tmp_path, inspection.feedback_on)[1:] == []  # none left to decide


def test_a_bad_decision_file_names_every_row_and_writes_nothing(seeded, runtime, tmp_path):
    inspection = _rebutted(runtime)
    rows = [["督导编号", "问题序号", "申辩决定", "决定理由"], ["2026-ZH-001", "1", "成立", "经核实"],
            ["2026-ZH-001", "2", "可以", "经核实"], ["2026-ZH-001", "1", "不成立", "重复"],
            ["2026-ZH-001", "3", "成立", "经核实"]]
    lines = _refused("rebuttal-decisions", write_xlsx(tmp_path / "bad.xlsx", rows), inspection.feedback_on)
    assert _at(lines, 3, "申辩决定") and _at(lines, 4, "重复") and _at(lines, 5, "没有第3项问题")
    assert [_finding("2026-ZH-001", seq).rebuttal_decision for seq in (1, 2)] == ["pending", "pending"]
    issued = inspection.rebuttal_due + timedelta(days=1)
    with session_scope() as session:
        from tasks.cycle.due_steps import issue_due
        issue_due(session, issued, runtime)  # the 督导意见书 is out: too late to decide
    rows = [["督导编号", "问题序号", "申辩决定", "决定理由"], ["2026-ZH-001", "1", "成立", "经核实"]]
    assert _at(_refused("rebuttal-decisions", write_xlsx(tmp_path / "late.xlsx", rows), issued), 2, "督导意见书已下达")


def _interview(runtime, on: date, notified: date) -> int:
    with session_scope() as session:
        interview = raise_interview(session, unit_of(session, "S002"), "safety", "食堂消防通道堵塞", on, None,
                                    notified, runtime, actor="督导室")
        return interview.id


def test_interview_records_are_filed_from_the_template_only_after_the_interview(seeded, runtime, tmp_path):
    interview_id = _interview(runtime, D("2026-05-12"), D("2026-05-06"))
    assert _template("interview-records", tmp_path, D("2026-05-11"))[1:] == []  # its day has not come
    rows = _template("interview-records", tmp_path, D("2026-05-12"))
    assert [row[0] for row in rows[1:]] == [str(interview_id)] and "安全问题较多" in rows[1][2]
    rows = fill(fill(rows, "参加人员", lambda row: "校长王某；督导室李某"), "约谈情况", lambda row: "限期疏通消防通道")
    path = write_xlsx(tmp_path / "约谈记录.xlsx", rows)
    early = _refused("interview-records", write_xlsx(tmp_path / "early.xlsx", set_cell(
        [list(r) for r in rows], 2, "实际约谈日期", "2026-05-13")), D("2026-05-12"))
    assert _at(early, 2, "尚未到来")
    assert run_import("interview-records", path, as_of=D("2026-05-13"), actor="督导室李某")["interview_records"] == 1
    with session_scope() as session:
        interview = session.get(Interview, interview_id)
        record = session.exec(select(Document).where(Document.key == f"interview:{interview_id}:record")).one()
        actor = session.exec(select(AuditEvent.actor).where(AuditEvent.event == "interview_record")).one()
    assert (interview.held_on, interview.attendees, record.issued_on, actor) == (
        D("2026-05-12"), "校长王某；督导室李某", D("2026-05-13"), "督导室李某")
    again = _refused("interview-records", path, D("2026-05-14"))
    assert _at(again, 2, "已于 2026-05-12 归档")


def test_interviews_and_accountability_raised_by_hand_from_a_file(seeded, runtime, tmp_path):
    rows = [["类别", "单位代码", "事由代码", "具体情况", "约谈日期", "约谈地点"],
            ["约谈", "S003", "refusal", "拒绝提供材料", "2026-06-10", "区教委3楼会议室"],
            ["问责", "S004", "obstruction", "阻挠督学进校", "", ""]]
    done = run_cli("import", "hand-raised", str(write_xlsx(tmp_path / "hand.xlsx", rows)), "--as-of", "2026-06-05",
                   "--actor", "督导室", env=_env(seeded))
    assert done.returncode == 0, done.stderr
    with session_scope() as session:
        interview = session.exec(select(Interview).where(Interview.reason_code == "refusal")).one()
        kinds = session.exec(select(Document.kind).where(Document.issued_on == D("2026-06-05"))
                             .order_by(Document.id)).all()
        actors = set(session.exec(select(AuditEvent.actor).where(AuditEvent.event.in_(
            ["interview", "accountability"]))).all())
    assert (interview.scheduled_on, interview.place) == (D("2026-06-10"), "区教委3楼会议室")
    assert kinds == ["interview_summons", "accountability_hand"] and actors == {"督导室"}


def test_a_bad_hand_raised_file_names_every_problem_and_writes_nothing(seeded, runtime, tmp_path):
    rows = [["类别", "单位代码", "事由代码", "具体情况", "约谈日期", "约谈地点"],
            ["约谈", "S999", "refusal", "", "2026-06-10", ""],
            ["约谈", "S003", "laziness", "", "2026-06-10", ""],
            ["约谈", "S003", "safety", "", "2026-06-01", ""],
            ["约谈", "S003", "safety", "", "", ""],
            ["问责", "S004", "obstruction", "", "", ""],
            ["问责", "S004", "obstruction", "", "", ""],
            ["问责", "S004", "threats", "", "2026-06-10", ""],
            ["谈话", "S004", "threats", "", "", ""]]
    before = totals(), counts()
    result = run_cli("import", "hand-raised", str(write_xlsx(tmp_path / "bad.xlsx", rows)), "--as-of", "2026-06-05",
                     env=_env(seeded))
    assert result.returncode == 2 and (totals(), counts()) == before
    lines = result.stderr.strip().splitlines()[1:]
    assert len(lines) == 7
    for row, says in [(2, "S999"), (3, "laziness"), (4, "早于通知日"), (5, "须填写约谈日期"), (7, "重复（首次在第6行）"),
                      (8, "问责不填约谈日期"), (9, "类别")]:
        assert _at(lines, row, says), (row, lines)
