"""申辩 and the office's decision on it, the office's review of rectification reports (审核), and 回头看 results from a file: one row per problem, named by the inspection's code and the problem's
number (问题序号) as the 初步督导意见反馈书 and the 督导意见书 list them. Each row goes through the function the
CLI and the simulation call (tasks.cycle.rebuttals.state_case and decide_rebuttal,
tasks.cycle.responses.review_submission,
tasks.cycle.rechecks.recheck_item), checked
here first with the same rules so that a file with any problem writes nothing."""

from dataclasses import dataclass

from sqlmodel import select

from models import Finding, Inspection, RectificationItem, Submission
from models.lifecycles import ItemStage, SubmissionDecision
from tasks.cycle.rebuttals import MAX_REASON, decide_rebuttal, decision_problem, rebuttal_problem, state_case
from tasks.cycle.rechecks import recheck_item, recheck_problem
from tasks.cycle.responses import review_submission
from tasks.exchange.imports.cells import INSPECTION_CODE, Column, Row, choice, pattern, text, whole_number
from tasks.exchange.imports.context import Context
from tasks.exchange.imports.problems import Problems

_LEAD = [
    Column("督导编号", "inspection", pattern(INSPECTION_CODE, "督导编号（如 2026-ZH-001）"),
           hint="初步督导意见反馈书、督导意见书上的督导编号"),
    Column("问题序号", "seq", whole_number, hint="所列问题的序号"),
    Column("被督导单位"), Column("问题"),
]
REBUTTAL_COLUMNS = [*_LEAD, Column("申辩理由", "reason", text(MAX_REASON), hint="申辩的事实和理由，注明佐证材料")]
DECISION_COLUMNS = [
    *_LEAD, Column("申辩理由"),
    Column("申辩决定", "result", choice({"成立": "upheld", "不成立": "dismissed"}),
           hint="成立（撤回该问题，不再列入督导意见书）或 不成立（维持原认定）"),
    Column("决定理由", "note", text(2000), hint="督导室作出决定的理由"),
]
RECHECK_COLUMNS = [
    *_LEAD,
    Column("回头看结果", "result", choice({"通过": "passed", "反弹": "relapse"}), hint="通过（销号）或 反弹（重新整改）"),
    Column("复查说明", "note", text(2000), required=False, blank_ok=True, hint="复查情况"),
]

REVIEW_COLUMNS = [
    *_LEAD,
    Column("审核结果", "result", choice({"通过": "accept", "退回": "reject"}), hint="通过（验收，安排回头看）或 退回（期限照常计算）"),
    Column("审核意见", "reason", text(2000), hint="审核意见或退回理由"),
]


@dataclass(frozen=True)
class Step:
    finding: Finding
    inspection: Inspection
    item: RectificationItem | None
    row: Row


def _named(ctx: Context, rows: list[Row], problems: Problems) -> list[Step]:
    """The rows whose inspection and problem exist, each problem once; a problem for every other row."""
    rows = [row for row in rows if row.good("inspection", "seq")]
    codes = {row.values["inspection"] for row in rows}
    found = {(inspection.code, finding.seq): (finding, inspection, item) for finding, inspection, item in ctx.session.exec(
        select(Finding, Inspection, RectificationItem).join(Inspection, Inspection.id == Finding.inspection_id)
        .join(RectificationItem, RectificationItem.finding_id == Finding.id, isouter=True)
        .where(Inspection.code.in_(codes))).all()}
    known = {code for code, _seq in found} | set(ctx.session.exec(select(Inspection.code).where(
        Inspection.code.in_(codes))).all())
    steps, first_at = [], {}
    for row in rows:
        key = (row.values["inspection"], row.values["seq"])
        if key[0] not in known:
            problems.add(row.number, row.at("inspection"), f"台账中没有督导 {key[0]}")
        elif key not in found:
            problems.add(row.number, row.at("seq"), f"督导 {key[0]} 没有第{key[1]}项问题")
        elif key in first_at:
            problems.add(row.number, row.at("seq"), f"督导 {key[0]} 第{key[1]}项问题重复（首次在第{first_at[key]}行）")
        else:
            first_at[key] = row.number
            steps.append(Step(*found[key], row))
    return steps


