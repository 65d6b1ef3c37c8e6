"""A unit's self-assessment saved as a draft (the portal's 保存草稿) while its window is open: what was typed is
kept as typed, a score not valid yet included, so the unit can come back to it; only the hand-in
(tasks/cycle/self_assessment.py) checks the sheet whole. A draft is refused whole when a value is too long or
holds a control character, and each save is audited with its actor."""

import json
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from core import clock
from models import Inspection, SelfAssessmentDraft
from models.lifecycles import record
from rules.free_text import text_problem
from rules.indicators import Framework
from tasks.cycle.self_assessment import MAX_SCORE_CHARS, SelfAssessmentRefused, note_problems, window_problem


@dataclass(frozen=True)
class Draft:
    scores: dict[str, str]
    notes: dict[str, str]
    saved_at: str  # when last saved, for the page ("" when never)
    submitted_on: date | None


def load_draft(session: Session, inspection_id: int) -> Draft:
    row = session.get(SelfAssessmentDraft, inspection_id)
    if row is None:
        return Draft({}, {}, "", None)
    return Draft(json.loads(row.scores), json.loads(row.notes), f"{row.saved_at:%Y-%m-%d %H:%M}", row.submitted_on)


def kept(framework: Framework, typed: dict[str, str]) -> dict[str, str]:
    """The framework's items only, stripped, blanks dropped (a draft of another form's fields keeps nothing)."""
    return {code: value.strip() for code, value in typed.items()
            if framework.entry(code) is not None and value.strip()}


def draft_problems(framework: Framework, scores: dict[str, str], notes: dict[str, str]) -> list[str]:
    problems = []
    for code, value in scores.items():
        problem = text_problem(value, "得分", MAX_SCORE_CHARS)
        if problem:
            problems.append(f"指标 {code}（{framework.entry(code).item.text}）：{problem}")
    return problems + note_problems(framework, notes)


def save_draft(session: Session, *, inspection: Inspection, framework: Framework, typed: dict[str, str],
               notes: dict[str, str], as_of: date, actor: str) -> SelfAssessmentDraft:
    """Keep what was typed; SelfAssessmentRefused (nothing written) outside the window or on a bad value."""
    problem = window_problem(inspection, as_of)
    if problem:
        raise SelfAssessmentRefused([problem])
    scores, notes = kept(framework, typed), kept(framework, notes)
    problems = draft_problems(framework, scores, notes)
    if problems:
        raise SelfAssessmentRefused(problems)
    row = session.get(SelfAssessmentDraft, inspection.id) or SelfAssessmentDraft(
        inspection_id=inspection.id, unit_id=inspection.unit_id, saved_at=clock.now())
    row.scores, row.notes = json.dumps(scores, ensure_ascii=False), json.dumps(notes, ensure_ascii=False)
    row.saved_at = clock.now()
    session.add(row)
    record(session, "inspection", inspection.id, "self_assessment_draft", as_of=as_of, actor=actor,
           detail={"scored": len(scores), "of": len(framework.entries())})
    return row


def mark_submitted(session: Session, *, inspection: Inspection, typed: dict[str, str], notes: dict[str, str],
                   framework: Framework, as_of: date) -> None:
    """The draft, if any, keeps what was handed in and the day (the score sheet itself is in ItemScore)."""
    row = session.get(SelfAssessmentDraft, inspection.id) or SelfAssessmentDraft(
        inspection_id=inspection.id, unit_id=inspection.unit_id, saved_at=clock.now())
    row.scores = json.dumps(kept(framework, typed), ensure_ascii=False)
    row.notes = json.dumps(kept(framework, notes), ensure_ascii=False)
    row.saved_at, row.submitted_on = clock.now(), as_of
    session.add(row)
