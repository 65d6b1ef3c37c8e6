"""The daily sweep: every time-driven step, in cycle order, for one day."""

from collections.abc import Callable
from datetime import date

from prefect import task
from sqlmodel import Session

from core.db import session_scope
from rules.runtime import Runtime, load_runtime
from tasks.cycle.due_steps import feed_back_due, issue_due, notify_due, publish_due, recheck_or_close_due
from tasks.cycle.report_reviews import remind_report_reviews
from tasks.cycle.review import remind_review_decisions
from tasks.cycle.routine_visits import flag_routine_shortfalls
from tasks.ladder.climb import climb_ladder
from tasks.ladder.issue_levels import escalate_issues
from tasks.ladder.referrals import refer_illegal_acts
from tasks.operator.provisional_calendar import warn_office_of_provisional_calendar
from tasks.planning.term_end import raise_term_end_inspections
from tasks.publication.deadline import flag_unreleased
from tasks.publication.signoff_waiting import alert_waiting_signoffs
from tasks.roster.records import flag_training_shortfalls, remind_expiring_terms
from tasks.self_evaluation.problems import follow_problems
from tasks.self_evaluation.report import file_report

Step = Callable[[Session, date, Runtime], list[int]]

STEPS: dict[str, Step] = {
    "term-end": raise_term_end_inspections,  # before notify: a raised inspection is announced the same day
    "notify": notify_due,
    "refer-illegal": refer_illegal_acts,  # illegal acts go to the enforcement bodies the first morning after the visit
    "feed-back": feed_back_due,
    "issue": issue_due,
    "publish": publish_due,
    "publication-due": flag_unreleased,  # after publish: a report released and published today is not late
    "signoff-waiting": alert_waiting_signoffs,  # the office alerted once of a report's sign-off waiting too long
    "ladder": climb_ladder,
    "escalate": escalate_issues,
    "review-due": remind_review_decisions,
    "report-review-due": remind_report_reviews,  # a 整改报告 undecided after review_workdays holds its ladder
    "recheck-or-close": recheck_or_close_due,
    "inspector-terms": remind_expiring_terms,
    "training": flag_training_shortfalls,
    "routine-visits": flag_routine_shortfalls,
    "self-evaluation": file_report,  # the 自查自评报告 to the city by the policy's report_due (mid-May)
    "self-evaluation-problems": follow_problems,  # its problem list: a reminder before each deadline, 督办 after
    "provisional-calendar": warn_office_of_provisional_calendar,  # last: it looks at the deadlines set today
}


def sweep_day(session: Session, as_of: date, rt: Runtime) -> dict[str, int]:
    """Run every step for `as_of` in the caller's transaction. Returns how many entities each step moved."""
    return {name: len(step(session, as_of, rt)) for name, step in STEPS.items()}


@task(name="advance-stage", task_run_name="{step} · {as_of}", retries=2, retry_delay_seconds=[1, 5])
def advance_stage(step: str, as_of: date) -> list[int]:
    """Run one step for one day in its own transaction. Retried: a step is idempotent.

    Args:
        step: a key of STEPS.
        as_of: the day.

    Returns:
        ids of the entities moved.
    """
    rt = load_runtime()
    with session_scope() as session:
        return STEPS[step](session, as_of, rt)
