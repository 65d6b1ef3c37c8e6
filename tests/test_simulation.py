"""A simulated year through the real flows: the cycle runs end to end, re-runs add nothing, a killed run
resumes to the same result."""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import func, select

from core.db import session_scope
from models import (
    AuditEvent,
    Inspection,
    Interview,
    Notice,
    RectificationItem,
    SimulationRun,
    Submission,
    Unit,
)
from models.planning import PlanEntry
from tasks.operator.summary import year_summary
from tests.conftest import REPO, run_cli
from tests.figures import tally


def _summary(year=2026):
    with session_scope() as session:
        return year_summary(session, year)


def test_a_simulated_year_walks_every_stage(seeded, prefect_harness):
    from flows.simulate_year import simulate_year

    summary = simulate_year(2026, seed=7)
    # the plan drives the year: every kind runs, and the annual school inspections follow the rotation (a third
    # of the 60 schools), not the roster (issue 16: the year had only {"annual": 103})
    assert set(summary["inspections_by_kind"]) == {"annual", "term_end", "special", "random", "covert",
                                                   "emergency", "routine"}
    with session_scope() as session:
        schools = session.exec(select(func.count()).select_from(Inspection).join(
            Unit, Inspection.unit_id == Unit.id).where(Inspection.kind == "annual", Unit.kind == "school")).one()
        planned = session.exec(select(func.count()).select_from(PlanEntry).join(
            Unit, PlanEntry.unit_id == Unit.id).where(PlanEntry.year == 2026, PlanEntry.kind == "annual",
                                                      Unit.kind == "school", PlanEntry.status == "scheduled")).one()
        routine_findings = session.exec(select(func.count()).select_from(RectificationItem).join(
            Inspection, RectificationItem.inspection_id == Inspection.id).where(Inspection.kind == "routine")).one()
    assert schools == planned == 20 and summary["inspections_by_kind"]["annual"] == 28 + 15 + 20
    assert routine_findings > 0  # routine visits' problems opened findings that follow the rectification path
    # the new paths through the commands' functions: an illegal act referred at once, a 约谈 raised by hand and
    # its record filed after it, the self-evaluation report to the city by mid-May
    assert summary["notices"]["referral"] >= 1 and summary["notices"]["interview_summons"] >= 1
    assert summary["notices"]["self_evaluation_report"] == 1
    with session_scope() as session:
        by_hand = session.exec(select(Interview).where(Interview.item_id.is_(None))).all()
    assert by_hand and all(i.held_on == i.scheduled_on > i.notified_on for i in by_hand if i.held_on)
    assert summary["inspections"].get("closed", 0) > 0
    assert summary["rectification"].get("closed", 0) > 0
    assert summary["overdue_items"] > 0
    assert summary["ladder"].get("urge", 0) > 0
    with session_scope() as session:  # a 督导通知书 for every announced inspection whose notice day came
        announced = session.exec(select(func.count()).select_from(Inspection).where(
            Inspection.kind.in_(("annual", "term_end", "special", "random")), Inspection.covert.is_(False),
            Inspection.notice_on <= date(2026, 12, 31))).one()
    assert summary["notices"]["notice"] == announced >= 80
    assert summary["notices_by_status"] == {"sent": sum(summary["notices"].values())}
    out = seeded.out_dir / "2026"
    reports = [p for p in out.glob("*/*report.html") if not p.name.endswith("_emergency_report.html")]
    assert len(reports) == summary["documents"]["report"]  # the emergency's upward report is another kind
    assert len(list((seeded.outbox_dir / "new").iterdir())) == sum(summary["notices"].values())


def test_sweeping_a_day_again_adds_nothing(seeded, prefect_harness):
    from flows.daily_sweep import daily_sweep
    from flows.simulate_year import simulate_year

    simulate_year(2026, seed=3, until=date(2026, 5, 20))
    before = _counts()
    assert all(before) and before[3] == before[0], before  # notices made, filed and delivered
    daily_sweep(date(2026, 5, 20))
    simulate_year(2026, seed=3, until=date(2026, 5, 20))
    assert _counts() == before


