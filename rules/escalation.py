"""四级议题上报处置 as a pure rule: an issue the unit cannot resolve alone rises level by level —
1 the unit → 2 its responsible inspector (责任督学) → 3 the supervision office (督导室) → 4 the supervision
committee (督导委员会) — whenever it stays unresolved past the working days the policy gives each level. The
levels and their names are declared in models/lifecycles/issue_level.py."""

from datetime import date

from models.lifecycles.issue_level import TOP_LEVEL
from rules.policy import EscalationPolicy
from rules.workdays import WorkdayCalendar


def level_up_on(level: int, since: date, policy: EscalationPolicy, calendar: WorkdayCalendar) -> date | None:
    """The day an issue that reached `level` on `since` rises to the next level if still unresolved."""
    if level >= TOP_LEVEL:
        return None
    return calendar.add_workdays(since, policy.level_workdays[level - 1])


def next_level(level: int, escalate_on: date | None, resolved: bool, as_of: date) -> int | None:
    """The level the issue rises to on `as_of`, or None (resolved, not yet due, or at the top)."""
    if resolved or escalate_on is None or as_of < escalate_on or level >= TOP_LEVEL:
        return None
    return level + 1
