"""The earliest-day bounds the simulation selects by (tasks/simulation/days.py reads only rows whose date is this
close): no simulated unit ever acts earlier than they say."""

from datetime import date, timedelta

from rules import behaviour
from rules.ladder import STEPS


def test_no_self_assessment_comes_earlier_than_the_bound():
    due = date(2026, 4, 20)
    days = [behaviour.self_assessment_day(seed, f"S{n:03d}", due) for seed in range(20) for n in range(200)]
    earliest = min(day for day in days if day is not None)
    assert earliest == due - timedelta(days=behaviour.SELF_ASSESSMENT_EARLIEST_DAYS)


def test_no_rectification_report_comes_earlier_than_the_bound():
    deadline = date(2026, 8, 1)
    days = [behaviour.submission_day(seed, f"S{n:03d}", f"2026-ZH-{n:03d}#1", deadline, step, attempt)
            for seed in (1, 2026) for n in range(400) for step in STEPS for attempt in (1, 2)]
    earliest = min(day for day in days if day is not None)
    assert earliest == deadline - timedelta(days=behaviour.SUBMISSION_EARLIEST_DAYS)
