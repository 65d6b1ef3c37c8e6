"""约谈 (实施方案 §十三): the 约谈通知书 summons the unit's head for a day and a place; the 约谈记录 is filed with
the unit's superior and district leadership only once the interview took place, with who attended and what
was said. The ladder raises one when an item's 督办 deadline passes (`schedule_for_item`); the office raises
one by hand for a reason of the policy's list (`tasks/ladder/by_hand.py`); the office, the CLI
(`dudao interview record`) and the simulation file the record through `record_interview`."""

from datetime import date

from sqlmodel import Session, select

from core.errors import InputError
from models import Interview, RectificationItem, Unit
from models.lifecycles import record
from rules.runtime import Runtime
from tasks.documents.contexts import doc_no, session_office, superior_of
from tasks.documents.issuing import Paper, issue
from tasks.ladder.papers import head_of, interview_day

OVERDUE = "overdue"  # the reason code of the ladder's 约谈


def schedule_for_item(session: Session, item: RectificationItem, reason: str, as_of: date, rt: Runtime) -> Interview:
    """The ladder's 约谈 of an overdue item, on the day and at the place its 约谈通知书 names."""
    interview = Interview(unit_id=item.unit_id, item_id=item.id, reason_code=OVERDUE, reason=reason, notified_on=as_of,
                          scheduled_on=interview_day(as_of, rt), place=rt.policy.ladder.interview_place)
    session.add(interview)
    return interview


def record_problem(interview: Interview, held_on: date, attendees: str, text: str, as_of: date) -> str | None:
    """Why this record cannot be filed (in Chinese), or None."""
    where = f"约谈 {interview.id}"
    if interview.held_on is not None:
        return f"{where}：约谈记录已于 {interview.held_on} 归档"
    if held_on < interview.notified_on:
        return f"{where}：约谈日期 {held_on} 早于约谈通知书下发日 {interview.notified_on}"
    if held_on > as_of:
        return f"{where}：约谈日期 {held_on} 尚未到来（今天 {as_of}），约谈记录须在约谈之后填写"
    if not attendees.strip():
        return f"{where}：约谈记录须写明参加人员（--attendees）"
    if not text.strip():
        return f"{where}：约谈记录须写明约谈情况（--record）"
    return None


def record_interview(session: Session, interview: Interview, held_on: date, attendees: str, text: str, as_of: date,
                     actor: str) -> None:
    """File the 约谈记录 of an interview that took place; InputError (nothing written) otherwise."""
    problem = record_problem(interview, held_on, attendees, text, as_of)
    if problem:
        raise InputError(problem)
    interview.held_on, interview.attendees, interview.record = held_on, attendees.strip(), text.strip()
    session.add(interview)
    unit = session.get(Unit, interview.unit_id)
    superior, leadership = superior_of(session, unit), session_office(session, "LEADERSHIP")
    recipients = [superior] if superior.id == leadership.id else [superior, leadership]
    item = session.get(RectificationItem, interview.item_id) if interview.item_id else None
    context = {"interview": interview, "unit": unit, "head": head_of(session, unit, held_on), "copy_to": [unit.name],
               "addressees": "，".join(u.name for u in recipients), "superior_name": superior.name,
               "doc_no": doc_no("interview_record", as_of.year, interview.id)}
    issue(session, Paper(key=f"interview:{interview.id}:record", kind="interview_record", context=context,
                         issued_on=as_of, unit=unit, inspection_id=item.inspection_id if item else None,
                         item_id=item.id if item else None, recipients=recipients))
    record(session, "unit", unit.id, "interview_record", as_of=as_of, actor=actor,
           detail={"interview": interview.id, "held_on": held_on, "attendees": interview.attendees})


def interview_of(session: Session, interview_id: int) -> Interview:
    interview = session.get(Interview, interview_id)
    if interview is None:
        raise InputError(f"台账中没有编号为 {interview_id} 的约谈")
    return interview


def interviews_to_record(session: Session, as_of: date) -> list[Interview]:
    """Interviews whose day has come and whose record is not filed yet, in id order."""
    return list(session.exec(select(Interview).where(
        Interview.held_on.is_(None), Interview.scheduled_on <= as_of).order_by(Interview.id)).all())
