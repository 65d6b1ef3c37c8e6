"""The district's self-evaluation for the city (实施方案 §一(四)): the 自查自评报告 filed to the municipal office by
the policy's report_due (mid-May), listing the problems the office recorded; each problem followed like a
finding (a reminder before its 整改期限, a 督办 after it, once each) until the office closes it."""

import json
from datetime import date, timedelta

import pytest
from sqlmodel import select

from core.db import session_scope
from core.errors import InputError
from models import AuditEvent, Document, Notice, SelfEvaluationProblem
from rules.self_evaluation import report_day
from tasks.exchange.imports import ImportRefused, run_import
from tasks.self_evaluation import report
from tasks.self_evaluation.problems import close_problem, problem_of, record_problem, responsible_unit
from tasks.sweep import STEPS, sweep_day
from tests.conftest import run_cli
from tests.exchange_support import counts, write_xlsx
from tests.ladder_support import totals

D = date.fromisoformat


def _env(settings) -> dict:
    return {"DUDAO_VAR_DIR": str(settings.var_dir), "DUDAO_DATABASE_URL": settings.ledger_url}


def _step(name: str, start: date, end: date, rt) -> dict[date, list[int]]:
    moved, day = {}, start
    while day <= end:
        with session_scope() as session:
            ids = STEPS[name](session, day, rt)
        if ids:
            moved[day] = ids
        day += timedelta(days=1)
    return moved


def _notices(kind: str) -> list[Notice]:
    with session_scope() as session:
        return list(session.exec(select(Notice).where(Notice.kind == kind).order_by(Notice.id)).all())


def test_the_report_day_is_the_last_working_day_on_or_before_report_due(runtime):
    policy = runtime.policy.self_evaluation
    assert policy.report_due == "05-15"
    assert report_day(2026, policy, runtime.calendar) == D("2026-05-15")  # a Friday
    assert report_day(2027, policy, runtime.calendar) == D("2027-05-14")  # 15 May 2027 is a Saturday


def test_the_report_goes_to_the_city_once_by_mid_may_with_the_recorded_problems(seeded, runtime):
    with session_scope() as session:
        record_problem(session, responsible_unit(session, "D06"), "学前教育普惠率未达目标", "新增普惠性学位并按季度通报",
                       D("2026-09-30"), D("2026-04-20"), actor="督导室")
    with session_scope() as session:
        assert sweep_day(session, D("2026-05-14"), runtime)["self-evaluation"] == 0
    with session_scope() as session:
        assert sweep_day(session, D("2026-05-15"), runtime)["self-evaluation"] == 1
    assert _step("self-evaluation", D("2026-05-15"), D("2026-06-30"), runtime) == {}  # once
    [notice] = _notices("self_evaluation_report")
    assert [name for name, _ in json.loads(notice.recipients)] == ["重庆市人民政府教育督导室"]
    assert "2026年履行教育职责自查自评报告" in notice.subject
    assert "学前教育普惠率未达目标" in notice.body_text and "2026年9月30日" in notice.body_text
    assert "台账中尚无2025年度的督导记录" in notice.body_text  # a first year says so rather than "0个单位"
    with session_scope() as session:
        document = session.exec(select(Document).where(Document.key == "self-evaluation:2026")).one()
    assert document.issued_on == D("2026-05-15")


def test_once_filed_the_report_is_not_gathered_again(seeded, runtime, monkeypatch):
    """Its figures read the ledger's whole year: gathered daily to December, at 30,000 schools a sweep's minutes."""
    assert _step("self-evaluation", D("2026-05-15"), D("2026-05-15"), runtime) == {D("2026-05-15"): [1]}

    def gathered(*_args):
        raise AssertionError("the report's figures were gathered again after it was filed")

    monkeypatch.setattr(report, "report_paper", gathered)
    assert _step("self-evaluation", D("2026-05-18"), D("2026-06-30"), runtime) == {}


def test_a_missed_report_day_is_caught_up_the_next_working_day(seeded, runtime):
    assert _step("self-evaluation", D("2026-05-16"), D("2026-05-19"), runtime) == {D("2026-05-18"): [1]}


def test_a_problem_is_reminded_then_urged_once_each_and_closed(seeded, runtime):
    record = run_cli("self-evaluation", "record", "--unit", "D06", "--problem", "义务教育大班额未消除", "--requirement",
                     "秋季学期前完成分班", "--deadline", "2026-07-31", "--as-of", "2026-05-20", env=_env(seeded))
    assert record.returncode == 0, record.stderr
    assert "2026年自查自评第1项问题已登记" in record.stdout
    moved = _step("self-evaluation-problems", D("2026-07-01"), D("2026-08-10"), runtime)
    assert list(moved) == [D("2026-07-24"), D("2026-08-03")]  # 5 working days before; the first working day after
    [reminder], [urge] = _notices("self_evaluation_reminder"), _notices("self_evaluation_urge")
    assert [name for name, _ in json.loads(reminder.recipients)] == ["区教委"]
    assert [name for name, _ in json.loads(urge.recipients)] == ["区教委", "南岸区政府教育督导室"]
    assert "还有5个工作日" in reminder.body_text and "已过" in urge.body_text
    close = run_cli("self-evaluation", "close", "2026", "1", "--note", "已分班到位", "--as-of", "2026-08-12",
                    env=_env(seeded))
    assert close.returncode == 0, close.stderr
    assert _step("self-evaluation-problems", D("2026-08-12"), D("2026-12-31"), runtime) == {}
    with session_scope() as session:
        row = problem_of(session, 2026, 1)
        events = session.exec(select(AuditEvent.event).where(AuditEvent.entity == "self_evaluation")).all()
        assert (row.stage, row.closed_on, row.close_note) == ("closed", D("2026-08-12"), "已分班到位")
        assert events == ["record", "close"]
        with pytest.raises(InputError, match="已销号"):
            close_problem(session, row, "再次", D("2026-08-13"), actor="x")
    listing = run_cli("self-evaluation", "list", "--year", "2026", env=_env(seeded))
    assert "已销号" in listing.stdout and "义务教育大班额未消除" in listing.stdout


