"""Round trips export template → fill in → import for every kind, the 整改台账 with formula injection
neutralised, a unit's <script> kept as text, the CLI, and scores by area from imports and the simulation."""

import json
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from core.db import session_scope
from models import (
    AuditEvent,
    Finding,
    Inspection,
    InspectionFramework,
    Inspector,
    ItemScore,
    Submission,
    Unit,
)
from rules.runtime import load_runtime
from tasks.cycle.scores import inspection_scores, scores_by_area
from tasks.exchange.exports import export_ledger, write_table
from tasks.exchange.imports import ImportRefused, run_import
from tasks.exchange.imports.templates import export_template
from tests.conftest import run_cli
from tests.exchange_support import (
    AS_OF,
    counts,
    fill,
    make_scene,
    read_csv,
    set_cell,
    template_rows,
    write_csv,
    write_xlsx,
    xlsx_rows,
)

SCRIPT = "<script>alert('dudao')</script>"
FORMULAS = ['=HYPERLINK("http://evil.example","点击")', "+SUM(A1:A9)", "-2+3", "@cmd|' /C calc'!A0"]


@pytest.fixture
def scene(seeded):
    return make_scene()


def _template_xlsx(kind: str, codes: list[str], path):
    with session_scope() as session:
        export_template(session, kind, path, codes, AS_OF)
    return load_workbook(path)


def _events(event: str) -> list[dict]:
    with session_scope() as session:
        return [json.loads(e.detail) for e in session.exec(select(AuditEvent).where(AuditEvent.event == event)).all()]


def test_self_assessment_round_trip_through_xlsx(scene, tmp_path):
    path = tmp_path / "自评表.xlsx"
    workbook = _template_xlsx("self-assessment", [scene["school"]], path)
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert workbook.sheetnames == ["自评表", "填表说明"] and sheet.max_row == 32  # 31 items of the school framework
    for row in sheet.iter_rows(min_row=2):
        row[header.index("得分")].value = row[header.index("分值")].value * 0.8
    sheet.cell(row=2, column=header.index("说明") + 1, value=SCRIPT)
    workbook.save(path)
    result = run_import("self-assessment", path, as_of=AS_OF, actor="S001")
    assert result == {"file": "自评表.xlsx", "encoding": "xlsx", "rows": 31, "inspections": 1, "item scores": 31}
    with session_scope() as session:
        inspection = session.exec(select(Inspection).where(Inspection.code == scene["school"])).one()
        pinned = session.get(InspectionFramework, inspection.id)
        notes = session.exec(select(ItemScore.note).where(ItemScore.note != "")).all()
    assert inspection.stage == "self_assessment" and inspection.self_assessment_on == AS_OF
    assert (pinned.framework, pinned.version) == ("school", "2026.1")
    assert notes == [SCRIPT]
    assert _events("scores:self") == [{"framework": "school 2026.1", "percent": 80.0, "grade": "良好"}]


def test_findings_after_a_boastful_self_assessment_flag_the_gap(scene, tmp_path):
    own = fill(template_rows("self-assessment", [scene["school"]], tmp_path), "得分", lambda r: r["分值"])
    run_import("self-assessment", write_csv(tmp_path / "self.csv", own, "gbk"), as_of=AS_OF)
    rows = fill(template_rows("findings", [scene["school"]], tmp_path), "得分", lambda r: str(float(r["分值"]) * 0.6))
    set_cell(rows, 8, "发现问题", "部分学科课时未按国家课程方案开足开齐")
    rows.append(list(rows[7]))  # a second problem against the same item: no second score
    set_cell(set_cell(rows, len(rows), "得分", ""), len(rows), "发现问题", "课后服务内容单一")
    set_cell(rows, len(rows), "问题性质", "严重")
    result = run_import("findings", write_csv(tmp_path / "findings.csv", rows, "gb18030"),
                        as_of=date(2026, 3, 30), actor="I001")
    assert result["findings"] == 2 and result["item scores"] == 31
    with session_scope() as session:
        found = session.exec(select(Finding.area, Finding.text, Finding.severity).order_by(Finding.id)).all()
        stage = session.exec(select(Inspection.stage).where(Inspection.code == scene["school"])).one()
    assert stage == "onsite"
    assert found[-2:] == [("课程教学", "部分学科课时未按国家课程方案开足开齐", "general"), ("课程教学", "课后服务内容单一", "serious")]
    gap = _events("scores:gap")
    assert gap and gap[0]["areas"]["总分"] == 40.0 and gap[0]["threshold"] == 10
    areas = scores_by_area_now()["school"]["areas"]
    assert [a["name"] for a in areas] == ["办学方向", "课程教学", "教师发展", "学校管理", "学生发展"]
    assert all(a["self"] == 100.0 and a["onsite"] == 60.0 for a in areas)
    with session_scope() as session:
        inspection = session.exec(select(Inspection).where(Inspection.code == scene["school"])).one()
        report = inspection_scores(session, inspection, load_runtime().policy.scoring)
    assert (report["sheets"]["self"].grade, report["sheets"]["onsite"].grade) == ("优秀", "合格")
    assert [g.name for g in report["flagged"]] == [a["name"] for a in areas] + ["总分"]


