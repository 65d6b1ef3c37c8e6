"""The portal load benchmark's ledger and its daily sweep, run in the benchmark's child processes.

`build`: the sample district, `background` open items (a share of them due on the sweep day, as in the ladder
benchmark: bench/ladder_data.py), then `units` extra schools each with one open rectification item, a sign-in
link each and one office account; prints one JSON line (the links, the item ids). `sweep`: every step of the
daily sweep for the sweep day, each in its own transaction as the daily-sweep flow runs them (Prefect's
plumbing left out); it says "ready" once imported and starts on a line on stdin, so it runs beside the load.

    python bench/portal_world.py build UNITS BACKGROUND     # env: DUDAO_DATABASE_URL, DUDAO_VAR_DIR, ...
    python bench/portal_world.py sweep
"""

import json
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SWEEP_DAY = date(2026, 11, 4)  # a Wednesday, the ladder benchmark's day
DUE_FRACTION = 0.005
OFFICE_USER, OFFICE_PASSWORD = "bench.office", "bench-office-password-2026"


def _unit_with_item(session, n: int, deadline: date):
    """A bench school with one open item: its inspection, team and finding as the portal's tests make them."""
    from models import Unit
    from tests.ladder_support import open_items

    unit = Unit(code=f"B{n:04d}", name=f"压测学校{n:04d}", kind="school", email=f"b{n:04d}@bench.invalid")
    session.add(unit)
    session.flush()
    [item_id] = open_items(session, unit.code, deadline, issued_on=deadline - timedelta(days=80))
    return unit, item_id


def build(units: int, background: int) -> None:
    from bench.ladder_data import build_ledger
    from core import clock
    from core.db import session_scope
    from core.settings import get_settings
    from portal.accounts import add_user
    from portal.links import issue_link

    due = build_ledger(get_settings().ledger_url, background, DUE_FRACTION, SWEEP_DAY)
    deadline = clock.today() + timedelta(days=60)  # the portal's day is the real one
    links = []
    with session_scope() as session:
        for n in range(1, units + 1):
            unit, item_id = _unit_with_item(session, n, deadline)
            links.append((issue_link(session, unit, 30, actor="bench"), item_id))
        add_user(session, OFFICE_USER, "压测督导室", OFFICE_PASSWORD, "office", actor="bench")
    print(json.dumps({"links": links, "due": due}))


def sweep() -> None:
    from tasks.sweep import STEPS, advance_stage

    print("ready", flush=True)
    sys.stdin.readline()
    started, moved = time.perf_counter(), {}
    for step in STEPS:
        moved[step] = len(advance_stage.fn(step, SWEEP_DAY))
    print(json.dumps({"seconds": round(time.perf_counter() - started, 3), "moved": moved}), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "build":
        build(int(sys.argv[2]), int(sys.argv[3]))
    else:
        sweep()