@pytest.mark.parametrize("args, says", [
    (["--unit", "S001"], "没有这个责任单位"),
    (["--unit", "D06", "--deadline", "2026-05-20"], "须晚于登记日"),
])
def test_bad_problems_are_refused_with_one_line(seeded, args, says):
    base = {"--unit": "D06", "--problem": "问题", "--requirement": "要求", "--deadline": "2026-09-30",
            "--as-of": "2026-05-20"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    before = totals(), counts()
    result = run_cli("self-evaluation", "record", *[part for pair in base.items() for part in pair], env=_env(seeded))
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and says in result.stderr
    assert (totals(), counts()) == before


def test_the_problem_list_is_imported_whole_or_not_at_all(seeded, runtime, tmp_path):
    header = ["责任单位代码", "责任单位名称", "问题", "整改要求", "整改期限"]
    bad = [header, ["D06", "区教委", "教师编制不足", "补充编制", "2026-10-31"],
           ["S001", "", "食堂", "整改", "2026-10-31"], ["D11", "", "经费未足额", "足额拨付", "2026-05-01"],
           ["D11", "", "经费未足额", "", "2026-10-31"]]
    before = totals(), counts()
    with pytest.raises(ImportRefused) as refused:
        run_import("self-evaluation-problems", write_xlsx(tmp_path / "bad.xlsx", bad), as_of=D("2026-05-20"))
    lines = [problem.describe() for problem in refused.value.problems]
    assert len(lines) == 3
    assert any("S001" in line and "没有这个责任单位" in line for line in lines)
    assert any("2026-05-01 须晚于登记日" in line for line in lines)
    assert any("整改要求" in line and "5" in line.split(":")[0] for line in lines)  # row 5's empty 整改要求
    assert (totals(), counts()) == before
    with session_scope() as session:
        assert session.exec(select(SelfEvaluationProblem)).all() == []
    good = [header, ["D06", "区教委", "教师编制不足", "补充编制", "2026-10-31"],
            ["D11", "", "经费未足额", "足额拨付", "2026年11月30日"]]
    result = run_import("self-evaluation-problems", write_xlsx(tmp_path / "good.xlsx", good), as_of=D("2026-05-20"),
                        actor="督导室")
    assert result["problems"] == 2
    with session_scope() as session:
        rows = session.exec(select(SelfEvaluationProblem).order_by(SelfEvaluationProblem.seq)).all()
    assert [(r.seq, r.text, r.deadline) for r in rows] == [(1, "教师编制不足", D("2026-10-31")),
                                                           (2, "经费未足额", D("2026-11-30"))]


def test_the_sweep_table_names_the_problems_followed_and_links_the_report(seeded, runtime):
    from tasks.operator.sweep_table import moved_detail

    with session_scope() as session:
        row = record_problem(session, responsible_unit(session, "T01"), "辖区幼儿园普惠性学位不足", "新增学位",
                             D("2026-05-20"), D("2026-05-11"), actor="督导室")
    with session_scope() as session:
        moved = sweep_day(session, D("2026-05-15"), runtime)
    assert moved["self-evaluation"] == 1 and moved["self-evaluation-problems"] == 1  # the reminder
    with session_scope() as session:
        problems = moved_detail(session, "self-evaluation-problems", [row.id], D("2026-05-15"))
        report = moved_detail(session, "self-evaluation", [1], D("2026-05-15"))
    assert "辖区幼儿园普惠性学位不足" in problems and "2026年第1项" in problems
    assert "自查自评报告已报送市督导机构 [" in report


def test_the_report_draws_on_last_years_ledger(seeded, runtime):
    from tests.ladder_support import make_items

    make_items("D06", D("2025-10-31"), 2, issued_on=D("2025-09-15"))
    make_items("S001", D("2025-11-30"), 1, issued_on=D("2025-10-15"))
    assert _step("self-evaluation", D("2026-05-15"), D("2026-05-15"), runtime) == {D("2026-05-15"): [1]}
    [notice] = _notices("self_evaluation_report")
    assert "共督导2个单位，发现问题3个，下达整改事项3项" in notice.body_text and "未评定43个" in notice.body_text
    assert "截至报告之日，自查未登记问题" in notice.body_text