def test_the_inspectors_scoring_notes_stay_with_the_on_site_scores(scene, tmp_path):
    rows = fill(template_rows("findings", [scene["school"]], tmp_path), "得分", lambda r: r["分值"])
    set_cell(rows, 2, "评分说明", "查阅课表：每周少体育课 1 节")
    rows.append(list(rows[2]))  # a problem-only row may not carry a 评分说明: it has no score to explain
    for column, value in (("得分", ""), ("发现问题", "体育课时不足"), ("评分说明", "没有得分的说明")):
        set_cell(rows, len(rows), column, value)
    with pytest.raises(ImportRefused) as refused:
        run_import("findings", write_csv(tmp_path / "lone.csv", rows), as_of=date(2026, 3, 30))
    assert f"第 {len(rows)} 行，评分说明" in str(refused.value) and "须随该考查要点的得分填写" in str(refused.value)
    set_cell(rows, len(rows), "评分说明", "")
    run_import("findings", write_csv(tmp_path / "findings.csv", rows), as_of=date(2026, 3, 30), actor="I001")
    with session_scope() as session:
        notes = session.exec(select(ItemScore.source, ItemScore.item_code, ItemScore.note)
                             .where(ItemScore.note != "")).all()
    assert notes == [("onsite", rows[1][rows[0].index("指标代码")], "查阅课表：每周少体育课 1 节")]


def scores_by_area_now() -> dict:
    with session_scope() as session:
        return scores_by_area(session, 2026)


def test_findings_of_an_inspection_without_a_framework_need_no_scores(scene, tmp_path):
    with session_scope() as session:
        unit = session.exec(select(Unit).where(Unit.code == "S003")).one()
        session.add(Inspection(code="2026-JJ-001", year=2026, kind="emergency", unit_id=unit.id, theme="校园安全"))
    header = template_rows("findings", ["2026-JJ-001"], tmp_path)[0]
    rows = [header, ["2026-JJ-001", "S003"] + [""] * (len(header) - 2)]
    set_cell(rows, 2, "发现问题", "消防通道堵塞")
    run_import("findings", write_csv(tmp_path / "emergency.csv", rows), as_of=AS_OF)
    with session_scope() as session:
        inspection = session.exec(select(Inspection).where(Inspection.code == "2026-JJ-001")).one()
        found = session.exec(select(Finding.area, Finding.text).where(Finding.inspection_id == inspection.id)).all()
        assert (inspection.stage, found) == ("onsite", [("校园安全", "消防通道堵塞")])
        assert session.exec(select(ItemScore)).first() is None
    scored = set_cell(list(rows), 2, "指标代码", "B1.1")
    with pytest.raises(ImportRefused, match="处于“onsite”阶段"):
        run_import("findings", write_csv(tmp_path / "again.csv", scored), as_of=AS_OF)


