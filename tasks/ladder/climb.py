"""The ladder step of the daily sweep: reminders, 督办, 约谈, 通报 and 问责建议 for overdue rectification items.

The sweep reads only open items whose `next_action_on` has come (a range scan on (stage, next_action_on)),
or which have no plan yet (new or reopened items): an item whose reminder went out is not read again until
its next step can be due, so the cost grows with the items due that day, not with the open ones.

Each item moves by an event of the ladder's declaration (models/lifecycles/ladder.py), a conditional UPDATE
that names the state it was read in: if another sweep of the same day moved it first (or the unit handed in
a report meanwhile) the UPDATE matches no row and this sweep issues nothing for it. Documents, notices and
audit events are written in the caller's transaction.
"""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from models import Finding, Inspection, RectificationItem, Unit
from models.lifecycles import LADDER, ItemStage, StaleTransition, audit_row, move, record_rows
from models.lifecycles.ladder import ISSUING, climbing
from rules.ladder import STEPS, TOP, Due, LadderState, advance, due_step, next_action_on
from rules.runtime import Runtime
from tasks.documents.issuing import Paper, issue_many
from tasks.ladder.interviews import schedule_for_item
from tasks.ladder.issue_levels import start_escalation
from tasks.ladder.papers import accountability_counts, forget_principals, prefetch_principals, step_papers

_READ = ("stage", "current_deadline", "next_action_on")  # with the step: the state a claim was read in
_CHUNK = 500


def select_due_items(session: Session, as_of: date) -> list[RectificationItem]:
    """Open items the ladder must look at on `as_of`: planned for that day or earlier, or not planned yet.

    An item at the top of the ladder (问责建议 issued) has no plan either — nothing more will ever be due for
    it — but it is not read: it would be claimed again every working day for nothing (at 300 schools 7,800
    such reads a year beside 1,500 that moved an item, and growing as the year goes on)."""
    open_ = RectificationItem.stage == ItemStage.OPEN
    due = session.exec(select(RectificationItem).where(open_, RectificationItem.next_action_on <= as_of)).all()
    new = session.exec(select(RectificationItem).where(
        open_, RectificationItem.next_action_on.is_(None), RectificationItem.ladder_step.not_in(STEPS[TOP:]))).all()
    return sorted([*due, *new], key=lambda item: item.id)


