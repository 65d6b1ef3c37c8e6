"""The escalation ladder of an open rectification item, as a pure rule.

Given an item's deadline, its ladder step and `as_of`, say what is due today. The sweep acts on the answer;
the answer for a day never depends on how often the sweep ran before, so a missed day is caught up and a
repeated day does nothing new (the notice keys carry the step and the deadline).
"""

from dataclasses import dataclass
from datetime import date

from rules.policy import LadderPolicy
from rules.workdays import WorkdayCalendar

STEPS = ("none", "reminder", "urge", "interview", "circular", "accountability")


@dataclass(frozen=True)
class LadderState:
    stage: str  # item stage; only "open" items climb
    current_deadline: date
    ladder_step: str
    ladder_since: date | None


@dataclass(frozen=True)
class Due:
    step: str  # reminder or urge
    key_suffix: str  # makes the notice key unique per step and deadline
    new_deadline: date | None = None
    workdays_left: int | None = None


def due_step(state: LadderState, as_of: date, policy: LadderPolicy, calendar: WorkdayCalendar) -> Due | None:
    """What the ladder asks for today, or None."""
    if state.stage != "open":
        return None
    if as_of > state.current_deadline:
        if state.ladder_step in ("none", "reminder"):
            new_deadline = calendar.add_workdays(as_of, policy.urge_workdays)
            return Due("urge", f"urge:{state.current_deadline}", new_deadline=new_deadline)
        return None
    return _reminder(state, as_of, policy, calendar)


def _reminder(state: LadderState, as_of: date, policy: LadderPolicy, calendar: WorkdayCalendar) -> Due | None:
    left = calendar.workdays_between(as_of, state.current_deadline)
    offsets = [n for n in sorted(policy.reminder_workdays_before) if left <= n]
    if not offsets:
        return None
    return Due("reminder", f"reminder:{offsets[0]}:{state.current_deadline}", workdays_left=left)
