"""daily-sweep: every working morning, move what is due today and deliver the notices it produced."""

from datetime import date

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact

from dudao import clock
from dudao.runtime import load_runtime
from tasks.delivery import deliver_notices
from tasks.sweep import STEPS, advance_stage


@flow(name="daily-sweep", flow_run_name="每日督导巡检 · {as_of}")
def daily_sweep(as_of: date | None = None, skip_non_working_days: bool = True) -> dict[str, int]:
    """Run every time-driven step for one day, then deliver.

    Args:
        as_of: the day (default: today in Asia/Shanghai).
        skip_non_working_days: the schedule fires Monday to Friday; holidays are skipped here.

    Returns:
        how many entities each step moved, and delivery counts.
    """
    as_of = clock.resolve(as_of)
    logger = get_run_logger()
    if skip_non_working_days and not load_runtime().calendar.is_workday(as_of):
        logger.info("%s is not a working day: nothing to do", as_of)
        return {}
    moved = {step: len(advance_stage(step, as_of)) for step in STEPS}
    delivered = deliver_notices(as_of)
    create_table_artifact([{"步骤": step, "数量": count} for step, count in {**moved, **delivered}.items()],
                          key="daily-sweep", description=f"{as_of} 巡检结果")
    return {**moved, **{f"delivered_{k}": v for k, v in delivered.items()}}
