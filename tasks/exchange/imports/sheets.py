"""Score sheets from a file: the unit's self-assessment (自评) and the inspectors' on-site scores and findings.

One file may hold the sheets of several inspections. Each inspection's sheet must score every item of its
framework once; a findings file may add rows that only describe a problem (发现问题) against an item.
Writing goes through tasks.cycle.self_assessment (the portal's 自评 form too), tasks.cycle.responses and
tasks.cycle.scores, so the lifecycle and the audit are the usual ones.
"""

from dataclasses import dataclass, field

from sqlmodel import select

from models import Inspection, Unit
from models.lifecycles import allowed_events
from rules.emergency_deadline import finding_deadline_problem
from rules.indicators import Framework
from rules.scoring import missing_items, score_problem
from tasks.cycle.responses import FindingInput, record_visit
from tasks.cycle.scores import ONSITE, SELF, framework_for, record_scores
from tasks.cycle.self_assessment import MAX_NOTE, hand_in_self_assessment
from tasks.exchange.imports.cells import (
    CODE,
    INSPECTION_CODE,
    ITEM_CODE,
    Column,
    Row,
    a_date,
    choice,
    number,
    pattern,
    text,
)
from tasks.exchange.imports.context import Context
from tasks.exchange.imports.problems import Problems

SEVERITY = {"一般": "general", "严重": "serious", "违法": "illegal"}  # 违法: referred at once (移交执法)
_LEAD = [
    Column("督导编号", "inspection", pattern(INSPECTION_CODE, "督导编号（如 2026-ZH-001）"),
           hint="督导通知书上的督导编号，如 2026-ZH-001"),
    Column("单位代码", "unit", pattern(CODE, "单位代码（如 S001）"), required=False, blank_ok=True,
           hint="被督导单位代码，与督导编号核对"),
    Column("单位名称"), Column("重点内容"), Column("关键指标"),
]
SELF_COLUMNS = [
    *_LEAD,
    Column("指标代码", "item", pattern(ITEM_CODE, "指标代码（如 B1.1）"), hint="考查要点代码，如 B1.1"),
    Column("考查要点"), Column("分值"),
    Column("得分", "score", number, hint="0 至该项分值，可为 0.5 分"),
    Column("说明", "note", text(MAX_NOTE), required=False, blank_ok=True, hint="佐证材料或说明"),
]
FINDINGS_COLUMNS = [
    *_LEAD,
    Column("指标代码", "item", pattern(ITEM_CODE, "指标代码（如 B1.1）"), blank_ok=True,
           hint="考查要点代码，如 B1.1；无评价指标的专项督导留空"),
    Column("考查要点"), Column("分值"),
    Column("得分", "score", number, blank_ok=True, hint="每个考查要点一次；仅补充问题的行留空"),
    Column("评分说明", "note", text(MAX_NOTE), required=False, blank_ok=True,
           hint="督学对该项得分的说明，如扣分理由、查阅的佐证；随得分填写"),
    Column("发现问题", "finding", text(1000), required=False, blank_ok=True, hint="每行一个问题；同一考查要点有多个问题时另起一行"),
    Column("问题性质", "severity", choice(SEVERITY), required=False, blank_ok=True, hint="一般（默认）、严重，或 违法（违法办学、师德失范等，即移交执法部门）"),
    Column("整改要求", "requirement", text(1000), required=False, blank_ok=True,
           hint="督学对该问题提出的整改要求，写入督导意见书；留空则用通用表述"),
    Column("整改期限", "deadline", a_date, required=False, blank_ok=True,
           hint="该问题的整改期限，如 2026-06-30，须晚于督导意见书下达日；留空则按政策期限"),
]


@dataclass
class Sheet:
    inspection: Inspection
    unit: Unit
    framework: Framework | None
    scores: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    findings: list[FindingInput] = field(default_factory=list)
    context: Context | None = None


