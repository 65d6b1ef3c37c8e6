"""When the district's self-evaluation (自查自评) steps fall due, as a pure rule: the report to the city on the
last working day on or before the policy's `report_due` (official documents are dated on working days), a
problem's reminder `reminder_workdays_before` working days before its 整改期限, and its 督办 on the first working
day after it."""

from datetime import date, timedelta

from rules.ladder import reminder_day
from rules.policy import SelfEvaluationPolicy
from rules.workdays import WorkdayCalendar


def report_day(year: int, policy: SelfEvaluationPolicy, calendar: WorkdayCalendar) -> date:
    due = date.fromisoformat(f"{year}-{policy.report_due}")
    return due if calendar.is_workday(due) else calendar.add_workdays(due, -1)


def problem_reminder_day(deadline: date, policy: SelfEvaluationPolicy, calendar: WorkdayCalendar) -> date:
    return reminder_day(deadline, policy.reminder_workdays_before, calendar)


def problem_overdue_day(deadline: date, calendar: WorkdayCalendar) -> date:
    return calendar.next_workday(deadline + timedelta(days=1))
