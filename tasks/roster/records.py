"""The inspectors' own records: training hours, appraisal and exit (解聘), and the sweep steps that remind
the office of expiring terms and flag training shortfalls."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session, delete, func, select

from core.errors import InputError
from models import Inspector, Notice
from models.lifecycles import record
from models.planning import InspectorAppraisal, InspectorExit, TrainingRecord, ZoneAssignment
from models.queries import office
from rules.inspectors import term_reminder_due, training_shortfalls
from rules.runtime import Runtime
from tasks.documents.contexts import doc_no, session_office
from tasks.documents.issuing import Paper, issue, was_issued
from tasks.roster.lookups import serving
from tasks.roster.team_upkeep import keep_teams_valid


@dataclass(frozen=True)
class Addressee:
    """A notice recipient who is a person, not a unit (an inspector)."""

    name: str
    email: str


def add_training(session: Session, inspector: Inspector, on: date, hours: float, topic: str) -> TrainingRecord:
    if not 0 < hours <= 24:
        raise InputError(f"{inspector.code} {on} 的培训：{hours} 学时不是一天的培训量")
    row = TrainingRecord(inspector_id=inspector.id, on=on, hours=hours, topic=topic)
    session.add(row)
    return row


def training_report(session: Session, year: int, rt: Runtime) -> list[dict]:
    """Hours per inspector serving in the year, with the shortfall against the yearly requirement."""
    hours = dict(session.exec(select(TrainingRecord.inspector_id, func.sum(TrainingRecord.hours)).where(
        TrainingRecord.on >= date(year, 1, 1), TrainingRecord.on <= date(year, 12, 31)).group_by(
        TrainingRecord.inspector_id)).all())
    required = rt.policy.inspectors.training_hours_per_year
    inspectors = serving(session, date(year, 12, 31)) or serving(session, date(year, 1, 1))
    short = training_shortfalls(hours, [i.id for i in inspectors], required)
    return [{"code": i.code, "name": i.name, "hours": float(hours.get(i.id, 0.0)), "required": required,
             "shortfall": short.get(i.id, 0.0)} for i in inspectors]


def appraise(session: Session, inspector: Inspector, year: int, passed: bool, note: str, as_of: date) -> None:
    """Record the year's appraisal; failing it dismisses the inspector (实施方案 §十八) from the next day."""
    if session.exec(select(InspectorAppraisal.id).where(InspectorAppraisal.inspector_id == inspector.id,
                                                        InspectorAppraisal.year == year)).first():
        raise InputError(f"{inspector.code} 已有 {year} 年度考核")
    session.add(InspectorAppraisal(inspector_id=inspector.id, year=year, result="pass" if passed else "fail",
                                   note=note, decided_on=as_of))
    record(session, "inspector", inspector.id, "appraise", as_of=as_of, actor="operator",
           detail={"year": year, "result": "pass" if passed else "fail"})
    if not passed:
        dismiss(session, inspector, as_of, f"{year}年度考核不合格")


def dismiss(session: Session, inspector: Inspector, as_of: date, reason: str) -> list[str]:
    """解聘: no assignment after `as_of`; the inspector's zone schools wait for a new responsible inspector,
    and the inspections visited after `as_of` get a replacement on their team (tasks/roster/team_upkeep.py).
    Returns the codes of the announced inspections whose team changed."""
    if session.get(InspectorExit, inspector.id) is not None:
        return []
    session.add(InspectorExit(inspector_id=inspector.id, on=as_of, reason=reason))
    session.exec(delete(ZoneAssignment).where(ZoneAssignment.inspector_id == inspector.id))
    session.flush()
    replaced = keep_teams_valid(session, [inspector.id], as_of)  # covert visits are never named
    record(session, "inspector", inspector.id, "dismiss", as_of=as_of, actor="operator",
           detail={"reason": reason, "replaced_on": replaced})
    return replaced


def remind_expiring_terms(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """Sweep step: a 督学聘期届满提醒 to the office (copy to the inspector) once per term, some weeks ahead."""
    days = rt.policy.inspectors.term_reminder_days
    limit = rt.policy.inspectors.max_consecutive_terms
    reminded = []
    # Those not yet reminded, first: the roster (`serving`, every inspector's record) is read only when one
    # is left, not on every day of the weeks in which some term ends (each is reminded once, by its key).
    window = session.exec(select(Inspector.id, Inspector.code, Inspector.term_end).where(
        Inspector.term_end >= as_of, Inspector.term_end <= as_of + timedelta(days=days))).all()
    keys = {inspector_id: _term_end_key(code, term_end) for inspector_id, code, term_end in window
            if term_reminder_due(term_end, as_of, days)}
    sent = set(session.exec(select(Notice.key).where(Notice.key.in_(list(keys.values())))).all()) if keys else set()
    ending = {inspector_id for inspector_id, key in keys.items() if key not in sent}
    for inspector in serving(session, as_of) if ending else []:
        if inspector.id not in ending:
            continue
        the_office = session_office(session, "OFFICE")
        context = {"inspector": inspector, "renewable": inspector.consecutive_terms < limit, "limit": limit,
                   "doc_no": doc_no("term_reminder", as_of.year, inspector.id)}
        notice = issue(session, Paper(key=_term_end_key(inspector.code, inspector.term_end),
                                      kind="term_reminder", context=context, issued_on=as_of, unit=the_office,
                                      title="督学聘期届满提醒",
                                      recipients=[the_office, Addressee(inspector.name, inspector.email)]))
        if notice is not None:
            reminded.append(inspector.id)
    return reminded


def _term_end_key(code: str, term_end: date) -> str:
    return f"inspector:{code}:term-end:{term_end}"


def flag_training_shortfalls(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """Sweep step: on the policy's check day, one notice to the office naming who lacks training hours."""
    check = date.fromisoformat(f"{as_of.year}-{rt.policy.inspectors.training_check_on}")
    key = f"training:{as_of.year}:shortfall"
    if as_of < check or was_issued(session, key):
        return []
    rows = [r for r in training_report(session, as_of.year, rt) if r["shortfall"] > 0]
    if not rows:
        return []
    the_office = office(session, "OFFICE")
    notice = issue(session, Paper(key=key, kind="training_shortfall",
                                  context={"rows": rows, "year": as_of.year,
                                           "doc_no": doc_no("training_shortfall", as_of.year, 1),
                                           "required": rt.policy.inspectors.training_hours_per_year},
                                  issued_on=as_of, unit=the_office, title="督学培训学时不足提示"))
    return [1] if notice is not None else []
