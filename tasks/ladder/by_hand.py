"""约谈 and 问责 raised by hand, for a reason of the seed's list other than an overdue item (实施方案 §十三:
拒不接受教育督导, 安全问题较多 …; §十五: 阻挠、干扰和不配合教育督导工作, 履行教育职责评价不合格, 威胁恐吓督导人员 …).
The reasons are policy data (`[hand_raised]`). A 问责 raised by hand counts toward 从重问责 like the ladder's,
and bars the unit from commendation that year. The CLI (`dudao interview raise`, `dudao accountability raise`)
and the web portal to come call these."""

from datetime import date

from sqlmodel import Session, select

from core.errors import InputError
from models import Document, Interview, Unit
from models.lifecycles import record
from rules.runtime import Runtime
from tasks.documents.contexts import doc_no, session_office, superior_of
from tasks.documents.issuing import Paper, issue
from tasks.ladder.papers import accountability_counts, head_of


def unit_of(session: Session, code: str) -> Unit:
    unit = session.exec(select(Unit).where(Unit.code == code)).first()
    if unit is None or unit.kind not in ("school", "department", "town"):
        raise InputError(f"单位代码 {code}：台账中没有这个被督导单位")
    return unit


def reason_problem(reasons: dict[str, str], code: str, what: str) -> str | None:
    """Why `code` is not a reason of the policy's list (in Chinese, listing the codes), or None."""
    if code in reasons:
        return None
    listed = "；".join(f"{key}（{text}）" for key, text in reasons.items())
    return f"{what}事由 {code} 不在政策所列事由中，可选：{listed}"


def reason_text(reasons: dict[str, str], code: str, what: str, note: str) -> str:
    """The seed's words for `code` (with the office's note), or InputError listing the codes."""
    problem = reason_problem(reasons, code, what)
    if problem:
        raise InputError(problem)
    return f"{reasons[code]}（{note.strip()}）" if note.strip() else reasons[code]


def interview_problem(reason_code: str, scheduled_on: date, as_of: date, rt: Runtime) -> str | None:
    """Why a 约谈 cannot be raised so (in Chinese), or None."""
    problem = reason_problem(rt.policy.hand_raised.interview_reasons, reason_code, "约谈")
    if problem is None and scheduled_on < as_of:
        problem = f"约谈日期 {scheduled_on} 早于通知日 {as_of}：约谈须定在今天或以后"
    return problem


def accountability_key(unit: Unit, reason_code: str, as_of: date) -> str:
    return f"unit:{unit.code}:accountability:{reason_code}:{as_of.isoformat()}"


def accountability_problem(session: Session, unit: Unit, reason_code: str, as_of: date, rt: Runtime) -> str | None:
    """Why a 问责 cannot be raised so (in Chinese), or None: a reason outside the list, or the same unit, reason
    and day raised before."""
    problem = reason_problem(rt.policy.hand_raised.accountability_reasons, reason_code, "问责")
    if problem is None and session.exec(select(Document.id).where(
            Document.key == accountability_key(unit, reason_code, as_of))).first() is not None:
        problem = f"单位 {unit.code} 已于 {as_of} 以同一事由（{reason_code}）提出问责建议"
    return problem


def raise_interview(session: Session, unit: Unit, reason_code: str, note: str, scheduled_on: date,
                    place: str | None, as_of: date, rt: Runtime, actor: str) -> Interview:
    """A 约谈通知书 for a day from today on; its record is filed after it (interviews.record_interview)."""
    problem = interview_problem(reason_code, scheduled_on, as_of, rt)
    if problem:
        raise InputError(problem)
    reason = reason_text(rt.policy.hand_raised.interview_reasons, reason_code, "约谈", note)
    interview = Interview(unit_id=unit.id, reason_code=reason_code, reason=reason, notified_on=as_of,
                          scheduled_on=scheduled_on, place=(place or "").strip() or rt.policy.ladder.interview_place)
    session.add(interview)
    session.flush()
    superior = superior_of(session, unit)
    context = {"interview": interview, "unit": unit, "head": head_of(session, unit, as_of), "copy_to": [superior.name],
               "superior_name": superior.name, "doc_no": doc_no("interview", as_of.year, interview.id)}
    issue(session, Paper(key=f"interview:{interview.id}:notice", kind="interview_summons", title="约谈通知书",
                         context=context, issued_on=as_of, unit=unit, recipients=[unit]))
    record(session, "unit", unit.id, "interview", as_of=as_of, actor=actor,
           detail={"interview": interview.id, "reason_code": reason_code, "scheduled_on": scheduled_on,
                   "place": interview.place})
    return interview


def raise_accountability(session: Session, unit: Unit, reason_code: str, note: str, as_of: date, rt: Runtime,
                         actor: str) -> tuple[int, bool]:
    """A 问责建议书 by hand (once per unit, reason and day). Returns the unit's 问责 count in the year with this
    one, and whether that makes it 从重."""
    problem = accountability_problem(session, unit, reason_code, as_of, rt)
    if problem:
        raise InputError(problem)
    reason = reason_text(rt.policy.hand_raised.accountability_reasons, reason_code, "问责", note)
    key = accountability_key(unit, reason_code, as_of)
    session.flush()  # the transaction's earlier events count
    count = accountability_counts(session, {unit.id}, as_of.year)[0][unit.id] + 1
    aggravated = count >= rt.policy.ladder.aggravated_after
    leadership, superior = session_office(session, "LEADERSHIP"), superior_of(session, unit)
    recipients = list({u.id: u for u in (leadership, superior, unit)}.values())
    context = {"unit": unit, "head": head_of(session, unit, as_of), "reason": reason, "private": unit.ownership == "private",
               "aggravated": aggravated, "accountability_count": count, "copy_to": [session_office(session, "COMMITTEE").name],
               "addressees": "，".join(u.name for u in recipients if u.id != unit.id),
               "doc_no": doc_no("accountability", as_of.year, unit.id * 1000 + count)}
    issue(session, Paper(key=key, kind="accountability_hand", title="问责建议书", context=context, issued_on=as_of,
                         unit=unit, recipients=recipients))
    record(session, "unit", unit.id, "accountability", as_of=as_of, actor=actor,
           detail={"reason_code": reason_code, "reason": reason, "accountability_count": count})
    if aggravated:
        record(session, "unit", unit.id, "aggravated", as_of=as_of, actor=actor, to_stage="aggravated",
               detail={"year": as_of.year, "accountability_count": count, "policy": rt.policy.version})
    return count, aggravated
