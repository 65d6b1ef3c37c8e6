"""A unit's self-assessment (自评) handed in: the window it may be handed in (after the 督导通知书, before the visit
and by `Inspection.self_assessment_due`, the policy's `self_assessment_workdays_before_visit` working days before
it), every score read and checked against its indicator, then the stage moved and the score sheet written.

`hand_in_self_assessment` is the one write: the import (`dudao import self-assessment`, which the office uses
for a sheet handed in on paper, late or not) and the portal's form both call it. `submit_self_assessment` is
the unit's own door: it checks the window and the deadline and reads what was typed."""

from datetime import date

from sqlmodel import Session

from core.errors import InputError
from models import Inspection, Unit
from models.lifecycles import INSPECTION, InspectionStage, allowed_events
from rules.free_text import text_problem
from rules.indicators import Framework, Item, Registry
from rules.policy import ScoringPolicy
from rules.runtime import Runtime
from rules.scoring import SheetResult, score_problem
from tasks.cycle.responses import receive_self_assessment
from tasks.cycle.scores import SELF, framework_for, record_scores

MAX_SCORE_CHARS = 12  # "12.5" is four: more is not a score
MAX_NOTE = 1000  # characters of a 说明, as in the import's 说明 column


class SelfAssessmentRefused(InputError):
    """The sheet cannot be handed in; `problems` lists every reason, in Chinese, each naming its indicator."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


def window_problem(inspection: Inspection, as_of: date) -> str | None:
    """Why the unit cannot hand in its self-assessment of `inspection` on `as_of` (in Chinese), or None."""
    if inspection.self_assessment_on is not None:
        return f"督导 {inspection.code} 的自评已于 {inspection.self_assessment_on} 报送，不能再次报送。"
    if "receive_self_assessment" not in allowed_events(inspection):
        stage = INSPECTION.labels.get(InspectionStage(inspection.stage), inspection.stage)
        return (f"督导 {inspection.code} 当前为“{stage}”阶段：自评在督导通知书下达后、实地督导前报送。")
    if inspection.self_assessment_due is not None and as_of > inspection.self_assessment_due:
        return (f"督导 {inspection.code} 的自评报送期限 {inspection.self_assessment_due} 已过（今天 {as_of}），"
                "未作任何处理。如有特殊情况请联系督导室。")
    return None


def _where(framework: Framework, code: str) -> str:
    entry = framework.entry(code)
    return f"指标 {code}（{entry.item.text}）"


def read_scores(framework: Framework, typed: dict[str, str]) -> tuple[dict[str, float], list[str]]:
    """Every item's typed score as a number, and a problem for each one missing, not a number or out of range."""
    scores, problems = {}, []
    for entry in framework.entries():
        code, value = entry.item.code, (typed.get(entry.item.code) or "").strip()
        if not value:
            problems.append(f"{_where(framework, code)}：未填写得分")
            continue
        number, reason = _score(entry.item, value)
        if reason:
            problems.append(f"{_where(framework, code)}：得分{reason}")
        else:
            scores[code] = number
    return scores, problems


def _score(item: Item, value: str) -> tuple[float | None, str | None]:
    if len(value) > MAX_SCORE_CHARS:
        return None, f"过长（最多 {MAX_SCORE_CHARS} 个字符）"
    try:
        number = float(value)
    except ValueError:
        return None, f"“{value}”不是数字"
    return number, score_problem(item, number)


def note_problems(framework: Framework, notes: dict[str, str]) -> list[str]:
    """A problem for each 说明 too long or holding a control character, naming its indicator."""
    problems = []
    for code, note in notes.items():
        if note and framework.entry(code) is not None:
            problem = text_problem(note, "说明", MAX_NOTE)
            if problem:
                problems.append(f"{_where(framework, code)}：{problem}")
    return problems


def hand_in_self_assessment(session: Session, *, inspection: Inspection, framework: Framework,
                            scores: dict[str, float], notes: dict[str, str], as_of: date, policy: ScoringPolicy,
                            actor: str) -> SheetResult:
    """The self-assessment received (stage moved, audited) and its score sheet written, in the caller's
    transaction; IllegalTransition/StaleTransition when the stage does not allow it (or moved meanwhile)."""
    receive_self_assessment(session, inspection, as_of, actor=actor)
    return record_scores(session, inspection=inspection, framework=framework, source=SELF, scores=scores,
                         notes=notes, as_of=as_of, actor=actor, policy=policy)


def sheet_framework(session: Session, inspection: Inspection, unit: Unit, as_of: date,
                    frameworks: Registry | None = None) -> Framework:
    """The framework the inspection is scored on; InputError when it has none (a theme without indicators)."""
    framework = framework_for(session, inspection, unit, as_of, frameworks)
    if framework is None:
        raise InputError(f"督导 {inspection.code} 没有评价指标体系，无需报送自评表。")
    return framework


def submit_self_assessment(session: Session, *, inspection: Inspection, unit: Unit, typed: dict[str, str],
                           notes: dict[str, str], as_of: date, rt: Runtime, actor: str) -> SheetResult:
    """The unit's own hand-in: the window and deadline, every score and 说明 checked (SelfAssessmentRefused
    listing them all, nothing written), then `hand_in_self_assessment`."""
    problem = window_problem(inspection, as_of)
    if problem:
        raise SelfAssessmentRefused([problem])
    framework = sheet_framework(session, inspection, unit, as_of)
    scores, problems = read_scores(framework, typed)
    notes = {code: note.strip() for code, note in notes.items() if note.strip() and framework.entry(code)}
    problems += note_problems(framework, notes)
    if problems:
        raise SelfAssessmentRefused(problems)
    return hand_in_self_assessment(session, inspection=inspection, framework=framework, scores=scores, notes=notes,
                                   as_of=as_of, policy=rt.policy.scoring, actor=actor)
