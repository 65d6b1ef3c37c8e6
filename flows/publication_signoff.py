"""publication-signoff: an operator reads an issued report in the Prefect UI and signs it off for
publication (签发).

A run of the deployment *suspends* while it waits (`suspend_flow_run`): its process ends, so a sign-off that
waits days holds no worker, and when the operator resumes it with the form the run is started again from the
top, finds the same suspension (same key) answered and carries on. It waits until the end of the
`release_workdays`-th working day (policy) by default; a sign-off not given by then fails the run (and the
office's run-failed alert fires); `dudao approve CODE` signs off from a terminal at any time. A run started
by hand outside a deployment has nobody to start it again, so it pauses for a short while instead.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from prefect import flow, get_client, get_run_logger, task
from prefect.exceptions import FlowPauseTimeout
from prefect.flow_runs import pause_flow_run, suspend_flow_run
from prefect.input import RunInput
from prefect.runtime import deployment, flow_run
from prefect.states import Running
from pydantic import Field

from core import clock
from core.db import session_scope
from core.settings import get_settings
from models import Inspection
from rules.runtime import load_runtime
from tasks.operator.artifacts import report_markdown
from tasks.operator.run_labels import add_run_tags
from tasks.publication.signoff import approve, find_inspection, run_label


class SignOff(RunInput):
    """The form in the UI's resume dialog."""

    approve: bool = Field(default=True, title="同意公开", description="勾选即签发该督导报告，下一次巡检时公开")
    operator: str = Field(default="operator", title="签发人", max_length=40)
    note: str = Field(default="", title="签发意见", max_length=500)


def _signoff_run_name() -> str:
    with session_scope() as session:
        inspection = find_inspection(session, str(flow_run.parameters.get("inspection", "")))
        return run_label(session, inspection)[0]


@task(name="read-report", task_run_name="读取报告 · {inspection}")
def read_report(inspection: str) -> dict:
    """The report's markdown, its code, whether it is released already, and the run's tags."""
    with session_scope() as session:
        found: Inspection = find_inspection(session, inspection)
        return {"code": found.code, "released_on": found.released_on, "issued": found.issued_on is not None,
                "markdown": report_markdown(session, found), "tags": run_label(session, found)[1]}


@task(name="release-report", task_run_name="签发 · {inspection}")
def release(inspection: str, as_of: date, actor: str) -> str:
    with session_scope() as session:
        outcome = approve(session, inspection, as_of, actor=actor)
    return f"{outcome.code} released on {outcome.released_on}" + ("" if outcome.newly else " (before)")


def _ask(report: dict, timeout_seconds: int) -> SignOff | None:
    description = (report["markdown"] + f"\n\n---\n请在 {_wait_text(timeout_seconds)} 内签发；"
                   f"超时后请运行 `dudao approve {report['code']}`。\n")
    form, key = SignOff.with_initial_data(description=description), f"signoff-{report['code'].lower()}"
    if deployment.id is not None:
        return suspend_flow_run(wait_for_input=form, timeout=timeout_seconds, key=key)  # the process ends here
    try:
        return pause_flow_run(wait_for_input=form, timeout=timeout_seconds, key=key)
    except FlowPauseTimeout:
        _carry_on_after_timeout()
        return None


def default_timeout(as_of: date) -> int:
    """Seconds until the end (Asia/Shanghai) of the policy's `release_workdays`-th working day after `as_of`."""
    rt = load_runtime()
    last_day = rt.calendar.add_workdays(as_of, rt.policy.inspection.release_workdays)
    end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=ZoneInfo(get_settings().timezone))
    return max(3600, int((end - clock.now()).total_seconds()))


def _wait_text(seconds: int) -> str:
    return f"{seconds // 86400} 天 {seconds % 86400 // 3600} 小时" if seconds >= 86400 else f"{seconds // 60} 分钟"


def _carry_on_after_timeout() -> None:
    """The server fails a run that completes without being resumed; a sign-off nobody gave is no failure
    (the CLI gives it later), so the run takes itself out of the pause and ends Completed."""
    with get_client(sync_client=True) as client:
        client.set_flow_run_state(flow_run.get_id(), Running(message="sign-off not given in time"), force=True)


@flow(name="publication-signoff", flow_run_name=_signoff_run_name)
def publication_signoff(inspection: str, timeout_seconds: int | None = None, as_of: date | None = None) -> str:
    """Ask an operator to sign off one issued report in the UI; release it if they approve.

    Args:
        inspection: the inspection's code (e.g. 2026-ZH-001) or id.
        timeout_seconds: how long the run waits for the operator (default: to the end of the policy's
            `release_workdays`-th working day; suspended meanwhile, so no process waits).
        as_of: the release date (default: today).

    Returns:
        what happened, in one line.
    """
    logger = get_run_logger()
    report = read_report(inspection)
    add_run_tags(report["tags"])
    if report["released_on"] is not None or not report["issued"]:
        return f"{report['code']}: nothing to sign off (released {report['released_on']}, issued {report['issued']})"
    timeout_seconds = timeout_seconds or default_timeout(clock.today())
    answer = _ask(report, timeout_seconds)
    if answer is None:
        message = (f"{report['code']}: no sign-off within {timeout_seconds} s; "
                   f"release it with `dudao approve {report['code']}`")
        logger.warning(message)
        return message
    if not answer.approve:
        logger.info("%s held back by %s: %s", report["code"], answer.operator, answer.note)
        return f"{report['code']}: held back by {answer.operator}"
    return release(report["code"], clock.resolve(as_of), f"ui:{answer.operator}"[:40])
