"""申辩: the unit states its case against a preliminary finding while the rebuttal window is open
(`Inspection.rebuttal_due`), and the office decides it before the 督导意见书 is issued: upheld withdraws the
finding (it gets no rectification item), dismissed keeps it. The CLI (`dudao rebuttal`), the import
(`dudao import rebuttals`) and the simulation all come here; each checks, writes and audits in the caller's
transaction. A rebuttal still undecided when the 督导意见书 is issued leaves the finding standing."""

from datetime import date

from core.errors import InputError
from models import Finding, Inspection
from models.lifecycles import InspectionStage, Transitions
from tasks.cycle.responses import in_batch

MAX_REASON = 4000  # characters of a 申辩理由, whichever door it comes through
PENDING, UPHELD, DISMISSED = "pending", "upheld", "dismissed"
DECISION_LABELS = {PENDING: "待决定", UPHELD: "申辩成立", DISMISSED: "申辩不成立"}


def rebuttal_problem(finding: Finding, inspection: Inspection, as_of: date) -> str | None:
    """Why the unit cannot rebut this finding on `as_of` (in Chinese), or None."""
    where = f"督导 {inspection.code} 第{finding.seq}项问题"
    if inspection.stage != InspectionStage.PRELIMINARY or inspection.rebuttal_due is None:
        return f"{where}：只能在初步督导意见反馈后、督导意见书下达前申辩（当前阶段 {inspection.stage}）"
    if as_of > inspection.rebuttal_due:
        return f"{where}：申辩期限 {inspection.rebuttal_due} 已过（申辩日 {as_of}）"
    if finding.rebuttal_decision is not None:
        return f"{where}：已申辩过一次（{DECISION_LABELS.get(finding.rebuttal_decision, finding.rebuttal_decision)}）"
    return None


def state_case(session, finding: Finding, inspection: Inspection, reason: str, as_of: date, actor: str,
               batch: Transitions | None = None) -> None:
    """The unit's 申辩 against `finding`; InputError (nothing written) when it is not open to one."""
    reason = reason.strip()
    problem = rebuttal_problem(finding, inspection, as_of) or (None if reason else "申辩须写明理由")
    if problem:
        raise InputError(problem)
    finding.rebutted, finding.rebuttal_reason, finding.rebuttal_decision = True, reason, PENDING
    session.add(finding)
    with in_batch(session, batch) as moves:
        moves.record("finding", finding.id, "rebut", as_of=as_of, actor=actor, detail={"reason": reason})


def decision_problem(finding: Finding, inspection: Inspection) -> str | None:
    """Why the office cannot decide this finding's 申辩 now (in Chinese), or None."""
    where = f"督导 {inspection.code} 第{finding.seq}项问题"
    if finding.rebuttal_decision != PENDING:
        state = "未申辩" if finding.rebuttal_decision is None else f"已决定（{DECISION_LABELS[finding.rebuttal_decision]}）"
        return f"{where}：{state}，没有待决定的申辩"
    if inspection.stage != InspectionStage.PRELIMINARY:
        return f"{where}：督导意见书已下达，申辩须在下达前决定（当前阶段 {inspection.stage}）"
    return None


def decide_rebuttal(session, finding: Finding, inspection: Inspection, upheld: bool, note: str, as_of: date,
                    actor: str, batch: Transitions | None = None) -> None:
    """The office's decision: upheld withdraws the finding, dismissed keeps it; InputError when not pending."""
    note = note.strip()
    problem = decision_problem(finding, inspection) or (None if note else "申辩决定须写明理由")
    if problem:
        raise InputError(problem)
    finding.rebuttal_decision, finding.rebuttal_note, finding.withdrawn = UPHELD if upheld else DISMISSED, note, upheld
    session.add(finding)
    with in_batch(session, batch) as moves:
        moves.record("finding", finding.id, "rebuttal_decision", as_of=as_of, actor=actor,
                     detail={"upheld": upheld, "note": note})
