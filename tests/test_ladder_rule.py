"""The ladder as a pure rule: real 2026 calendar cases (National Day, 调休 Saturdays), catching up, policy
changes, and `next_action_on` against a brute-force day-by-day scan (hypothesis)."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.ladder import (
    RANK,
    STEPS,
    LadderState,
    advance,
    due_step,
    initial_state,
    next_action_on,
    reminder_day,
)
from rules.policy import LadderPolicy
from rules.workdays import WorkdayCalendar

D = date.fromisoformat
POLICY = LadderPolicy()  # reminders 5 and 1 working days before, 督办 15, 约谈 1 after, 通报 10, 问责 10
CAL = WorkdayCalendar()


def climb_daily(state: LadderState, start: date, end: date, policy: LadderPolicy = POLICY) -> list[tuple]:
    """Ask the rule every day (as a sweep that never misses a day would) and apply what it says; a key
    issued before is not issued again (the outbox's unique key)."""
    steps, day = [], start
    while day <= end:
        due = due_step(state, day, policy, CAL)
        if due is not None and due.key_suffix not in {key for _, _, key, _ in steps}:
            steps.append((day.isoformat(), due.step, due.key_suffix,
                          due.new_deadline.isoformat() if due.new_deadline else None))
            state = advance(state, due, day)
        day += timedelta(days=1)
    return steps


def climb_planned(state: LadderState, start: date, end: date, policy: LadderPolicy = POLICY) -> list[tuple]:
    """Ask the rule only on the days `next_action_on` names (as the indexed sweep does)."""
    steps, day = [], start
    while day is not None and day <= end:
        due = due_step(state, day, policy, CAL)
        if due is not None:
            steps.append((day.isoformat(), due.step, due.key_suffix,
                          due.new_deadline.isoformat() if due.new_deadline else None))
            state = advance(state, due, day)
        planned = next_action_on(state, day, policy, CAL)
        assert planned is None or planned > day, f"next_action_on({day}) = {planned} does not move on"
        day = planned
    return steps


# Deadline Wed 30 Sep 2026, the last working day before National Day (1-7 Oct off, Sat 10 Oct worked).
NATIONAL_DAY = [
    ("2026-09-22", "reminder", "reminder:5:2026-09-30", None),  # 5 working days left: 23, 24, 28, 29, 30 (25 中秋)
    ("2026-09-29", "reminder", "reminder:1:2026-09-30", None),
    ("2026-10-08", "urge", "urge:2026-09-30", "2026-10-28"),  # first working day after the holiday
    ("2026-10-21", "reminder", "reminder:5:2026-10-28", None),  # reminders before the 督办 deadline too
    ("2026-10-27", "reminder", "reminder:1:2026-10-28", None),
    ("2026-10-29", "interview", "interview:2026-10-28", None),
    ("2026-11-12", "circular", "circular:2026-10-28", None),
    ("2026-11-26", "accountability", "accountability:2026-10-28", None),
]

# Deadline Fri 11 Sep 2026: the 督办 deadline, 15 working days on from Mon 14 Sep, is the 调休 Saturday 10 Oct
# (counting Sun 20 Sep, a make-up working day, and skipping 25 Sep and 1-7 Oct).
ADJUSTED_SATURDAY = [
    ("2026-09-04", "reminder", "reminder:5:2026-09-11", None),  # 5 left: 7-11 Sep
    ("2026-09-10", "reminder", "reminder:1:2026-09-11", None),
    ("2026-09-14", "urge", "urge:2026-09-11", "2026-10-10"),
    ("2026-09-28", "reminder", "reminder:5:2026-10-10", None),  # 5 left: 29, 30 Sep, 8, 9, 10 Oct
    ("2026-10-09", "reminder", "reminder:1:2026-10-10", None),
    ("2026-10-12", "interview", "interview:2026-10-10", None),  # the Saturday was a working day: missed
    ("2026-10-26", "circular", "circular:2026-10-10", None),
    ("2026-11-09", "accountability", "accountability:2026-10-10", None),
]


@pytest.mark.parametrize(("deadline", "expected"), [("2026-09-30", NATIONAL_DAY), ("2026-09-11", ADJUSTED_SATURDAY)])
def test_the_ladder_follows_the_statutory_calendar(deadline, expected):
    state = initial_state(D(deadline))
    assert climb_daily(state, D("2026-08-01"), D("2026-12-31")) == expected
    assert climb_planned(state, D("2026-08-01"), D("2026-12-31")) == expected


@pytest.mark.parametrize(("deadline", "n", "expected"), [
    ("2026-09-30", 5, "2026-09-22"), ("2026-09-30", 1, "2026-09-29"),
    ("2026-10-10", 1, "2026-10-09"),  # a deadline on the make-up Saturday
    ("2026-10-04", 1, "2026-09-29"),  # a deadline inside the holiday: 30 Sep is the last working day before it
    ("2026-10-08", 1, "2026-09-30"),
])
def test_reminder_days(deadline, n, expected):
    assert reminder_day(D(deadline), n, CAL) == D(expected)
    assert CAL.workdays_between(D(expected), D(deadline)) <= n


def test_a_deadline_on_a_non_working_day_is_missed_the_next_working_day():
    # 4 Oct is inside National Day: the item is overdue on 8 Oct, the first working day after it.
    steps = climb_daily(initial_state(D("2026-10-04")), D("2026-09-01"), D("2026-10-20"))
    assert [(day, step) for day, step, *_ in steps][:3] == [
        ("2026-09-22", "reminder"), ("2026-09-29", "reminder"), ("2026-10-08", "urge")]


def test_nothing_is_issued_on_a_non_working_day_and_a_missed_day_is_caught_up():
    state = initial_state(D("2026-09-30"))
    assert due_step(state, D("2026-10-03"), POLICY, CAL) is None  # a holiday: no document is dated on it
    # The sweep did not run for weeks: on 2 Nov one step comes, the 督办 (never a burst of every step at once).
    due = due_step(state, D("2026-11-02"), POLICY, CAL)
    assert (due.step, due.new_deadline) == ("urge", CAL.add_workdays(D("2026-11-02"), 15))


def test_no_reminder_on_the_deadline_day_itself():
    """A relapse sets the deadline to the re-check day: the ladder restarts at 督办 the next working day."""
    state = LadderState("open", D("2026-09-29"), "none", None)
    assert due_step(state, D("2026-09-29"), POLICY, CAL) is None
    assert due_step(state, D("2026-09-30"), POLICY, CAL).step == "urge"
    assert next_action_on(state, D("2026-09-29"), POLICY, CAL) == D("2026-09-30")


def test_only_open_items_climb():
    for stage in ("submitted", "accepted", "closed"):
        state = LadderState(stage, D("2026-09-30"), "urge", D("2026-09-01"))
        assert due_step(state, D("2026-12-01"), POLICY, CAL) is None
        assert next_action_on(state, D("2026-12-01"), POLICY, CAL) is None


def test_a_policy_change_applies_to_new_steps_only():
    """The 约谈 date fixed when the 督办 was issued stays; the 通报 after it follows the new policy."""
    state = initial_state(D("2026-09-30"))
    urge = due_step(state, D("2026-10-08"), POLICY, CAL)
    state = advance(state, urge, D("2026-10-08"))
    stricter = LadderPolicy(urge_workdays=5, interview_after_workdays=5, circular_after_workdays=2)
    assert state.current_deadline == D("2026-10-28") and state.step_due_on == D("2026-10-29")
    assert due_step(state, D("2026-10-29"), stricter, CAL).step == "interview"  # not 5 working days later
    interview = due_step(state, D("2026-10-29"), stricter, CAL)
    assert interview.next_step_on == CAL.add_workdays(D("2026-10-29"), 2)


def test_the_top_of_the_ladder_asks_nothing_more():
    state = LadderState("open", D("2026-09-30"), "accountability", D("2026-11-26"))
    assert due_step(state, D("2027-06-01"), POLICY, CAL) is None
    assert next_action_on(state, D("2026-11-26"), POLICY, CAL) is None


def _consistent_state(draw) -> tuple[LadderState, date]:
    """A state the sweep can leave behind after handling `after` (a working day): nothing due up to it."""
    after = CAL.next_workday(D("2026-01-05") + timedelta(days=draw(st.integers(0, 330))))
    step = draw(st.sampled_from(STEPS[:-1]))
    if RANK[step] < RANK["urge"]:
        deadline = after + timedelta(days=draw(st.integers(0, 60)))
        return LadderState("open", deadline, step, None), after
    if step == "urge":
        deadline = after + timedelta(days=draw(st.integers(-20, 40)))
        due_on = max(deadline, after) + timedelta(days=draw(st.integers(1, 20)))
        return LadderState("open", deadline, step, after, due_on), after
    deadline = after - timedelta(days=draw(st.integers(1, 60)))
    return LadderState("open", deadline, step, after, after + timedelta(days=draw(st.integers(1, 30)))), after


@settings(max_examples=300, deadline=None)
@given(st.data(), st.lists(st.integers(1, 12), min_size=1, max_size=3, unique=True))
def test_next_action_on_is_the_first_day_something_new_is_due(data, offsets):
    """Brute force: the first working day after `after` whose due step was not already due on or before it."""
    policy = LadderPolicy(reminder_workdays_before=tuple(offsets))
    state, after = _consistent_state(data.draw)
    handled = {due.key_suffix for back in range(0, 90)
               if (due := due_step(state, after - timedelta(days=back), policy, CAL)) is not None}
    expected, day = None, after + timedelta(days=1)
    while day <= after + timedelta(days=200):
        due = due_step(state, day, policy, CAL)
        if due is not None and due.key_suffix not in handled:
            expected = day
            break
        day += timedelta(days=1)
    assert next_action_on(state, after, policy, CAL) == expected
