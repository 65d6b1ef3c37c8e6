"""The escalation ladder of an open rectification item, as a pure rule.

reminders before the deadline → 督办 (urge) with a new deadline on the first working day after it → 约谈
(interview) when the 督办 deadline is missed → 通报 (circular) after `circular_after_workdays` without
improvement → 问责建议 (accountability) after `accountability_after_workdays`.

Which step may follow which is declared in models/lifecycles/ladder.py (the steps come from there); given an
item's state and `as_of`, `due_step` says what is due today; `advance` gives the state after it;
`next_action_on` gives the next day the sweep must look at the item again. The answer for a day never depends
on how often the sweep ran before, so a missed day is caught up and a repeated day does nothing new (the
notice keys carry the step and the deadline). Steps are taken on working days only: official documents are
dated on working days. The date of each escalation step is fixed when the step before it is issued
(`step_due_on`), so a policy change applies to steps issued after it and never moves a date already set.
"""

from dataclasses import dataclass, replace
from datetime import date, timedelta

from models.lifecycles.ladder import STEPS
from rules.policy import LadderPolicy
from rules.workdays import WorkdayCalendar

RANK = {step: rank for rank, step in enumerate(STEPS)}
URGE = RANK["urge"]
TOP = RANK["accountability"]


@dataclass(frozen=True)
class LadderState:
    stage: str  # item stage; only "open" items climb (a submitted report pending review holds the ladder)
    current_deadline: date
    ladder_step: str
    ladder_since: date | None
    step_due_on: date | None = None  # when the next escalation step falls due (fixed at the step before)


@dataclass(frozen=True)
class Due:
    step: str  # one of STEPS[1:]
    key_suffix: str  # makes the notice key unique per step and deadline
    new_deadline: date | None = None  # urge: the 督办 deadline
    workdays_left: int | None = None  # reminder: working days left before the deadline
    next_step_on: date | None = None  # when the step above this one falls due, if nothing improves


def due_step(state: LadderState, as_of: date, policy: LadderPolicy, calendar: WorkdayCalendar) -> Due | None:
    """What the ladder asks for today, or None."""
    rank = RANK[state.ladder_step]
    if state.stage != "open" or rank >= TOP or not calendar.is_workday(as_of):
        return None
    if as_of <= state.current_deadline:
        return _reminder(state, as_of, policy, calendar) if rank <= URGE else None
    if rank < URGE:
        new_deadline = calendar.add_workdays(as_of, policy.urge_workdays)
        return Due("urge", f"urge:{state.current_deadline}", new_deadline=new_deadline,
                   next_step_on=_after_deadline(new_deadline, policy, calendar))
    if as_of < escalation_day(state, policy, calendar):
        return None
    step = STEPS[rank + 1]
    return Due(step, f"{step}:{state.current_deadline}", next_step_on=_next_step_on(step, as_of, policy, calendar))


def _reminder(state: LadderState, as_of: date, policy: LadderPolicy, calendar: WorkdayCalendar) -> Due | None:
    left = calendar.workdays_between(as_of, state.current_deadline)
    offsets = [n for n in sorted(policy.reminder_workdays_before) if left <= n]
    if left < 1 or not offsets:  # on the deadline day itself the unit still has the day: no reminder
        return None
    return Due("reminder", f"reminder:{offsets[0]}:{state.current_deadline}", workdays_left=left)


def _after_deadline(deadline: date, policy: LadderPolicy, calendar: WorkdayCalendar) -> date:
    """The day a missed 督办 deadline leads to 约谈."""
    if policy.interview_after_workdays == 0:
        return calendar.next_workday(deadline + timedelta(days=1))
    return calendar.add_workdays(deadline, policy.interview_after_workdays)


def _next_step_on(step: str, as_of: date, policy: LadderPolicy, calendar: WorkdayCalendar) -> date | None:
    """When the step above `step` (issued on `as_of`) falls due."""
    if step == "interview":
        return calendar.add_workdays(as_of, policy.circular_after_workdays)
    if step == "circular":
        return calendar.add_workdays(as_of, policy.accountability_after_workdays)
    return None


def escalation_day(state: LadderState, policy: LadderPolicy, calendar: WorkdayCalendar) -> date:
    """When the step above the item's current one (urge or higher) falls due: the stored date, else the policy's."""
    if state.step_due_on is not None:
        return state.step_due_on
    if state.ladder_step == "urge":
        return _after_deadline(state.current_deadline, policy, calendar)
    return _next_step_on(state.ladder_step, state.ladder_since or state.current_deadline, policy, calendar)


def advance(state: LadderState, due: Due, as_of: date) -> LadderState:
    """The state after `due` was issued on `as_of`. A reminder after 督办 leaves the step where it is."""
    if due.step == "reminder":
        if state.ladder_step != "none":
            return state
        return replace(state, ladder_step="reminder", ladder_since=as_of)
    deadline = due.new_deadline or state.current_deadline
    return replace(state, ladder_step=due.step, ladder_since=as_of, current_deadline=deadline,
                   step_due_on=due.next_step_on)


def next_action_on(state: LadderState, after: date, policy: LadderPolicy, calendar: WorkdayCalendar) -> date | None:
    """The first working day after `after` on which something new may be due, assuming everything due up to
    and including `after` was handled. None: nothing more will ever be due (top of the ladder, or not open)."""
    rank = RANK[state.ladder_step]
    if state.stage != "open" or rank >= TOP:
        return None
    candidates = []
    if rank <= URGE:
        candidates += [day for n in policy.reminder_workdays_before
                       if (day := reminder_day(state.current_deadline, n, calendar)) > after]
    step_day = state.current_deadline + timedelta(days=1) if rank < URGE else escalation_day(state, policy, calendar)
    candidates.append(max(step_day, after + timedelta(days=1)))
    return calendar.next_workday(min(candidates))


def reminder_day(deadline: date, n: int, calendar: WorkdayCalendar) -> date:
    """The first day with at most `n` working days left before `deadline`: the (n+1)-th working day on or
    before the deadline, counting back."""
    last = deadline if calendar.is_workday(deadline) else calendar.add_workdays(deadline, -1)
    return calendar.add_workdays(last, -n)


def initial_state(deadline: date) -> LadderState:
    """A fresh open item."""
    return LadderState("open", deadline, "none", None)