def climb_ladder(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """Issue what the ladder asks of each due item today. Returns the ids of the items that moved a step."""
    if not rt.calendar.is_workday(as_of):  # official documents are dated on working days
        return []
    items = select_due_items(session, as_of)
    related = _prefetch(session, items)  # held: the identity map keeps only weak references
    prefetch_principals(session, {item.unit_id for item in items})
    try:
        return climb_items(session, items, as_of, rt)
    finally:
        forget_principals(session)
        del related


@dataclass
class _Step:
    """One item's step of the day, claimed and ready to issue."""

    item: RectificationItem
    due: Due
    state: LadderState
    papers: list[Paper]
    aggravated: tuple[int, bool, bool]  # the unit's 问责 count in the year, aggravated, newly counted


def climb_items(session: Session, items: list[RectificationItem], as_of: date, rt: Runtime) -> list[int]:
    """Claim each item's step, issue the papers of _CHUNK items as one batch, then record each step that was new
    (in chunks, so that memory holds one chunk's rendered papers, not the day's)."""
    session.flush()  # the transaction's earlier audit events count for the 问责 tally below
    moved: list[int] = []
    with session.no_autoflush:
        tally = _AccountabilityTally(session, items, as_of.year, rt)
        for start in range(0, len(items), _CHUNK):
            chunk = items[start:start + _CHUNK]
            steps = [step for item in chunk if (step := _claim_step(session, item, as_of, rt, tally)) is not None]
            notice_ids = issue_many(session, [paper for step in steps for paper in step.papers])
            new = [step for step, first in zip(steps, _firsts(steps, notice_ids), strict=True) if first is not None]
            record_rows(session, [row for step in new for row in _step_audit(session, step, as_of, rt)])
            moved += [step.item.id for step in new]
    return moved


def _firsts(steps: list[_Step], notice_ids: list[int | None]) -> list[int | None]:
    """The notice id of each step's main paper (None: issued before, so the step is not new)."""
    firsts, at = [], 0
    for step in steps:
        firsts.append(notice_ids[at])
        at += len(step.papers)
    return firsts


def _claim_step(session: Session, item: RectificationItem, as_of: date, rt: Runtime,
                tally: "_AccountabilityTally") -> _Step | None:
    """Move the item to its plan for today; the step to issue, if one is due and the claim held."""
    state = state_of(item)
    due = due_step(state, as_of, rt.policy.ladder, rt.calendar)
    after = advance(state, due, as_of) if due is not None else state
    plan = next_action_on(after, as_of, rt.policy.ladder, rt.calendar)
    if not _claim(session, item, due, after, plan) or due is None:
        return None  # nothing due, or another sweep (or the unit's report) got there first
    aggravated = tally.add(item.unit_id, item.inspection_id) if due.step == "accountability" else (0, False, False)
    return _Step(item, due, state, step_papers(session, item, due, state, as_of, rt, aggravated[:2]), aggravated)


def state_of(item: RectificationItem) -> LadderState:
    return LadderState(item.stage, item.current_deadline, item.ladder_step, item.ladder_since, item.step_due_on)


def _claim(session: Session, item: RectificationItem, due: Due | None, after: LadderState,
           plan: date | None) -> bool:
    """Move the item from the state it was read in (open, its step, deadline and plan) to its new plan; False
    if it is no longer in that state."""
    values = {"ladder_step": after.ladder_step, "ladder_since": after.ladder_since,
              "current_deadline": after.current_deadline, "step_due_on": after.step_due_on, "next_action_on": plan}
    event = "plan" if due is None else ISSUING[due.step]
    if not climbing(item):  # read open from the table, but this session holds it otherwise: not ours to move
        return False
    try:  # the step's audit event waits for its papers: a step issued before is not new and records nothing
        move(session, LADDER, item, event, read=_READ, values=values)
    except StaleTransition:
        return False
    return True


def _step_audit(session: Session, step: _Step, as_of: date, rt: Runtime) -> list[dict]:
    """The step's audit rows, and what the step sets off (四级议题上报 at 约谈, the aggravated flag)."""
    item, due, state = step.item, step.due, step.state
    rows = [audit_row("item", item.id, f"ladder:{due.step}", as_of=as_of, from_stage=state.ladder_step,
                      to_stage=item.ladder_step, detail={
                          "key": step.papers[0].key, "deadline": state.current_deadline,
                          "new_deadline": due.new_deadline, "next_step_on": due.next_step_on,
                          "policy": rt.policy.version})]
    if due.step == "interview":  # a unit that reached 约谈 cannot resolve the issue alone: 四级议题上报
        finding = session.get(Finding, item.finding_id)
        schedule_for_item(session, item, f"督导意见书整改事项“{finding.text}”逾期未整改", as_of, rt)
        rows.append(start_escalation(finding, as_of, rt, actor="system"))
    if step.aggravated[1] and step.aggravated[2]:
        rows.append(audit_row("unit", item.unit_id, "aggravated", as_of=as_of, to_stage="aggravated",
                              detail={"year": as_of.year, "accountability_count": step.aggravated[0],
                                      "item": item.id, "policy": rt.policy.version}))
    return [row for row in rows if row is not None]


class _AccountabilityTally:
    """问责 per unit in the year (从重问责 counts units, not items): those recorded before this sweep (one query
    for the due items' units) plus those this sweep issues, counted as they are claimed. Items of one
    inspection reaching 问责 are one 问责 of their unit."""

    def __init__(self, session: Session, items: list[RectificationItem], year: int, rt: Runtime) -> None:
        self.counts, self.pairs = accountability_counts(session, {item.unit_id for item in items}, year)
        self.after = rt.policy.ladder.aggravated_after

    def add(self, unit_id: int, inspection_id: int) -> tuple[int, bool, bool]:
        """The unit's count with this 问责, whether that makes it aggravated, and whether it was new (a second
        item of an inspection already counted adds nothing)."""
        new = (unit_id, inspection_id) not in self.pairs
        if new:
            self.pairs.add((unit_id, inspection_id))
            self.counts[unit_id] += 1
        return self.counts[unit_id], self.counts[unit_id] >= self.after, new


def _prefetch(session: Session, items: list[RectificationItem]) -> list:
    """Load the due items' inspections, units (and their superiors) and findings in a few queries, so that
    the papers find them in the identity map instead of one query each. Returns them: keep the list."""
    loaded: list = []
    for start in range(0, len(items), _CHUNK):
        chunk = items[start:start + _CHUNK]
        for model, ids in ((Inspection, {i.inspection_id for i in chunk}), (Unit, {i.unit_id for i in chunk}),
                           (Finding, {i.finding_id for i in chunk})):
            loaded += session.exec(select(model).where(model.id.in_(ids))).all()
    superiors = {u.superior_id for u in loaded if isinstance(u, Unit) and u.superior_id}
    if superiors:
        loaded += session.exec(select(Unit).where(Unit.id.in_(superiors))).all()
    return loaded
