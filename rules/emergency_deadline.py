"""The rectification deadline (整改期限) an operator may set when starting an emergency inspection.

The rectification items only exist once the 督导意见书 is issued: visit, preliminary feedback after
`emergency_feedback_workdays`, `rebuttal_workdays` for the unit to rebut, then the next working day's sweep.
A deadline on or before that day would make every item overdue at birth, so it is refused at the start,
before anything is written. Pure: dates, the calendar and the policy in, a problem (or None) out.
"""

from datetime import date, timedelta

from core.lang import say
from rules.policy import InspectionPolicy
from rules.workdays import WorkdayCalendar

LONGEST_DAYS = 366  # a deadline further than a year out is a typo (2062 for 2026), not a fast track


def earliest_issue_day(visit_on: date, calendar: WorkdayCalendar, policy: InspectionPolicy,
                       emergency: bool = True) -> date:
    """The first day the 督导意见书 of an inspection (emergency: on its short feedback time) visited on `visit_on`
    can be issued."""
    workdays = policy.emergency_feedback_workdays if emergency else policy.feedback_workdays_after_visit
    feedback_on = calendar.add_workdays(visit_on, workdays)
    rebuttal_due = calendar.add_workdays(feedback_on, policy.rebuttal_workdays)
    return calendar.next_workday(rebuttal_due + timedelta(days=1))


def finding_deadline_problem(deadline: date, *, visit_on: date, emergency: bool, calendar: WorkdayCalendar,
                             policy: InspectionPolicy) -> str | None:
    """Why an inspector's 整改期限 for a finding recorded at the visit on `visit_on` cannot stand (Chinese), or None."""
    issue_day = earliest_issue_day(visit_on, calendar, policy, emergency)
    if deadline <= issue_day:
        return f"整改期限 {deadline} 太早：督导意见书最早 {issue_day} 下达，期限须在其后"
    if deadline > visit_on + timedelta(days=LONGEST_DAYS):
        return f"整改期限 {deadline} 距督导日 {visit_on} 超过 {LONGEST_DAYS} 天"
    return None


def deadline_problem(deadline: date, *, as_of: date, visit_on: date, calendar: WorkdayCalendar,
                     policy: InspectionPolicy) -> str | None:
    """Why `deadline` cannot be the rectification deadline of an emergency started on `as_of`, or None."""
    if deadline <= as_of:
        return say(f"整改期限 {deadline} 不在发起日之后（督导自 {as_of} 开始）",
                   f"deadline {deadline} is not in the future (the inspection starts on {as_of})")
    issue_day = earliest_issue_day(visit_on, calendar, policy)
    feedback, rebuttal = policy.emergency_feedback_workdays, policy.rebuttal_workdays
    if deadline <= issue_day:
        return say(f"整改期限 {deadline} 过早：督导意见书最早于 {issue_day} 下发（实地督导 {visit_on}，{feedback} 个工作日后"
                   f"出具初步督导意见反馈书，申辩 {rebuttal} 个工作日）；请选择此后的日期",
                   f"deadline {deadline} is too early: the 督导意见书 can be issued on {issue_day} at the earliest "
                   f"(visit {visit_on}, {feedback} working day(s) to the feedback, {rebuttal} for rebuttal); "
                   "choose a day after it")
    if deadline > as_of + timedelta(days=LONGEST_DAYS):
        return say(f"整改期限 {deadline} 距 {as_of} 超过 {LONGEST_DAYS} 天",
                   f"deadline {deadline} is more than {LONGEST_DAYS} days after {as_of}")
    return None