class _Killed(Exception):
    """Stands for a kill -9 in the middle of a day's transaction: the day's work is rolled back."""


def _outcome(year: int = 2026) -> tuple[dict, Counter]:
    """The year's summary and its audit trail without ids (a database hands out the ids; the course of the
    year must not depend on them)."""
    with session_scope() as session:
        trail = Counter(session.exec(select(AuditEvent.entity, AuditEvent.event, AuditEvent.from_stage,
                                            AuditEvent.to_stage, AuditEvent.as_of, AuditEvent.actor)).all())
        return year_summary(session, year), trail


def _simulate(year: int, seed: int, until: date, kill_from: date | None = None) -> None:
    """The simulate-year flow's days without Prefect. With `kill_from`: the first day from then on whose
    transaction hands in a rectification report is rolled back once (the kill), then the days go on."""
    from flows.simulate_year import simulate_days, start_or_resume
    from rules.runtime import load_runtime
    from tasks.simulation.days import simulate_day

    start = start_or_resume(year, seed)
    if kill_from is not None:
        simulate_days.fn(year, start, kill_from - timedelta(days=1))
        rt, day, killed = load_runtime(), kill_from, False
        while not killed and day <= until:
            try:
                with session_scope() as session:
                    reports = session.exec(select(func.count()).select_from(Submission)).one()
                    simulate_day(session, session.get(SimulationRun, year), day, rt)
                    session.flush()
                    if session.exec(select(func.count()).select_from(Submission)).one() > reports:
                        raise _Killed
                day += timedelta(days=1)
            except _Killed:
                killed = True
        assert killed, "no day to kill: no report was handed in"
        start = day
    simulate_days.fn(year, start, until)


def test_a_day_killed_mid_transaction_does_not_change_the_year(seeded, tmp_path, monkeypatch):
    """A kill -9 inside a day's transaction loses its rows, and on PostgreSQL also the ids they took (sequences
    are not rolled back). The resumed year must still end as an uninterrupted one: simulated people decide by
    what a thing is (unit, inspection, finding), never by its id."""
    _simulate(2026, 11, date(2026, 12, 31), kill_from=date(2026, 6, 1))
    tally("faults.killed_day_rolled_back")
    killed = _outcome()
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(RectificationItem)).one() > 100

    other = tmp_path / "uninterrupted"
    other.mkdir()
    url = _fresh_ledger(seeded, other)
    from tasks.exchange.district_file import load_district, read_district_file
    from tests.conftest import _engines_seen, _reset_caches

    _engines_seen.add(url)
    monkeypatch.setenv("DUDAO_DATABASE_URL", url)
    _reset_caches()
    with session_scope() as session:
        load_district(session, read_district_file(REPO / "data" / "nanan.toml"))
    _simulate(2026, 11, date(2026, 12, 31))
    uninterrupted = _outcome()
    assert killed[0] == uninterrupted[0]
    assert killed[1] == uninterrupted[1]


def _counts():
    """Notices and audit events in the ledger; document files and Maildir messages on disk."""
    from core.settings import get_settings

    settings = get_settings()
    with session_scope() as session:
        return (session.exec(select(func.count()).select_from(Notice)).one(),
                session.exec(select(func.count()).select_from(AuditEvent)).one(),
                sum(1 for _ in settings.out_dir.rglob("*.html")),
                sum(1 for _ in (settings.outbox_dir / "new").iterdir()))


def _env(settings, var: Path, url: str, api_url: str) -> dict:
    return {"DUDAO_VAR_DIR": str(var), "DUDAO_DATABASE_URL": url, "PREFECT_API_URL": api_url}