def validate_sheets(ctx: Context, rows: list[Row], problems: Problems, source: str) -> list[Sheet]:
    """One sheet per inspection named in the file, each checked whole; problems for everything amiss."""
    groups: dict[str, list[Row]] = {}
    for row in rows:
        if row.good("inspection"):
            groups.setdefault(row.values["inspection"], []).append(row)
    known = _inspections(ctx, list(groups))
    sheets = []
    for code, group in groups.items():
        sheet = _open_sheet(ctx, code, group, known.get(code), problems, source)
        if sheet is not None:
            _fill(sheet, group, problems, source)
            sheets.append(sheet)
    return sheets


def _inspections(ctx: Context, codes: list[str]) -> dict[str, tuple[Inspection, Unit]]:
    rows = ctx.session.exec(select(Inspection, Unit).join(Unit, Unit.id == Inspection.unit_id).where(
        Inspection.code.in_(codes))).all()
    return {inspection.code: (inspection, unit) for inspection, unit in rows}


def _open_sheet(ctx: Context, code: str, group: list[Row], found: tuple[Inspection, Unit] | None,
                problems: Problems, source: str) -> Sheet | None:
    first, column = group[0].number, group[0].at("inspection")
    if found is None:
        problems.add(first, column, f"台账中没有督导“{code}”（共 {len(group)} 行）")
        return None
    inspection, unit = found
    for row in group:
        if row.values["unit"] not in (None, unit.code):
            problems.add(row.number, row.at("unit"),
                         f"督导 {code} 的被督导单位是 {unit.code}，不是 {row.values['unit']}")
    expected = {"receive_self_assessment"} if source == SELF else {"visit", "visit_unannounced"}
    if not expected & set(allowed_events(inspection)):
        what = "自评材料在通知之后、实地督导之前接收" if source == SELF \
            else "督导发现在实地督导时接收，只接收一次"
        problems.add(first, column, f"督导 {code} 处于“{inspection.stage}”阶段：{what}")
        return None
    framework = framework_for(ctx.session, inspection, unit, ctx.as_of, ctx.frameworks)
    if framework is None and source == SELF:
        problems.add(first, column, f"督导 {code}（{inspection.kind}）没有指标体系")
        return None
    return Sheet(inspection, unit, framework, context=ctx)


def _fill(sheet: Sheet, group: list[Row], problems: Problems, source: str) -> None:
    first_at: dict[str, int] = {}
    excused: set[str | None] = set()  # items on rows with bad cells: reported already, not "missing"
    for row in group:
        item, score, finding = row.values["item"], row.values["score"], row.values.get("finding")
        if not row.good():
            _check_bad_row(sheet, row, problems, excused)
            continue
        if source == ONSITE and not _row_has_content(sheet, row, problems):
            continue
        if item is not None and _known_item(sheet, row, problems) and score is not None:
            _score(sheet, row, first_at, problems)
        if row.values.get("note") and score is None:
            problems.add(row.number, row.at("note"), "评分说明须随该考查要点的得分填写")
        if finding:
            sheet.findings.append(_finding(sheet, row, item, problems))
        elif row.values.get("requirement") or row.values.get("deadline"):
            problems.add(row.number, row.at("finding"), "整改要求或整改期限须随一个发现问题填写")
    if sheet.framework is not None and None not in excused:
        missing = [code for code in missing_items(sheet.framework, sheet.scores) if code not in excused]
        if missing:
            problems.add(group[0].number, group[0].at("item"), f"督导 {sheet.inspection.code}：{len(missing)} 个"
                                                               f"考查要点没有得分："
                                                               f"{'、'.join(missing[:12])}")


