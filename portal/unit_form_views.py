"""What a signed-in unit's inspection page shows: its self-assessment form (or the sheet handed in), its findings
with their 申辩, and its 复核 request. Every open/closed decision is the task function's own check
(tasks/cycle: window_problem, rebuttal_problem, request_problem), so the page offers a form exactly when the
step would be taken."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from core.errors import InputError
from models import Finding, Inspection, ItemScore, ReviewRequest, Unit
from models.lifecycles import InspectionStage
from rules.indicators import Entry, Framework
from rules.runtime import Runtime
from tasks.cycle.rebuttals import DECISION_LABELS, MAX_REASON, rebuttal_problem
from tasks.cycle.review import request_problem
from tasks.cycle.scores import SELF, framework_for
from tasks.cycle.self_assessment import MAX_NOTE, MAX_SCORE_CHARS, window_problem
from tasks.cycle.self_assessment_drafts import load_draft

BEFORE_FINDINGS = {InspectionStage.PLANNED, InspectionStage.NOTIFIED, InspectionStage.SELF_ASSESSMENT,
                   InspectionStage.ONSITE}
REVIEW_LABELS = {"pending": "待决定", "upheld": "复核成立", "dismissed": "复核不成立"}


@dataclass(frozen=True)
class SheetRow:
    entry: Entry
    score: str  # as typed (a draft) or as recorded
    note: str


@dataclass(frozen=True)
class FindingRow:
    finding: Finding
    open: bool  # the unit may state its 申辩 now
    decision: str  # the 申辩's state in Chinese ("" when none)


def _framework(session: Session, inspection: Inspection, unit: Unit, today: date) -> Framework | None:
    try:
        return framework_for(session, inspection, unit, today)
    except InputError:  # the pinned version's file is gone: nothing to fill in or show
        return None


def _recorded(session: Session, inspection_id: int) -> tuple[dict[str, str], dict[str, str]]:
    rows = session.exec(select(ItemScore).where(ItemScore.inspection_id == inspection_id,
                                                ItemScore.source == SELF)).all()
    return {r.item_code: f"{r.score:g}" for r in rows}, {r.item_code: r.note for r in rows if r.note}


def self_assessment(session: Session, inspection: Inspection, unit: Unit, today: date,
                    typed: tuple[dict[str, str], dict[str, str]] | None = None) -> dict | None:
    """The form (open), the sheet handed in, or why it is closed; None when the inspection has no sheet or its
    time has passed without one (an inspection visited before the unit handed one in).
    `typed`: what the unit just posted (a refused form shows it again)."""
    awaited = inspection.stage == InspectionStage.NOTIFIED  # open, or closed by its deadline: say so
    framework = _framework(session, inspection, unit, today)
    if framework is None or not (awaited or inspection.self_assessment_on is not None):
        return None
    problem = window_problem(inspection, today)
    draft = load_draft(session, inspection.id)
    if inspection.self_assessment_on is not None:
        scores, notes = _recorded(session, inspection.id)
    else:
        scores, notes = typed or (draft.scores, draft.notes)
    rows = [SheetRow(entry, scores.get(entry.item.code, ""), notes.get(entry.item.code, ""))
            for entry in framework.entries()]
    return {"framework": framework, "rows": rows, "open": problem is None, "closed_reason": problem or "",
            "due": inspection.self_assessment_due, "saved_at": draft.saved_at,
            "submitted_on": inspection.self_assessment_on, "max_note": MAX_NOTE, "max_score": MAX_SCORE_CHARS}


def findings(session: Session, inspection: Inspection, today: date) -> list[FindingRow]:
    """The inspection's findings once fed back to the unit, each with its 申辩."""
    if inspection.stage in BEFORE_FINDINGS:
        return []
    rows = session.exec(select(Finding).where(Finding.inspection_id == inspection.id).order_by(Finding.seq)).all()
    return [FindingRow(f, rebuttal_problem(f, inspection, today) is None,
                       DECISION_LABELS.get(f.rebuttal_decision, "") if f.rebuttal_decision else "") for f in rows]


def review(session: Session, inspection: Inspection, today: date, rt: Runtime) -> dict:
    request = session.exec(select(ReviewRequest).where(ReviewRequest.inspection_id == inspection.id)).first()
    return {"request": request, "open": request_problem(session, inspection, today, rt) is None,
            "label": REVIEW_LABELS.get(request.decision, request.decision) if request else ""}


def inspection_page(session: Session, inspection: Inspection, today: date, rt: Runtime,
                    typed: tuple[dict[str, str], dict[str, str]] | None = None) -> dict:
    unit = session.get(Unit, inspection.unit_id)
    return {"inspection": inspection, "sheet": self_assessment(session, inspection, unit, today, typed),
            "findings": findings(session, inspection, today), "review": review(session, inspection, today, rt),
            "max_reason": MAX_REASON}
