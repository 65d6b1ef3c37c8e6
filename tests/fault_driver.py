"""A child process for fault tests, run as `python -m tests.fault_driver VERB [DAY]` with the ledger and var/
folder in its environment (DUDAO_DATABASE_URL, DUDAO_VAR_DIR), so a test can kill it with SIGKILL.

Verbs: `prepare` loads the sample district and opens the year's annual inspections on the plan day;
`sweep DAY` runs every sweep step for DAY without Prefect; `deliver DAY` delivers the outbox (Maildir).
"""

import sys
from datetime import date

from core.db import session_scope
from core.paths import REPO_ROOT
from rules.runtime import load_runtime
from tasks.cycle.annual_openings import open_annual_inspections
from tasks.exchange.district_file import load_district, read_district_file
from tasks.mail.delivery import deliver_pending_now
from tasks.simulation.days import plan_day
from tasks.sweep import STEPS

YEAR = 2026


def prepare() -> None:
    with session_scope() as session:
        load_district(session, read_district_file(REPO_ROOT / "data" / "nanan.toml"))
    rt = load_runtime()
    with session_scope() as session:
        open_annual_inspections(session, year=YEAR, rt=rt, as_of=plan_day(YEAR, rt))


def sweep(day: date) -> None:
    """One transaction per step, as the daily-sweep flow's advance-stage tasks do."""
    rt = load_runtime()
    for step in STEPS.values():
        with session_scope() as session:
            step(session, day, rt)


def main(argv: list[str]) -> int:
    verb, day = argv[0], date.fromisoformat(argv[1]) if len(argv) > 1 else None
    if verb == "prepare":
        prepare()
    elif verb == "sweep":
        sweep(day)
    elif verb == "deliver":
        deliver_pending_now(day)
    else:
        raise SystemExit(f"unknown verb {verb}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
