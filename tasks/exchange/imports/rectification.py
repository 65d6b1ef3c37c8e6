"""Rectification reports (整改报告) from a file: one row per rectification item, named by the inspection's
code and the problem's number (问题序号) as the 督导意见书 lists them. Each goes through
tasks.cycle.responses.submit_rectification, so the item's lifecycle and audit are the usual ones."""

from dataclasses import dataclass

from sqlmodel import select

from models import Finding, Inspection, RectificationItem, Unit
from models.lifecycles import allowed_events
from tasks.cycle.responses import submit_rectification
from tasks.exchange.imports.cells import INSPECTION_CODE, Column, Row, pattern, text, whole_number
from tasks.exchange.imports.context import Context
from tasks.exchange.imports.problems import Problems

COLUMNS = [
    Column("督导编号", "inspection", pattern(INSPECTION_CODE, "督导编号（如 2026-ZH-001）"),
           hint="督导意见书上的督导编号"),
    Column("问题序号", "seq", whole_number, hint="督导意见书所列问题的序号"),
    Column("被督导单位"), Column("问题"), Column("整改决定"), Column("当前期限"),
    Column("整改情况", "text", text(4000), hint="整改措施和结果，注明佐证材料"),
]


@dataclass(frozen=True)
class Report:
    item: RectificationItem
    unit: Unit
    text: str


def validate_reports(ctx: Context, rows: list[Row], problems: Problems) -> list[Report]:
    rows = [row for row in rows if row.good("inspection", "seq")]  # the others are reported already
    items = _items(ctx, {(r.values["inspection"], r.values["seq"]) for r in rows})
    codes = set(ctx.session.exec(select(Inspection.code).where(
        Inspection.code.in_({r.values["inspection"] for r in rows}))).all())
    reports, first_at = [], {}
    for row in rows:
        key = (row.values["inspection"], row.values["seq"])
        found = items.get(key)
        if key[0] not in codes:
            problems.add(row.number, row.at("inspection"), f"台账中没有督导“{key[0]}”")
        elif found is None:
            problems.add(row.number, row.at("seq"), f"督导 {key[0]} 没有第 {key[1]} 项问题的整改事项")
        elif key in first_at:
            problems.add(row.number, row.at("seq"), f"督导 {key[0]} 第 {key[1]} 项问题重复"
                                                    f"（首次在第 {first_at[key]} 行）")
        elif "submit" not in allowed_events(found[0]):
            problems.add(row.number, row.at("seq"), f"督导 {key[0]} 第 {key[1]} 项问题的整改事项处于"
                                                    f"“{found[0].stage}”阶段：整改中的事项才接收整改报告")
        else:
            first_at[key] = row.number
            if row.good():
                reports.append(Report(found[0], found[1], row.values["text"]))
    return reports


def _items(ctx: Context, keys: set[tuple[str, int]]) -> dict[tuple[str, int], tuple[RectificationItem, Unit]]:
    codes = {code for code, _seq in keys}
    rows = ctx.session.exec(select(Inspection.code, Finding.seq, RectificationItem, Unit).join(
        Finding, Finding.id == RectificationItem.finding_id).join(
        Inspection, Inspection.id == RectificationItem.inspection_id).join(
        Unit, Unit.id == RectificationItem.unit_id).where(Inspection.code.in_(codes))).all()
    return {(code, seq): (item, unit) for code, seq, item, unit in rows}


def apply_reports(ctx: Context, reports: list[Report]) -> dict[str, int]:
    for report in reports:
        submit_rectification(ctx.session, report.item, report.text, ctx.as_of, actor=ctx.actor)
    return {"rectification reports": len(reports)}
