"""alert-office: started by a Prefect automation (deployments/alerts.py) when a run failed, the daily sweep is
late or notices are stuck; files the alert to the office and delivers it (e-mail, or the Maildir)."""

from datetime import date

from prefect import flow, task

from core import clock
from core.db import session_scope
from tasks.mail.delivery import deliver_notices
from tasks.operator.alerts import queue_alert


@task(name="queue-alert", task_run_name="告警入发件箱 · {alert}")
def queue_alert_task(alert: str, occurrence: str, subject: str, as_of: date) -> int | None:
    with session_scope() as session:
        return queue_alert(session, alert, occurrence, subject, as_of)


@flow(name="alert-office", flow_run_name="告警督导室 · {alert}")
def alert_office(alert: str, occurrence: str = "", subject: str = "", as_of: date | None = None) -> int | None:
    """Tell the office by e-mail, once per alert and occurrence.

    Args:
        alert: run-failed, sweep-missing or outbox-stuck.
        occurrence: what the alert is about (a flow run's id; default: the day), which makes it once.
        subject: a line naming it (the failed run's name, say).
        as_of: the day (default: today).

    Returns:
        the alert notice's id, or None when this occurrence had been alerted before.
    """
    as_of = clock.resolve(as_of)
    notice_id = queue_alert_task(alert, occurrence or as_of.isoformat(), subject, as_of)
    deliver_notices(as_of)
    return notice_id