def validate_rebuttals(ctx: Context, rows: list[Row], problems: Problems) -> list[Step]:
    steps = []
    for step in _named(ctx, rows, problems):
        problem = rebuttal_problem(step.finding, step.inspection, ctx.as_of)
        if problem:
            problems.add(step.row.number, step.row.at("seq"), problem)
        elif step.row.good():
            steps.append(step)
    return steps


def apply_rebuttals(ctx: Context, steps: list[Step]) -> dict[str, int]:
    for step in steps:
        state_case(ctx.session, step.finding, step.inspection, step.row.values["reason"], ctx.as_of, actor=ctx.actor)
    return {"rebuttals": len(steps)}


def validate_decisions(ctx: Context, rows: list[Row], problems: Problems) -> list[Step]:
    steps = []
    for step in _named(ctx, rows, problems):
        problem = decision_problem(step.finding, step.inspection)
        if problem:
            problems.add(step.row.number, step.row.at("seq"), problem)
        elif step.row.good():
            steps.append(step)
    return steps


def apply_decisions(ctx: Context, steps: list[Step]) -> dict[str, int]:
    upheld = 0
    for step in steps:
        uphold = step.row.values["result"] == "upheld"
        decide_rebuttal(ctx.session, step.finding, step.inspection, uphold, step.row.values["note"], ctx.as_of,
                        actor=ctx.actor)
        upheld += uphold
    return {"decisions": len(steps), "upheld": upheld}


def validate_rechecks(ctx: Context, rows: list[Row], problems: Problems) -> list[Step]:
    steps = []
    for step in _named(ctx, rows, problems):
        problem = ("该问题没有整改事项（申辩成立已撤回，或督导意见书尚未下达）" if step.item is None
                   else recheck_problem(step.item, ctx.as_of))
        if problem:
            problems.add(step.row.number, step.row.at("seq"), problem)
        elif step.row.good():
            steps.append(step)
    return steps


def apply_rechecks(ctx: Context, steps: list[Step]) -> dict[str, int]:
    relapsed = 0
    for step in steps:
        relapse = step.row.values["result"] == "relapse"
        recheck_item(ctx.session, step.item, relapse, ctx.as_of, ctx.rt, actor=ctx.actor,
                     note=step.row.values.get("note") or "")
        relapsed += relapse
    return {"rechecks": len(steps), "relapsed": relapsed}


def _pending_report(ctx: Context, item: RectificationItem) -> Submission | None:
    return ctx.session.exec(select(Submission).where(
        Submission.item_id == item.id, Submission.decision == SubmissionDecision.PENDING)).first()


def validate_reviews(ctx: Context, rows: list[Row], problems: Problems) -> list[tuple[Step, Submission]]:
    reviews = []
    for step in _named(ctx, rows, problems):
        submission = _pending_report(ctx, step.item) if step.item is not None else None
        if step.item is None or step.item.stage != ItemStage.SUBMITTED or submission is None:
            problems.add(step.row.number, step.row.at("seq"), "该问题没有待审核的整改报告")
        elif submission.submitted_on > ctx.as_of:
            problems.add(step.row.number, step.row.at("seq"), f"整改报告 {submission.submitted_on} 才报送，审核日期不能早于它")
        elif step.row.good():
            reviews.append((step, submission))
    return reviews


def apply_reviews(ctx: Context, reviews: list[tuple[Step, Submission]]) -> dict[str, int]:
    accepted = 0
    for step, submission in reviews:
        accept = step.row.values["result"] == "accept"
        review_submission(ctx.session, submission, accept, step.row.values["reason"], ctx.as_of, ctx.rt,
                          actor=ctx.actor, item=step.item)
        accepted += accept
    return {"reviews": len(reviews), "accepted": accepted}