def test_rectification_round_trip_from_the_list_of_open_items(scene, tmp_path):
    rows = template_rows("rectification", [], tmp_path)  # no inspection named: every open item
    assert [(r[0], r[1]) for r in rows[1:]] == [(scene["rectifying"], "1"), (scene["rectifying"], "2")]
    fill(rows, "整改情况", lambda r: f"问题{r['问题序号']}已整改：{SCRIPT}")
    result = run_import("rectification", write_csv(tmp_path / "整改报告.csv", rows, "gbk"), as_of=date(2026, 4, 20))
    assert result["rectification reports"] == 2
    with session_scope() as session:
        texts = session.exec(select(Submission.text).order_by(Submission.id)).all()
        events = session.exec(select(AuditEvent.event).where(AuditEvent.entity == "item")).all()
    assert texts == [f"问题1已整改：{SCRIPT}", f"问题2已整改：{SCRIPT}"]
    assert events == ["submit", "submit"]
    assert template_rows("rectification", [], tmp_path)[1:] == []


def test_rosters_round_trip_and_text_stays_as_typed(seeded, tmp_path):
    units = tmp_path / "units.xlsx"
    _template_xlsx("units", [], units)
    rows = xlsx_rows(units)
    rows.append(["S061", f"{SCRIPT}实验学校（示例）", "学校", "初中", "民办", 1200, "D06", "T02", "s061@example.cn",
                 FORMULAS[0], "陈静", date(2026, 9, 1), date(2029, 8, 31)])
    write_xlsx(units, rows)
    assert run_import("units", units, as_of=AS_OF) == {"file": "units.xlsx", "encoding": "xlsx", "rows": 1,
                                                      "units": 1, "principals": 1}
    inspectors = tmp_path / "inspectors.csv"
    with session_scope() as session:
        export_template(session, "inspectors", inspectors, [], AS_OF)
    rows = read_csv(inspectors) + [["I033", "周立（示例）", "i033@example.cn", "是", "否", "S061", "2026/9/1",
                                    "2029年8月31日", ""]]
    assert run_import("inspectors", write_csv(inspectors, rows, "gbk"), as_of=AS_OF)["inspectors"] == 1
    with session_scope() as session:
        unit = session.exec(select(Unit).where(Unit.code == "S061")).one()
        inspector = session.exec(select(Inspector).where(Inspector.code == "I033")).one()
    assert unit.name == f"{SCRIPT}实验学校（示例）" and unit.head_name == "陈静" and unit.ownership == "private"
    assert (inspector.full_time, inspector.term_end, inspector.employer_unit_id) == (True, date(2029, 8, 31), unit.id)
    before = counts()
    run_import("units", units, as_of=AS_OF)  # the same roster again: updated in place, nothing added
    assert counts()[0][:3] == before[0][:3]


