"""daily-sweep: every working morning, move what is due today and deliver the notices it produced."""

from datetime import UTC, date, datetime

from prefect import flow, get_run_logger, task
from prefect.runtime import flow_run

from core import clock
from core.db import session_scope
from core.settings import get_settings
from models import Inspection
from rules.runtime import load_runtime
from tasks.documents.filing import drain_pdfs, recover_files
from tasks.mail.delivery import deliver_notices
from tasks.operator.alerts import report_stuck_notices
from tasks.operator.artifacts import publish_report_artifacts, publish_sweep_table
from tasks.operator.provisional_calendar import publish_provisional_calendar_warning
from tasks.publication.signoff import request_signoffs
from tasks.sweep import STEPS, advance_stage


def _sweep_run_name() -> str:
    """A scheduled run has no as_of: its name says the day it sweeps."""
    return f"每日督导巡检 · {flow_run.parameters.get('as_of') or clock.today()}"


@task(name="request-signoffs", task_run_name="请求签发 · {as_of}")
def request_report_signoffs(inspection_ids: list[int], as_of: date, timeout_seconds: int | None = None) -> list[str]:
    """Start the UI sign-off of each report issued today (deployment publication-signoff; each suspends while it
    waits, by default to the end of the policy's `release_workdays`-th working day)."""
    with session_scope() as session:
        codes = [session.get(Inspection, i).code for i in inspection_ids]
    return request_signoffs(codes, timeout_seconds)


@task(name="recover-document-files", task_run_name="补齐中断留下的文件")
def recover_document_files() -> dict[str, int]:
    """Files a process killed after its commit left: HTML under temporary names put in place and PDFs set (their
    documents are in the ledger), or removed (their batch was rolled back)."""
    with session_scope() as session:
        return recover_files(session, get_settings().out_dir)


@flow(name="daily-sweep", flow_run_name=_sweep_run_name)
def daily_sweep(as_of: date | None = None, skip_non_working_days: bool = True,
                request_signoff: bool = False) -> dict[str, int]:
    """Run every time-driven step for one day, then deliver.

    Args:
        as_of: the day (default: today in Asia/Shanghai).
        skip_non_working_days: the schedule fires Monday to Friday; holidays are skipped here.
        request_signoff: start a UI sign-off run for each report issued today (the deployment does).

    Returns:
        how many entities each step moved, and delivery counts.
    """
    as_of = clock.resolve(as_of)
    logger = get_run_logger()
    if skip_non_working_days and not load_runtime().calendar.is_workday(as_of):
        logger.info("%s 不是工作日：今天不办理", as_of)
        return {}
    recovered = recover_document_files()
    if any(recovered.values()):
        logger.warning("中断留下的文件：%s 个已归位，%s 份 PDF 已补排，%s 个已清除", recovered["placed"],
                       recovered["pdfs"], recovered["removed"])
    moved = {step: advance_stage(step, as_of) for step in STEPS}
    if moved.get("issue"):
        publish_report_artifacts(moved["issue"], as_of)
        if request_signoff:
            request_report_signoffs(moved["issue"], as_of)
    started = datetime.now(UTC)  # the notices this run delivers are those sent from here on
    delivered = deliver_notices(as_of)
    publish_sweep_table(as_of, moved, delivered, since=started)
    publish_provisional_calendar_warning(as_of)
    report_stuck_notices(as_of)  # the outbox-stuck automation alerts the office
    drain_pdfs()  # the PDFs of the day's documents, set after their commits, are all on disk when the run ends
    return {**{step: len(ids) for step, ids in moved.items()}, **{f"delivered_{k}": v for k, v in delivered.items()}}
