"""Two sweeps of the same day at once — two threads, or two processes — against the same ledger (SQLite or
PostgreSQL, whichever the suite runs on) issue each step once: nothing more than one sweep would."""

import os
import subprocess
import sys
import threading
import time
from datetime import date

from sqlmodel import select

from core.db import session_scope
from models import Notice
from tests.conftest import REPO
from tests.ladder_support import make_items, sweep, totals

DAY = date(2026, 10, 21)


def _due_items() -> tuple[list[int], list[int]]:
    """20 items due a 5-day reminder on DAY and 20 due a 督办 (their deadline passed the day before)."""
    return make_items("S012", date(2026, 10, 28), 20), make_items("S013", date(2026, 10, 20), 20)


def _assert_each_step_once(reminded: list[int], urged: list[int]) -> None:
    with session_scope() as session:
        rows = session.exec(select(Notice.item_id, Notice.kind)).all()
    assert sorted(rows) == sorted([(i, "reminder") for i in reminded] + [(i, "urge") for i in urged])


def test_two_threads_sweeping_the_same_day_issue_each_step_once(seeded, runtime):
    reminded, urged = _due_items()
    barrier, results, errors = threading.Barrier(2), [], []

    def run() -> None:
        barrier.wait()
        try:
            results.append(sweep(DAY, runtime))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert sorted(results[0] + results[1]) == sorted(reminded + urged)  # each item moved by exactly one sweep
    _assert_each_step_once(reminded, urged)
    notices, documents, events = totals()
    assert (notices, documents) == (40, 40) and events == 40


SCRIPT = """
import sys, time
from datetime import date
from pathlib import Path
from core.db import session_scope
from rules.runtime import load_runtime
from tasks.ladder.climb import climb_ladder
rt = load_runtime()
rt.calendar.is_workday(date(2026, 10, 21))  # build the year's table before the race
go = Path(sys.argv[1])
print("ready", flush=True)
while not go.exists():
    time.sleep(0.005)
with session_scope() as session:
    print(len(climb_ladder(session, date(2026, 10, 21), rt)), flush=True)
"""


def test_two_processes_sweeping_the_same_day_issue_each_step_once(seeded, tmp_path):
    reminded, urged = _due_items()
    go = tmp_path / "go"
    env = {**os.environ, "DUDAO_DATABASE_URL": seeded.ledger_url, "DUDAO_VAR_DIR": str(seeded.var_dir)}
    procs = [subprocess.Popen([sys.executable, "-c", SCRIPT, str(go)], env=env, cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for proc in procs:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
    time.sleep(0.05)
    go.touch()
    outputs = [proc.communicate(timeout=120) for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0], [err for _, err in outputs]
    moved = sorted(int(out.strip()) for out, _ in outputs)
    assert sum(moved) == 40, moved
    _assert_each_step_once(reminded, urged)
    before = totals()
    assert sweep(DAY, __import__("rules.runtime").runtime.load_runtime()) == [] and totals() == before
