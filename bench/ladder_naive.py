"""The naive ladder sweep the benchmark compares against: one Prefect task run per due item, each with its own
transaction, running the same per-item logic as `tasks.ladder.climb.climb_ladder`. Not for production."""

import os
from datetime import date
from functools import cache

from core.prefect_env import configure_prefect

os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "300")
configure_prefect()

from prefect import flow, task  # noqa: E402
from sqlalchemy import text  # noqa: E402

from core.db import get_engine, session_scope  # noqa: E402
from models import RectificationItem  # noqa: E402
from rules.runtime import Runtime, load_runtime  # noqa: E402
from tasks.ladder.climb import climb_items  # noqa: E402


@cache
def _runtime() -> Runtime:
    return load_runtime()


@task(name="climb-one-item", task_run_name="item {item_id}")
def climb_one(item_id: int, as_of: date) -> bool:
    with session_scope() as session:
        return bool(climb_items(session, [session.get(RectificationItem, item_id)], as_of, _runtime()))


@flow(name="naive-ladder-sweep")
def _naive(as_of: date, item_ids: list[int]) -> int:
    return sum(bool(climb_one(item_id, as_of)) for item_id in item_ids)


@flow(name="naive-warm-up")
def _warm() -> int:
    return 1


def warm_up() -> None:
    """Start the ephemeral Prefect server before the clock starts."""
    _warm()


def naive_sweep(as_of: date) -> int:
    """Select the due items (the same query as the batch sweep), then one task run each."""
    with get_engine().connect() as conn:
        ids = [row[0] for row in conn.execute(text(
            "SELECT id FROM rectificationitem WHERE stage = 'open' AND (next_action_on <= :d OR next_action_on IS NULL)"
            " ORDER BY id"), {"d": as_of})]
    return _naive(as_of, ids)
