"""Blank files to fill in, one per import kind: the headers `dudao import KIND` expects, and for named
inspections the rows to complete (every item of the inspection's framework, or every open rectification
item) with the codes officials know: 督导编号, 单位代码, 指标代码 (A1 重点内容 → B1 关键指标 → B1.1 考查要点)."""

from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from core.errors import InputError
from models import Finding, Inspection, RectificationItem, Unit
from models.lifecycles import ItemStage
from tasks.cycle.rebuttals import PENDING
from tasks.cycle.scores import framework_for
from tasks.exchange.exports import write_table
from tasks.exchange.imports import KINDS
from tasks.ladder.interviews import interviews_to_record


def export_template(session: Session, kind: str, path: Path, inspection_codes: list[str], as_of: date) -> int:
    """Write the template of `kind` to `path` (.xlsx or .csv). Returns the number of prefilled rows."""
    spec = KINDS[kind]
    headers = [column.header for column in spec.columns]
    rows = [[row.get(h) for h in headers] for row in _prefilled(session, kind, inspection_codes, as_of)]
    widths = [40 if h in ("考查要点", "问题", "整改决定", "整改情况", "发现问题", "说明", "申辩理由", "复查说明", "决定理由", "约谈事由", "参加人员", "约谈情况", "具体情况", "整改要求", "审核意见") else 14 for h in headers]
    return write_table(path, spec.label, headers, rows, widths=widths, notes=instructions(kind))


def instructions(kind: str) -> list[list[str]]:
    lines = [["列", "必填", "说明"]]
    for column in KINDS[kind].columns:
        required = "" if not column.key else ("可空" if column.blank_ok else "必填")
        lines.append([column.header, required, column.hint or ("仅供参考，导入时忽略" if not column.key else "")])
    lines.append(["", "", "第一行为表头，请勿改动；每个错误的单元格都会列出行号、列名和原因，有错误时整个文件不导入。"])
    return lines


def _prefilled(session: Session, kind: str, codes: list[str], as_of: date) -> list[dict]:
    if kind in _OFFICE_STEPS:
        return _OFFICE_STEPS[kind](session, codes, as_of)
    if kind in ("units", "inspectors") or not codes:
        if kind == "rectification" and not codes:
            return _open_items(session, None)
        if kind in ("reviews", "recheck") and not codes:
            return _problems(session, None, kind)
        return []
    found = dict(session.exec(select(Inspection.code, Inspection).where(Inspection.code.in_(codes))).all())
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise InputError(f"台账中没有督导 {'、'.join(unknown)}")
    if kind == "rectification":
        return _open_items(session, [found[c].id for c in codes])
    if kind in ("rebuttals", "reviews", "recheck"):
        return _problems(session, [found[c].id for c in codes], kind)
    rows = []
    for code in codes:
        rows += _sheet_rows(session, found[code], as_of, kind)
    return rows


def _sheet_rows(session: Session, inspection: Inspection, as_of: date, kind: str) -> list[dict]:
    unit = session.get(Unit, inspection.unit_id)
    lead = {"督导编号": inspection.code, "单位代码": unit.code, "单位名称": unit.name}
    framework = framework_for(session, inspection, unit, as_of)
    if framework is None:
        if kind == "self-assessment":
            raise InputError(f"督导 {inspection.code}（{inspection.kind}）没有指标体系")
        return [lead]  # findings only: one row per problem
    return [{**lead, "重点内容": f"{e.area.code} {e.area.name}", "关键指标": f"{e.indicator.code} {e.indicator.name}",
             "指标代码": e.item.code, "考查要点": e.item.text, "分值": e.item.points} for e in framework.entries()]


def _open_items(session: Session, inspection_ids: list[int] | None) -> list[dict]:
    query = select(RectificationItem, Inspection, Unit, Finding).join(
        Inspection, Inspection.id == RectificationItem.inspection_id).join(
        Unit, Unit.id == RectificationItem.unit_id).join(
        Finding, Finding.id == RectificationItem.finding_id).where(RectificationItem.stage == ItemStage.OPEN)
    if inspection_ids is not None:
        query = query.where(RectificationItem.inspection_id.in_(inspection_ids))
    rows = session.exec(query.order_by(Inspection.code, Finding.seq)).all()
    return [{"督导编号": inspection.code, "问题序号": finding.seq, "被督导单位": unit.name, "问题": finding.text,
             "整改决定": item.decision, "当前期限": item.current_deadline}
            for item, inspection, unit, finding in rows]


def _problems(session: Session, inspection_ids: list[int] | None, kind: str) -> list[dict]:
    """申辩: the named inspections' standing findings; 审核: the items whose report awaits review; 回头看: the items
    awaiting it (of the named inspections, or all)."""
    query = select(Finding, Inspection, Unit).join(Inspection, Inspection.id == Finding.inspection_id).join(
        Unit, Unit.id == Inspection.unit_id).where(Finding.withdrawn.is_(False))
    if kind in ("reviews", "recheck"):
        stage = ItemStage.ACCEPTED if kind == "recheck" else ItemStage.SUBMITTED
        query = query.join(RectificationItem, RectificationItem.finding_id == Finding.id).where(
            RectificationItem.stage == stage)
    if inspection_ids is not None:
        query = query.where(Finding.inspection_id.in_(inspection_ids))
    rows = session.exec(query.order_by(Inspection.code, Finding.seq)).all()
    return [{"督导编号": inspection.code, "问题序号": finding.seq, "被督导单位": unit.name, "问题": finding.text}
            for finding, inspection, unit in rows]


def _interviews_to_record(session: Session, _codes: list[str], as_of: date) -> list[dict]:
    """The interviews whose day has come and whose 约谈记录 is not filed yet."""
    interviews = interviews_to_record(session, as_of)
    names = dict(session.exec(select(Unit.id, Unit.name).where(Unit.id.in_({i.unit_id for i in interviews}))).all())
    return [{"约谈编号": i.id, "被约谈单位": names[i.unit_id], "约谈事由": i.reason, "约谈地点": i.place,
             "通知约谈日期": i.scheduled_on} for i in interviews]


def _pending_rebuttals(session: Session, codes: list[str], _as_of: date) -> list[dict]:
    """The 申辩 awaiting the office's decision (of the named inspections, or all)."""
    query = select(Finding, Inspection, Unit).join(Inspection, Inspection.id == Finding.inspection_id).join(
        Unit, Unit.id == Inspection.unit_id).where(Finding.rebuttal_decision == PENDING)
    if codes:
        query = query.where(Inspection.code.in_(codes))
    rows = session.exec(query.order_by(Inspection.code, Finding.seq)).all()
    return [{"督导编号": inspection.code, "问题序号": finding.seq, "被督导单位": unit.name, "问题": finding.text,
             "申辩理由": finding.rebuttal_reason} for finding, inspection, unit in rows]


_OFFICE_STEPS = {  # the office's steps: prefilled from what awaits it, or empty (rows the office writes)
    "interview-records": _interviews_to_record,
    "rebuttal-decisions": _pending_rebuttals,
    "hand-raised": lambda _session, _codes, _as_of: [],
    "self-evaluation-problems": lambda _session, _codes, _as_of: [],
}