def _finding(sheet: Sheet, row: Row, item: str | None, problems: Problems) -> FindingInput:
    """The row's finding with the inspector's own 整改要求 and 整改期限, the deadline checked against the day the
    督导意见书 can be issued after today's visit."""
    deadline, ctx = row.values.get("deadline"), sheet.context
    if deadline is not None:
        problem = finding_deadline_problem(deadline, visit_on=ctx.as_of, emergency=sheet.inspection.kind == "emergency",
                                           calendar=ctx.rt.calendar, policy=ctx.rt.policy.inspection)
        if problem:
            problems.add(row.number, row.at("deadline"), problem)
    return FindingInput(_area_of(sheet, item), row.values["finding"], row.values.get("severity") or "general",
                        row.values.get("requirement") or None, deadline)


def _check_bad_row(sheet: Sheet, row: Row, problems: Problems, excused: set[str | None]) -> None:
    """A row with a bad cell: check what can still be checked (the item), and excuse it from "missing"."""
    item = row.values["item"] if row.good("item") else None
    excused.add(item)
    if item is not None and sheet.framework is not None:
        _known_item(sheet, row, problems)


def _area_of(sheet: Sheet, item: str | None) -> str:
    """A finding belongs to the area of its item; without a framework, to the inspection's theme."""
    entry = sheet.framework.entry(item) if sheet.framework is not None and item else None
    return entry.area.name if entry is not None else (sheet.inspection.theme or "综合")[:50]


def _row_has_content(sheet: Sheet, row: Row, problems: Problems) -> bool:
    values = row.values
    if sheet.framework is None and (values["item"] or values["score"] is not None):
        problems.add(row.number, row.at("item"), f"督导 {sheet.inspection.code} 没有指标体系："
                                                 "指标代码和得分请留空")
        return False
    if sheet.framework is not None and values["item"] is None:
        problems.add(row.number, row.at("item"), "为空；此项必填")
        return False
    if values["score"] is None and not values["finding"]:
        problems.add(row.number, row.at("score"), "为空：请填写得分或发现问题，或两者都填")
        return False
    return True


def _known_item(sheet: Sheet, row: Row, problems: Problems) -> bool:
    code = row.values["item"]
    if sheet.framework.entry(code) is None:
        problems.add(row.number, row.at("item"),
                     f"{sheet.framework.name} {sheet.framework.version} 中没有指标“{code}”")
        return False
    return True


def _score(sheet: Sheet, row: Row, first_at: dict[str, int], problems: Problems) -> None:
    code, value = row.values["item"], row.values["score"]
    if code in first_at:
        problems.add(row.number, row.at("score"),
                     f"考查要点 {code} 重复计分（首次在第 {first_at[code]} 行）")
        return
    reason = score_problem(sheet.framework.entry(code).item, value)
    if reason:
        problems.add(row.number, row.at("score"), reason)
        return
    first_at[code] = row.number
    sheet.scores[code] = value
    if row.values.get("note"):
        sheet.notes[code] = row.values.get("note")


def apply_self_assessments(ctx: Context, sheets: list[Sheet]) -> dict[str, int]:
    for sheet in sheets:
        hand_in_self_assessment(ctx.session, inspection=sheet.inspection, framework=sheet.framework,
                                scores=sheet.scores, notes=sheet.notes, as_of=ctx.as_of, policy=ctx.rt.policy.scoring,
                                actor=ctx.actor)
    return {"inspections": len(sheets), "item scores": sum(len(s.scores) for s in sheets)}


def apply_findings(ctx: Context, sheets: list[Sheet]) -> dict[str, int]:
    for sheet in sheets:
        record_visit(ctx.session, sheet.inspection, sheet.findings, ctx.as_of, ctx.rt, actor=ctx.actor)
        if sheet.framework is not None:
            record_scores(ctx.session, inspection=sheet.inspection, framework=sheet.framework, source=ONSITE,
                          scores=sheet.scores, notes=sheet.notes, as_of=ctx.as_of, actor=ctx.actor,
                          policy=ctx.rt.policy.scoring)
    return {"inspections": len(sheets), "item scores": sum(len(s.scores) for s in sheets),
            "findings": sum(len(s.findings) for s in sheets)}
