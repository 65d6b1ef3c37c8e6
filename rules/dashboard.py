"""What the office's dashboard counts, as pure rules: when a rectification item is overdue and under which
ladder step it is shown, the days "this week" spans, and the year's grades in their order.

The dashboard's queries (tasks/operator/dashboard.py) group in SQL with these same definitions, and its tests
check the grouped counts against these functions applied to every row of a small world.
"""

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from models.lifecycles import ItemStage
from models.lifecycles.ladder import LADDER
from rules.scoring import GRADES

# The steps an item reaches only by missing a deadline: from 督办 on it stays overdue, whatever its new deadline.
PAST_DEADLINE_STEPS = ("urge", "interview", "circular", "accountability")
# Before 督办 (no step yet, or only 整改提醒) an item past its deadline waits for the sweep's 督办.
AWAITING_URGE = "awaiting"
BUCKETS = (AWAITING_URGE, *PAST_DEADLINE_STEPS)
BUCKET_LABELS = {AWAITING_URGE: "逾期待督办", **{step: LADDER.labels[step] for step in PAST_DEADLINE_STEPS}}


def is_overdue(stage: str, ladder_step: str, current_deadline: date, as_of: date) -> bool:
    """An open item whose deadline has passed, or that has climbed to 督办 or beyond (a report submitted and
    waiting for review holds the ladder: not counted)."""
    return stage == ItemStage.OPEN and (current_deadline < as_of or ladder_step in PAST_DEADLINE_STEPS)


def bucket_of(ladder_step: str) -> str:
    """The dashboard's column for an overdue item's ladder step."""
    return ladder_step if ladder_step in PAST_DEADLINE_STEPS else AWAITING_URGE


def steps_of(bucket: str) -> tuple[str, ...]:
    """The ladder steps a column stands for (the list page filters by them)."""
    return (bucket,) if bucket in PAST_DEADLINE_STEPS else ("none", "reminder")


def by_bucket(counts: Mapping[str, int]) -> dict[str, int]:
    """Counts by ladder step folded into the dashboard's columns, every column present (zero included)."""
    folded = dict.fromkeys(BUCKETS, 0)
    for step, n in counts.items():
        folded[bucket_of(step)] += n
    return folded


def this_week(as_of: date) -> tuple[date, date]:
    """From today to this week's Sunday, both included (what fell due earlier this week is overdue already)."""
    return as_of, as_of + timedelta(days=6 - as_of.weekday())


def grade_counts(counted: Iterable[str]) -> dict[str, int]:
    """How many inspections got each grade, in the grades' order (优秀 first), zero included."""
    counts = dict.fromkeys(GRADES, 0)
    for grade in counted:
        counts[grade] += 1
    return counts
