"""Figures the test suite measures about itself: faults injected, hostile inputs tried, leaks searched for,
tampering caught. Tests call `tally(...)`; at the end of the session this plugin writes var/test-figures.json
(one entry per database backend, so the SQLite and PostgreSQL runs of CI sit side by side).

`python -m tests.figures_report` turns the file into the README section "What was tried and survived".
"""

import json
import os
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIGURES_PATH = REPO / "var" / "test-figures.json"

_counts: Counter[str] = Counter()
_outcomes: Counter[str] = Counter()


def tally(name: str, n: int = 1) -> None:
    """Add `n` to the figure `name` (dotted: "faults.kill9.sweep", "hostile.policy", "leaks.searched")."""
    _counts[name] += n


def backend() -> str:
    url = os.environ.get("DUDAO_DATABASE_URL", "")
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def pytest_configure(config) -> None:
    # Fixtures point DUDAO_DATABASE_URL at each test's own ledger; remember the backend of the session.
    config._dudao_backend = backend()


# Fault tests that live in other modules, counted when they pass.
COUNTED_ELSEWHERE = {
    "tests/test_simulation.py::test_a_killed_simulation_resumes_to_the_same_year": "faults.kill9.simulated-year",
}


def pytest_runtest_logreport(report) -> None:
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _outcomes[report.outcome] += 1
    if report.when == "call" and report.passed and report.nodeid in COUNTED_ELSEWHERE:
        tally(COUNTED_ELSEWHERE[report.nodeid])


def pytest_sessionfinish(session, exitstatus) -> None:
    if session.config.option.collectonly or not _counts:
        return
    entry = {
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "exit_status": int(exitstatus),
        "tests": dict(_outcomes),
        "figures": dict(sorted(_counts.items())),
    }
    write_entry(session.config._dudao_backend, entry)


def write_entry(backend_name: str, entry: dict, path: Path = FIGURES_PATH) -> None:
    """Replace this backend's entry in the figures file, keeping the other backend's. Under a lock: CI runs the
    two backends' sessions at once, and each reads, changes and writes the file when it ends."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        figures = {}
        if path.exists():
            try:
                figures = json.loads(path.read_text(encoding="utf-8"))
            except ValueError:
                figures = {}
        figures[backend_name] = entry
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
