"""The dashboard's pure rules: when an item is overdue, the column it is shown under, this week's days."""

from datetime import date, timedelta

from rules.dashboard import (
    AWAITING_URGE,
    BUCKETS,
    bucket_of,
    by_bucket,
    grade_counts,
    is_overdue,
    steps_of,
    this_week,
)

DAY = date(2026, 6, 3)  # a Wednesday


def test_an_open_item_past_its_deadline_or_urged_is_overdue():
    assert is_overdue("open", "none", DAY - timedelta(days=1), DAY)
    assert not is_overdue("open", "reminder", DAY, DAY)  # due today: not yet
    assert is_overdue("open", "urge", DAY + timedelta(days=9), DAY)  # a new 督办 deadline: still overdue
    assert not is_overdue("submitted", "interview", DAY - timedelta(days=9), DAY)  # a report holds the ladder
    assert not is_overdue("accepted", "none", DAY - timedelta(days=9), DAY)


def test_columns_fold_the_steps_before_urge_together():
    assert bucket_of("none") == bucket_of("reminder") == AWAITING_URGE and bucket_of("circular") == "circular"
    assert by_bucket({"none": 2, "reminder": 1, "urge": 4}) == {AWAITING_URGE: 3, "urge": 4, "interview": 0,
                                                                "circular": 0, "accountability": 0}
    assert all(bucket_of(step) == bucket for bucket in BUCKETS for step in steps_of(bucket))


def test_this_week_runs_from_today_to_sunday():
    assert this_week(DAY) == (DAY, date(2026, 6, 7))
    sunday = date(2026, 6, 7)
    assert this_week(sunday) == (sunday, sunday)


def test_grades_counted_in_their_order():
    assert list(grade_counts(["合格", "优秀", "优秀"]).items()) == [("优秀", 2), ("良好", 0), ("合格", 1), ("不合格", 0)]
