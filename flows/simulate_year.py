"""simulate-year: replay a year day by day, in month-sized task runs (one flow run per day would cost
minutes; docs/ARCHITECTURE.md says why), with a progress artifact and the year's summary as a table artifact."""

from datetime import date, timedelta

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_progress_artifact, create_table_artifact, update_progress_artifact
from sqlmodel import select

from core import progress
from core.db import session_scope
from core.errors import InputError
from core.settings import get_settings
from flows.naming import flow_run_name
from models import SimulationRun
from rules.runtime import load_runtime
from tasks.documents.filing import drain_pdfs, recover_files
from tasks.mail.delivery import deliver_notices
from tasks.operator.summary import year_summary
from tasks.simulation.days import simulate_day


def check_request(year: int, seed: int, until: date | None) -> None:
    """Refuse, before anything runs or is written, what start_or_resume would refuse or silently ignore: a
    year already simulated with another seed, or a last day outside the year."""
    if until is not None and until.year != year:
        raise InputError(f"--until {until} 不在 {year} 年内")
    with session_scope() as session:
        run = session.get(SimulationRun, year)
        if run is not None and run.seed != seed:
            raise InputError(f"{year} 年是以 --seed {run.seed} 而不是 {seed} 模拟的：请以 "
                             f"--seed {run.seed} 续跑，或从空台账开始")


def start_or_resume(year: int, seed: int) -> date:
    """The first day still to simulate (a run of the same year resumes; another seed is refused)."""
    with session_scope() as session:
        run = session.get(SimulationRun, year)
        if run is None:
            session.add(SimulationRun(year=year, seed=seed))
            return date(year, 1, 1)
        if run.seed != seed:
            raise ValueError(f"year {year} was simulated with seed {run.seed}, not {seed}")
        # A killed run leaves tickets of PDFs it had no time to set: set them now, not one by one when a notice
        # waits for its attachment (a minute's patience each).
        recover_files(session, get_settings().out_dir)
        return (run.last_day + timedelta(days=1)) if run.last_day else date(year, 1, 1)


@task(name="simulate-days", task_run_name="simulate {start} … {end}")
def simulate_days(year: int, start: date, end: date) -> dict[str, int]:
    """Simulate the days from start to end, one transaction per day. Returns totals moved by step."""
    rt, totals = load_runtime(), {}
    day = start
    while day <= end:
        with session_scope() as session:
            run = session.exec(select(SimulationRun).where(SimulationRun.year == year)).one()
            for step, count in simulate_day(session, run, day, rt).items():
                totals[step] = totals.get(step, 0) + count
        day += timedelta(days=1)
    return totals


def month_chunks(start: date, until: date) -> list[tuple[date, date]]:
    chunks, day = [], start
    while day <= until:
        next_month = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        end = min(until, next_month - timedelta(days=1))
        chunks.append((day, end))
        day = end + timedelta(days=1)
    return chunks


@flow(name="simulate-year", flow_run_name=flow_run_name("模拟{year}年度督导"), log_prints=False)
def simulate_year(year: int, seed: int = 2026, until: date | None = None) -> dict:
    """Replay the year (or up to `until`) and deliver the notices it produced (each month's while the next
    month is simulated; the notices of days already simulated may go with it, never before their date).

    Args:
        year: the year to simulate.
        seed: how simulated people behave; the same seed repeats the same year.
        until: the last day to simulate (default: 31 December).

    Returns:
        the year's summary.
    """
    logger = get_run_logger()
    until = min(until or date(year, 12, 31), date(year, 12, 31))
    chunks = month_chunks(start_or_resume(year, seed), until)
    artifact = create_progress_artifact(0.0, key=f"simulate-{year}", description=f"{year} 模拟进度")
    delivery = None
    for n, (start, end) in enumerate(chunks, start=1):
        moved = simulate_days(year, start, end)
        if delivery is not None:
            delivery.result()  # one delivery at a time; a failed one fails the run here
        # The month's notices are built and filed by worker processes while this thread simulates the next
        # month: the second core does the e-mail while the first does the ledger.
        delivery = deliver_notices.submit(end)
        logger.info("%s … %s: %s", start, end, moved)
        update_progress_artifact(artifact, 100.0 * n / len(chunks))
        progress.report(100.0 * n / len(chunks), str(end))
    if delivery is not None:
        delivery.result()
    drain_pdfs()  # the year's documents all have their PDFs (set after each commit, by the PDF workers) before it ends
    if not chunks:  # resumed with nothing left to simulate: done, not stuck at 0 %
        update_progress_artifact(artifact, 100.0)
    with session_scope() as session:
        summary = year_summary(session, year)
    _summary_artifact(year, summary)
    return summary


def _summary_artifact(year: int, summary: dict) -> None:
    rows = [{"表": part, "项": key, "数量": count}
            for part in ("inspections", "rectification", "ladder", "notices")
            for key, count in summary[part].items()]
    create_table_artifact(rows, key=f"summary-{year}", description=f"{year}年度督导台账汇总")