def _ledger_scene() -> None:
    """Rectification items whose unit and texts begin with formula characters."""
    make_scene()
    with session_scope() as session:
        unit = session.exec(select(Unit).where(Unit.code == "S002")).one()
        unit.name = FORMULAS[3] + SCRIPT
        for finding, text in zip(session.exec(select(Finding).order_by(Finding.seq)).all(), FORMULAS, strict=False):
            finding.text = text
            session.add(finding)
        session.add(unit)


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_the_ledger_neutralises_formulas_and_keeps_script_as_text(seeded, tmp_path, suffix):
    _ledger_scene()
    path = tmp_path / f"台账.{suffix}"
    with session_scope() as session:
        assert export_ledger(session, 2026, path) == 2
    if suffix == "csv":
        rows = read_csv(path)
        assert rows[1][1] == "'" + FORMULAS[3] + SCRIPT and rows[1][3] == "'" + FORMULAS[0]
        return
    workbook = load_workbook(path)
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]] == ["序号", "被督导单位", "督导类别", "问题", "整改决定", "整改期限", "当前期限",
                                           "问责阶梯", "整改状态", "提交日期", "验收日期", "回头看日期"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    # shown as typed (no apostrophe in the text), stored as text with Excel's own quote prefix
    guarded = [sheet["B2"], sheet["D2"], sheet["D3"]]
    assert [c.value for c in guarded] == [FORMULAS[3] + SCRIPT, FORMULAS[0], FORMULAS[1]]
    assert all(c.data_type == "s" and c.quotePrefix for c in guarded)
    assert not sheet["C2"].quotePrefix  # ordinary text is left alone
    assert [sheet["C2"].value, sheet["H2"].value, sheet["I2"].value] == ["年度综合督导", "—", "整改中"]
    assert sheet["F2"].value.date() == date(2026, 4, 30) and sheet["F2"].number_format == "yyyy-mm-dd"


def test_each_formula_lead_reads_back_as_the_text_typed_backend_independent(tmp_path):
    typed = ["-2+3", "+SUM(A1:A9)", "@cmd", "=1+1", "-", "整改-完成", "\tTAB"]
    path = tmp_path / "t.xlsx"
    write_table(path, "表", ["文本"], [[text] for text in typed])
    cells = [row[0] for row in load_workbook(path).worksheets[0].iter_rows(min_row=2)]
    assert [c.value for c in cells] == typed
    assert [c.data_type for c in cells] == ["s"] * len(typed)
    assert [bool(c.quotePrefix) for c in cells] == [True, True, True, True, True, False, True]


def _env(settings):
    return {"DUDAO_VAR_DIR": str(settings.var_dir), "DUDAO_DATABASE_URL": settings.ledger_url}


def test_the_cli_imports_exports_and_refuses_with_one_line_per_problem(scene, seeded, tmp_path):
    template = tmp_path / "self.csv"
    done = run_cli("export", "template", "self-assessment", "--inspection", scene["kindergarten"], "-o",
                   str(template), "--as-of", "2026-03-10", env=_env(seeded))
    assert done.returncode == 0 and "36 prefilled rows" in done.stdout, done.stderr
    rows = fill(read_csv(template), "得分", lambda r: r["分值"])
    set_cell(set_cell(rows, 3, "得分", "满分"), 5, "指标代码", "B0.0")
    bad = run_cli("import", "self-assessment", str(write_csv(tmp_path / "bad.csv", rows, "gbk")),
                  "--as-of", "2026-03-10", env=_env(seeded))
    assert bad.returncode == 2
    lines = bad.stderr.splitlines()
    assert lines[0] == "dudao：错误：bad.csv：3 处问题，未导入任何数据"
    assert lines[1] == "  bad.csv：第 3 行，得分 (I) 列：“满分”不是数字"
    assert lines[2].startswith("  bad.csv：第 5 行，指标代码 (F) 列：")
    assert "中没有指标“B0.0”" in lines[2]
    ok = run_cli("import", "self-assessment", str(write_csv(tmp_path / "ok.csv", fill(rows, "得分", lambda r: "1"))),
                 "--as-of", "2026-03-10", env=_env(seeded))
    assert ok.returncode == 2 and "第 5 行，指标代码 (F) 列" in ok.stderr  # still the unknown indicator
    ledger = run_cli("export", "ledger", "--year", "2026", "-o", str(tmp_path / "l.xlsx"), env=_env(seeded))
    assert ledger.returncode == 0 and "2 items" in ledger.stdout


def test_the_simulation_scores_self_assessments_and_visits(seeded, runtime):
    from models import SimulationRun
    from tasks.simulation.days import plan_day, simulate_day

    with session_scope() as session:
        run = SimulationRun(year=2026, seed=11)
        session.add(run)
        day = plan_day(2026, runtime)
        while day <= date(2026, 3, 27):
            simulate_day(session, run, day, runtime)
            day += timedelta(days=1)
        scored = scores_by_area(session, 2026)
    assert scored["duzheng"]["inspections"]["onsite"] >= 5
    assert all(a["onsite"] is not None and 30 <= a["onsite"] <= 100 for a in scored["duzheng"]["areas"])
    assert scored["duzheng"]["inspections"]["self"] >= 5


def test_an_import_writes_one_audit_event_naming_the_file(scene, tmp_path):
    rows = fill(template_rows("rectification", [scene["rectifying"]], tmp_path), "整改情况", lambda r: "已整改")
    run_import("rectification", write_csv(tmp_path / "r.csv", rows), as_of=AS_OF, actor="S002")
    (event,) = _events("import:rectification")
    assert event["file"] == "r.csv" and event["rows"] == 2 and len(event["sha256"]) == 64
    with pytest.raises(ImportRefused):
        run_import("rectification", write_csv(tmp_path / "r.csv", rows), as_of=AS_OF)
    assert len(_events("import:rectification")) == 1
    assert load_runtime().policy.scoring.self_gap_points == 10