def test_a_killed_simulation_resumes_to_the_same_year(seeded, prefect_harness, tmp_path):
    """kill -9 in the middle of the year, start again: the same final counts as an uninterrupted run."""
    env = _env(seeded, seeded.var_dir, seeded.ledger_url, prefect_harness)
    proc = subprocess.Popen([str(Path(sys.executable).parent / "dudao"), "simulate", "--year", "2026", "--seed", "11"],
                            env={**os.environ, **env}, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _wait_until_past(date(2026, 6, 15), proc)  # rectification under way: days that insert rows
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    with session_scope() as session:  # killed in the middle of the year, not after it
        assert session.get(SimulationRun, 2026).last_day < date(2026, 12, 1)
    assert run_cli("simulate", "--year", "2026", "--seed", "11", env=env).returncode == 0
    resumed = json.loads(run_cli("summary", "--year", "2026", "--json", env=env).stdout)

    other = tmp_path / "uninterrupted"
    other.mkdir()
    clean_url = _fresh_ledger(seeded, other)
    env2 = _env(seeded, other / "var", clean_url, prefect_harness)
    assert run_cli("seed", env=env2).returncode == 0
    assert run_cli("simulate", "--year", "2026", "--seed", "11", env=env2).returncode == 0
    uninterrupted = json.loads(run_cli("summary", "--year", "2026", "--json", env=env2).stdout)
    assert resumed == uninterrupted
    assert _trail(seeded.ledger_url) == _trail(clean_url)  # the same events, whatever ids they got
    assert _mail(seeded.var_dir) == _mail(other / "var")  # every notice once in the Maildir, none lost


def _trail(url: str) -> Counter:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        trail = Counter(tuple(row) for row in conn.execute(text(
            "SELECT entity, event, from_stage, to_stage, as_of, actor FROM auditevent")))
    engine.dispose()
    return trail


def _mail(var: Path) -> Counter:
    """Maildir messages by kind and subject (the Message-ID holds a key that may hold an id)."""
    from email import message_from_binary_file, policy

    found = Counter()
    for path in (var / "outbox" / "new").iterdir():
        with path.open("rb") as handle:
            message = message_from_binary_file(handle, policy=policy.default)
        found[(message["X-Dudao-Key"].split(":")[-1], str(message["Subject"]))] += 1
    return found


def _wait_until_past(day: date, proc, limit: float = 120) -> None:
    from models import SimulationRun

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and proc.poll() is None:
        with session_scope() as session:
            run = session.get(SimulationRun, 2026)
            if run is not None and run.last_day is not None and run.last_day >= day:
                return
        time.sleep(0.2)
    raise AssertionError(f"the simulation did not reach {day}")


def _fresh_ledger(seeded, folder: Path) -> str:
    """A second ledger beside the test's own: another SQLite file, or another PostgreSQL schema-less DB."""
    from core.db import migrate

    if seeded.ledger_url.startswith("sqlite"):
        url = f"sqlite:///{folder / 'ledger.db'}"
    else:
        # beside the test's own database, named after it (helpers and CI runs on one server do not collide)
        url = _postgres_database(seeded.ledger_url, seeded.ledger_url.rsplit("/", 1)[1] + "_uninterrupted")
    migrate(url)
    return url


def _postgres_database(url: str, name: str) -> str:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return url.rsplit("/", 1)[0] + f"/{name}"


def test_a_simulated_year_shows_its_progress_and_its_summary_as_artifacts(seeded, prefect_harness):
    """What an operator watching the long run sees in the UI: progress up to 100 %, then the summary table,
    also for a resumed run that finds nothing left to do."""
    import asyncio

    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    from flows.simulate_year import simulate_year

    async def latest(key: str):
        async with get_client() as client:
            [found] = await client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
                                                  sort=ArtifactSort.CREATED_DESC, limit=1)
            return found

    for _ in range(2):  # the second run resumes with nothing left to simulate
        state = simulate_year(2026, seed=3, until=date(2026, 2, 10), return_state=True)
        progress = asyncio.run(latest("simulate-2026"))
        assert progress.type == "progress" and float(progress.data) == 100.0
        assert progress.flow_run_id == state.state_details.flow_run_id
    summary = asyncio.run(latest("summary-2026"))
    rows = json.loads(summary.data) if isinstance(summary.data, str) else summary.data
    assert summary.description == "2026年度督导台账汇总"
    expected = [{"表": "inspections", "项": stage, "数量": n} for stage, n in _summary()["inspections"].items()]
    assert expected and all(row in rows for row in expected)
