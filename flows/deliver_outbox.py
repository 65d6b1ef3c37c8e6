"""deliver-outbox: deliver the notices that are due, by hand (`dudao notices deliver`) or on a schedule.

The daily sweep delivers after its steps; this flow is the same delivery on its own, with a table of
what is failed or stuck for operators. No secret passes through here: the task reads the SMTP settings.
"""

from datetime import date

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.runtime import flow_run

from core import clock
from core.db import session_scope
from core.settings import get_settings
from tasks.channels.report import CHANNEL_LABELS, failed_messages, stuck_messages
from tasks.mail.delivery import deliver_notices
from tasks.mail.smtp_config import smtp_config
from tasks.operator.alerts import report_stuck_notices
from tasks.operator.outbox_report import failed_notices, stuck_notices

ROWS = 20


def _run_name() -> str:
    return f"投递通知 · {flow_run.parameters.get('as_of') or clock.today()}"


def _row(label: str, notice) -> dict:
    return {"类别": label, "id": notice.id, "key": notice.key, "attempts": notice.attempts, "subject": notice.subject,
            "last_error": notice.last_error[:300]}


def _channel_rows() -> list[dict]:
    """The channel messages (群机器人, 短信) failed or stuck, in the same columns (subject: the channel)."""
    with session_scope() as session:
        failed = failed_messages(session, ROWS)[1]
        stuck = stuck_messages(session, get_settings().smtp_max_attempts, ROWS)[1]
    return [{"类别": label, "id": m.id, "key": m.key, "attempts": m.attempts,
             "subject": CHANNEL_LABELS.get(m.channel, m.channel), "last_error": m.last_error[:300]}
            for label, messages in (("渠道消息失败", failed), ("渠道消息滞留", stuck)) for m in messages]


@task(name="outbox-table", task_run_name="投递结果 · {as_of}")
def publish_outbox_table(as_of: date, counts: dict[str, int]) -> int:
    """One table: the counts of this delivery, then failed and stuck notices (id, key, attempts, reason).

    Returns:
        how many rows the table has.
    """
    with session_scope() as session:
        failed_total, failed = failed_notices(session, ROWS)
        stuck_total, stuck = stuck_notices(session, get_settings().smtp_max_attempts, ROWS)
    rows = [{"类别": "投递", "id": "", "key": outcome, "attempts": count, "subject": "", "last_error": ""}
            for outcome, count in counts.items()]
    rows += [_row("失败", n) for n in failed] + [_row("滞留", n) for n in stuck]
    for label, total, shown, flag in (("失败", failed_total, failed, "--failed"), ("滞留", stuck_total, stuck, "--stuck")):
        if total > len(shown):
            rows.append({"类别": label, "id": "", "key": f"其余 {total - len(shown)} 条", "attempts": "",
                         "subject": "", "last_error": f"dudao notices {flag}"})
    rows += _channel_rows()
    create_table_artifact(rows, key="notice-delivery", description=f"{as_of} 通知投递：失败与滞留")
    return len(rows)


@flow(name="deliver-outbox", flow_run_name=_run_name)
def deliver_outbox(as_of: date | None = None) -> dict[str, int]:
    """Deliver every notice due on `as_of` (default: today): SMTP when configured, else the Maildir.

    Args:
        as_of: held notices (covert inspections) go out only from their date on.

    Returns:
        counts: sent, transient, permanent, and stuck (pending after DUDAO_SMTP_MAX_ATTEMPTS attempts).
    """
    as_of = clock.resolve(as_of)
    smtp_config(get_settings())  # a settings mistake fails the run here, with one clear line
    counts = deliver_notices(as_of)
    publish_outbox_table(as_of, counts)
    report_stuck_notices(as_of)  # the outbox-stuck automation alerts the office
    return counts
