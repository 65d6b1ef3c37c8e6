"""simulate-month: one month of a simulated year as its own flow run, so a year can be spread over the
workers of a work pool. A month needs the month before it: the first task waits (by retrying) until the
ledger's simulation cursor has reached the end of the previous month, so months submitted together run
in order whichever worker picks them up. Twelve months give the same ledger as `simulate-year`."""

from datetime import date, timedelta

from prefect import flow, get_run_logger, task

from flows.naming import flow_run_name
from flows.simulate_year import simulate_days, start_or_resume
from tasks.mail.delivery import deliver_notices


class PreviousMonthPending(RuntimeError):
    """The month before has not been simulated yet."""


def month_bounds(year: int, month: int) -> tuple[date, date]:
    first = date(year, month, 1)
    return first, date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


@task(name="await-previous-month", task_run_name="等待上月完成 · {year}-{month:02d}", retries=60,
      retry_delay_seconds=2)
def first_day_to_simulate(year: int, month: int, seed: int) -> date:
    """The first day of this month still to simulate; raises (and so is retried) while the month before
    is not done."""
    first_open = start_or_resume(year, seed)
    month_start, _ = month_bounds(year, month)
    if first_open < month_start:
        raise PreviousMonthPending(f"{year}: simulated up to {first_open - timedelta(days=1)}, "
                                   f"month {month} waits for the months before it")
    return first_open


@flow(name="simulate-month", flow_run_name=flow_run_name("模拟{year}年{month}月督导"))
def simulate_month(year: int, month: int, seed: int = 2026) -> dict[str, int]:
    """Simulate one month (resuming inside it if a run stopped) and deliver its notices.

    Args:
        year: the simulated year.
        month: 1 to 12.
        seed: how simulated people behave; all months of a year use the same seed.

    Returns:
        totals moved by step (empty when the month was done before).
    """
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1 to 12, not {month}")
    start = first_day_to_simulate(year, month, seed)
    _, end = month_bounds(year, month)
    if start > end:
        get_run_logger().info("%s-%02d was simulated before", year, month)
        return {}
    moved = simulate_days(year, start, end)
    deliver_notices(end)
    return moved
