"""Property (hypothesis): whatever the order of sweep days, submissions and reviews, an item's ladder step never
goes down unless a rectification was accepted, no step is skipped, and every step reached has exactly one
notice (the 约谈 also its one 约谈记录)."""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import update
from sqlmodel import select

from core.db import session_scope
from models import RectificationItem, Submission
from rules.ladder import RANK, STEPS
from tasks.cycle.responses import review_submission, submit_rectification
from tasks.ladder.climb import climb_ladder
from tests.ladder_support import ladder_events_of, make_items, notices_of

START = date(2026, 9, 1)  # the item is due on 30 Sep
# Each action moves the day by -5 … +10 days: mostly forwards through the whole ladder, sometimes back (a late
# or repeated sweep of an earlier day), so any order of days occurs.
ACTIONS = st.lists(st.tuples(st.sampled_from(["sweep", "sweep", "sweep", "submit", "accept", "reject"]),
                             st.integers(-5, 10)), min_size=25, max_size=60)


def _act(action: str, day: date, item_id: int, rt) -> None:
    with session_scope() as session:
        item = session.get(RectificationItem, item_id)
        pending = session.exec(select(Submission).where(Submission.item_id == item_id,
                                                        Submission.decision == "pending")).first()
        if action == "sweep":
            climb_ladder(session, day, rt)
        elif action == "submit" and item.stage == "open":
            submit_rectification(session, item, "整改报告", day, actor="unit")
        elif action in ("accept", "reject") and pending is not None:
            review_submission(session, pending, action == "accept", "审核", day, rt, actor="operator")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(actions=ACTIONS)
def test_the_ladder_only_climbs_and_each_step_has_one_notice(seeded, runtime, actions):
    [item_id] = make_items("S014", date(2026, 9, 30))
    rank, accepted, day = 0, False, START
    for action, step in actions:
        day = max(START, day + timedelta(days=step))
        _act(action, day, item_id, runtime)
        with session_scope() as session:
            item = session.get(RectificationItem, item_id)
        assert accepted or RANK[item.ladder_step] >= rank, (action, day, item.ladder_step)
        rank, accepted = RANK[item.ladder_step], accepted or item.stage == "accepted"
    notices, events = notices_of(item_id), ladder_events_of(item_id)
    for step in STEPS[2:]:
        reached = RANK[item.ladder_step] >= RANK[step]
        assert notices[step] == events[step] == (1 if reached else 0), (step, notices, events)
    assert notices["interview_record"] == 0  # filed only once the interview took place, by the office
    assert notices["reminder"] == events["reminder"] <= 4  # 5 and 1 days before each of two deadlines
    assert set(notices) <= {"reminder", *STEPS[2:], "interview_record"}
    _retire(item_id)


def _retire(item_id: int) -> None:
    """Take this example's item out of later examples' sweeps (they share the ledger)."""
    with session_scope() as session:
        session.execute(update(RectificationItem).where(RectificationItem.id == item_id).values(stage="closed"))
