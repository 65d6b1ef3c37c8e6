"""The self-evaluation's problem list: the office records each problem (from its own self-evaluation or from the
city's feedback on it) with the unit responsible, a 整改要求 and a 整改期限; the sweep reminds the unit before the
deadline and sends it a 督办 (copied to the office) the first working day after it, once each; the office closes
a problem when it is rectified (整改完成销号). The CLI (`dudao self-evaluation record|close`) and the import
(`dudao import self-evaluation-problems`) come here; each checks, writes and audits in the caller's transaction."""

from datetime import date

from sqlmodel import Session, func, select

from core.errors import InputError
from models import SelfEvaluationProblem, Unit
from models.lifecycles import record
from models.queries import office
from models.self_evaluation import CLOSED, OPEN, STAGE_LABELS
from rules.runtime import Runtime
from rules.self_evaluation import problem_overdue_day, problem_reminder_day
from tasks.documents.contexts import doc_no
from tasks.documents.issuing import Paper, issue_many

RESPONSIBLE_KINDS = ("department", "town", "office")  # 成员单位, 镇街, and the offices (督导室 itself)


def responsible_unit(session: Session, code: str) -> Unit:
    unit = session.exec(select(Unit).where(Unit.code == code)).first()
    if unit is None or unit.kind not in RESPONSIBLE_KINDS:
        raise InputError(f"单位代码 {code}：台账中没有这个责任单位（区级部门、镇街或督导机构）")
    return unit


def problem_problem(text: str, requirement: str, deadline: date, as_of: date) -> str | None:
    """Why a problem cannot be recorded so (in Chinese), or None."""
    if not text.strip():
        return "须写明问题"
    if not requirement.strip():
        return "须写明整改要求"
    if deadline <= as_of:
        return f"整改期限 {deadline} 须晚于登记日 {as_of}"
    return None


def record_problem(session: Session, unit: Unit, text: str, requirement: str, deadline: date, as_of: date,
                   actor: str) -> SelfEvaluationProblem:
    """A problem of `as_of`'s year, numbered after the year's last; InputError (nothing written) when bad."""
    problem = problem_problem(text, requirement, deadline, as_of)
    if problem:
        raise InputError(problem)
    session.flush()  # problems recorded earlier in the transaction count for the number
    last = session.exec(select(func.max(SelfEvaluationProblem.seq)).where(
        SelfEvaluationProblem.year == as_of.year)).one() or 0
    row = SelfEvaluationProblem(year=as_of.year, seq=last + 1, unit_id=unit.id, text=text.strip(),
                                requirement=requirement.strip(), deadline=deadline, recorded_on=as_of)
    session.add(row)
    session.flush()
    record(session, "self_evaluation", row.id, "record", as_of=as_of, actor=actor, to_stage=OPEN,
           detail={"year": row.year, "seq": row.seq, "unit": unit.code, "deadline": deadline})
    return row


def problem_of(session: Session, year: int, seq: int) -> SelfEvaluationProblem:
    row = session.exec(select(SelfEvaluationProblem).where(
        SelfEvaluationProblem.year == year, SelfEvaluationProblem.seq == seq)).first()
    if row is None:
        raise InputError(f"{year}年自查自评问题清单没有第{seq}项问题")
    return row


def close_problem(session: Session, row: SelfEvaluationProblem, note: str, as_of: date, actor: str) -> None:
    """整改完成销号; InputError when it is closed already, the day is before it was recorded, or no note."""
    where = f"{row.year}年自查自评第{row.seq}项问题"
    if row.stage != OPEN:
        raise InputError(f"{where}：{STAGE_LABELS[row.stage]}（{row.closed_on}），不能再销号")
    if as_of < row.recorded_on:
        raise InputError(f"{where}：销号日 {as_of} 早于登记日 {row.recorded_on}")
    if not note.strip():
        raise InputError(f"{where}：销号须写明整改情况")
    row.stage, row.closed_on, row.close_note = CLOSED, as_of, note.strip()
    session.add(row)
    record(session, "self_evaluation", row.id, "close", as_of=as_of, actor=actor, from_stage=OPEN,
           to_stage=CLOSED, detail={"note": row.close_note})


def follow_problems(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """Sweep step: remind the unit of each open problem before its deadline, and 督办 it after (copy to the
    office), once each (keyed by the problem and its deadline). Returns the ids of the problems followed today."""
    if not rt.calendar.is_workday(as_of):
        return []
    policy = rt.policy.self_evaluation
    rows = session.exec(select(SelfEvaluationProblem, Unit).join(Unit, Unit.id == SelfEvaluationProblem.unit_id).where(
        SelfEvaluationProblem.stage == OPEN).order_by(SelfEvaluationProblem.id)).all()
    the_office, papers, ids = office(session, "OFFICE"), [], []
    for row, unit in rows:
        if as_of >= problem_overdue_day(row.deadline, rt.calendar):
            kind, recipients = "self_evaluation_urge", list({u.id: u for u in (unit, the_office)}.values())
        elif as_of >= problem_reminder_day(row.deadline, policy, rt.calendar):
            kind, recipients = "self_evaluation_reminder", [unit]
        else:
            continue
        context = {"problem": row, "unit": unit, "copy_to": [], "doc_no": doc_no(kind, as_of.year, row.id),
                   "left": rt.calendar.workdays_between(as_of, row.deadline)}
        papers.append(Paper(key=f"self-evaluation:{row.year}:{row.seq}:{kind.rsplit('_', 1)[-1]}:{row.deadline}",
                            kind=kind, context=context, issued_on=as_of, unit=unit, recipients=recipients))
        ids.append(row.id)
    notices = issue_many(session, papers)
    return [id_ for id_, notice in zip(ids, notices, strict=True) if notice is not None]
