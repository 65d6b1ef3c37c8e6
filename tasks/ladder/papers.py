"""What each ladder step issues: its documents, their recipients and the context they are rendered with.

reminder and 督办 go to the unit (督办 also to its superior); 约谈 summons the unit's head for a day and place
(its 约谈记录 is filed with the superior unit and district leadership once it took place: interviews.py); 通报 goes to the superior and district leadership with the
recommendation that the unit's leaders be neither commended nor promoted; the 问责建议 goes to district
leadership and the superior (private schools: 撤换负责人, 吊销办学许可证; serious findings: referral).
"""

from collections import Counter
from datetime import date

from sqlmodel import Session, func, select

from models import AuditEvent, Principal, RectificationItem, Unit
from rules.ladder import Due, LadderState
from rules.runtime import Runtime
from tasks.documents.contexts import item_context, session_office, superior_of
from tasks.documents.issuing import Paper


def _unique(units: list[Unit]) -> list[Unit]:
    seen, out = set(), []
    for unit in units:
        if unit.id not in seen:
            seen.add(unit.id)
            out.append(unit)
    return out


def step_papers(session: Session, item: RectificationItem, due: Due, state: LadderState, as_of: date,
                rt: Runtime, aggravated: tuple[int, bool] = (0, False)) -> list[Paper]:
    """The documents of one ladder step, main one first (its notice key decides whether the step is new)."""
    context = item_context(session, item, due.step, as_of)
    unit: Unit = context["unit"]
    superior = superior_of(session, unit)
    leadership = session_office(session, "LEADERSHIP")
    context.update(deadline=state.current_deadline, first_deadline=item.deadline, since=state.ladder_since,
                   policy_version=rt.policy.version, copy_to=[],
                   addressees="，".join(u.name for u in _unique([superior, leadership])))
    if due.step in ("interview", "accountability"):
        context["head"] = head_of(session, unit, as_of)
    base = f"item:{item.id}:"

    def paper(kind: str, recipients: list[Unit], **extra) -> Paper:
        ctx = {**context, **extra}
        if kind != due.step:
            ctx["doc_no"] = item_context(session, item, kind, as_of)["doc_no"]
        key = base + due.key_suffix.replace(due.step, kind, 1)
        return Paper(key=key, kind=kind, context=ctx, issued_on=as_of, unit=unit, inspection_id=item.inspection_id,
                     item_id=item.id, recipients=_unique(recipients))

    if due.step == "reminder":
        return [paper("reminder", [unit], workdays_left=due.workdays_left)]
    if due.step == "urge":
        return [paper("urge", [unit, superior], old_deadline=state.current_deadline, new_deadline=due.new_deadline,
                      copy_to=[superior.name])]
    if due.step == "interview":  # the 约谈记录 follows once the interview took place (tasks/ladder/interviews.py)
        return [paper("interview", [unit], circular_on=due.next_step_on, copy_to=[superior.name],
                      interview_on=interview_day(as_of, rt), place=rt.policy.ladder.interview_place)]
    if due.step == "circular":
        return [paper("circular", [superior, leadership, unit], accountability_on=due.next_step_on,
                      copy_to=[session_office(session, "COMMITTEE").name])]
    count, flagged = aggravated
    return [paper("accountability", [leadership, superior, unit], private=unit.ownership == "private",
                  referral=context["finding"].severity in ("serious", "illegal"), aggravated=flagged, accountability_count=count,
                  copy_to=[session_office(session, "COMMITTEE").name])]


def interview_day(as_of: date, rt: Runtime) -> date:
    """The day a 约谈通知书 issued on `as_of` summons the head for."""
    return rt.calendar.add_workdays(as_of, rt.policy.ladder.interview_notice_workdays)


def head_of(session: Session, unit: Unit, as_of: date) -> str:
    """The unit's head on `as_of`: a school's principal in office, else the head named in the district file."""
    terms = session.info.get(_PRINCIPALS, {}).get(unit.id)
    if terms is None:
        terms = _principal_terms(session, [unit.id]).get(unit.id, [])
    in_office = [(start, name) for start, end, name in terms if start <= as_of <= end]
    return max(in_office, key=lambda term: term[0])[1] if in_office else unit.head_name


def prefetch_principals(session: Session, unit_ids: set[int]) -> None:
    """Read the units' principals in one query per 500 units, for `head_of` in this session."""
    cache = session.info.setdefault(_PRINCIPALS, {})
    missing = sorted(set(unit_ids) - cache.keys())
    for start in range(0, len(missing), 500):
        chunk = missing[start:start + 500]
        terms = _principal_terms(session, chunk)
        cache.update({unit_id: terms.get(unit_id, []) for unit_id in chunk})


def forget_principals(session: Session) -> None:
    """Drop what `prefetch_principals` read (terms change between transactions: appointments, term ends)."""
    session.info.pop(_PRINCIPALS, None)


_PRINCIPALS = "ladder_principals"


def _principal_terms(session: Session, unit_ids: list[int]) -> dict[int, list[tuple[date, date, str]]]:
    terms: dict[int, list] = {}
    for unit_id, start, end, name in session.exec(select(
            Principal.unit_id, Principal.term_start, Principal.term_end, Principal.name).where(
            Principal.unit_id.in_(unit_ids)).order_by(Principal.id)):
        terms.setdefault(unit_id, []).append((start, end, name))
    return terms


def accountability_counts(session: Session, unit_ids: set[int], year: int) -> tuple[Counter, set[tuple[int, int]]]:
    """How many times each unit has been held to account (问责) in `year` so far (flushed audit events only), and
    the (unit id, inspection id) pairs counted. A unit is held to account once per inspection, however many of
    that inspection's items reach 问责, and once per 问责 raised by hand (unit event `accountability`)."""
    pairs: set[tuple[int, int]] = set()
    by_hand: Counter = Counter()
    ids = sorted(unit_ids)
    in_year = (AuditEvent.as_of >= date(year, 1, 1), AuditEvent.as_of <= date(year, 12, 31))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        pairs.update(session.exec(select(RectificationItem.unit_id, RectificationItem.inspection_id).join(
            AuditEvent, AuditEvent.entity_id == RectificationItem.id).where(
            RectificationItem.unit_id.in_(chunk), AuditEvent.entity == "item",
            AuditEvent.event == "ladder:accountability", *in_year).distinct()).all())
        by_hand.update(dict(session.exec(select(AuditEvent.entity_id, func.count()).where(
            AuditEvent.entity == "unit", AuditEvent.event == "accountability", AuditEvent.entity_id.in_(chunk),
            *in_year).group_by(AuditEvent.entity_id)).all()))
    counts = Counter(unit_id for unit_id, _inspection_id in pairs) + by_hand
    return counts, pairs
