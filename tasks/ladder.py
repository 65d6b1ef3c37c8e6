"""The ladder step of the daily sweep: reminders before the deadline, 督办通知 on the first overdue day."""

from datetime import date

from sqlmodel import Session, select

from dudao.runtime import Runtime
from models import RectificationItem
from models.lifecycle import ItemStage, record
from rules.ladder import Due, LadderState, due_step
from tasks.outbox import Paper, issue
from tasks.papers import item_context


def _open_items(session: Session, as_of: date, horizon: date) -> list[RectificationItem]:
    """Open items whose deadline is near or past: the only ones a ladder step can be due for."""
    return list(session.exec(select(RectificationItem).where(
        RectificationItem.stage == ItemStage.OPEN, RectificationItem.current_deadline <= horizon,
    ).order_by(RectificationItem.id)).all())


def climb_ladder(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """Issue what the ladder asks of each open item today."""
    horizon = rt.calendar.add_workdays(as_of, max(rt.policy.ladder.reminder_workdays_before, default=0))
    moved = []
    for item in _open_items(session, as_of, horizon):
        state = LadderState(item.stage, item.current_deadline, item.ladder_step, item.ladder_since)
        due = due_step(state, as_of, rt.policy.ladder, rt.calendar)
        if due is not None and _act(session, item, due, as_of, rt):
            moved.append(item.id)
    return moved


def _act(session: Session, item: RectificationItem, due: Due, as_of: date, rt: Runtime) -> bool:
    context = item_context(session, item, due.step, as_of)
    key = f"item:{item.id}:{due.key_suffix}"
    if due.step == "reminder":
        context.update(deadline=item.current_deadline, workdays_left=due.workdays_left)
    else:
        context.update(old_deadline=item.current_deadline, new_deadline=due.new_deadline)
    notice = issue(session, Paper(key=key, kind=due.step, context=context, issued_on=as_of, unit=context["unit"],
                                  inspection_id=item.inspection_id, item_id=item.id))
    if notice is None:
        return False
    if due.step != "reminder" or item.ladder_step == "none":
        record(session, "item", item.id, f"ladder:{due.step}", as_of=as_of, from_stage=item.ladder_step,
               to_stage=due.step, detail={"new_deadline": due.new_deadline, "policy": rt.policy.version})
        item.ladder_step, item.ladder_since = due.step, as_of
    if due.new_deadline is not None:
        item.current_deadline = due.new_deadline
    session.add(item)
    return True
