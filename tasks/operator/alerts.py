"""Alerts to the office when something breaks: a failed or crashed run, a daily sweep that has not run by
mid-morning, notices (or channel messages) stuck in the outbox, a sign-off waiting too long (filed by the daily
sweep's `signoff-waiting` step, tasks/publication/signoff_waiting.py). Prefect's automations notice it (deployments/alerts.py) and start the
alert-office flow, which files the alert here as a notice to the office: through the outbox, so each alert
is e-mailed once however often the automation fires for the same occurrence.
"""

from datetime import date

from prefect.events import emit_event
from sqlmodel import Session

from core.db import session_scope
from core.errors import InputError
from core.settings import get_settings
from models.queries import office
from tasks.channels.report import stuck_messages
from tasks.documents.contexts import doc_no
from tasks.documents.issuing import Paper, issue_many
from tasks.operator.outbox_report import stuck_notices

# alert -> (title, what it means and what to do)
ALERTS = {
    "run-failed": ("运行失败", "一次工作流运行失败或崩溃。请在 Prefect 界面的“运行”页查看该运行的日志与错误信息；"
                               "修正原因后重新运行。每日巡检漏跑的事项会在下次巡检时补做。"),
    "sweep-missing": ("每日巡检未按时完成", "今天上午10:00前每日巡检（daily-sweep）未完成。请检查 `dudao serve` "
                                         "或工作进程是否在运行，并手动运行 daily-sweep（或 `dudao sweep`）。"),
    "outbox-stuck": ("通知滞留", "有通知多次投递失败，仍滞留在发件箱。请检查邮件服务器，再运行 deliver-outbox "
                                 "或 `dudao notices --stuck` 查看、`dudao notices retry ID` 重发；群机器人与短信消息用 "
                                 "`dudao channels --stuck` 查看（检查机器人地址、短信网关）。"),
    "signoff-waiting": ("督导报告签发等待过久", "一份已出具的督导报告超过规定的工作日仍未签发公开。请在 Prefect 界面的"
                                          "“报告签发”运行中签发，或运行 `dudao approve 督导编号`。"),
}
STUCK_EVENT = "dudao.outbox.stuck"


def queue_alert(session: Session, alert: str, occurrence: str, subject: str, as_of: date) -> int | None:
    """File one alert to the office (once per alert and occurrence). Returns the new notice's id, or None."""
    return queue_alerts(session, alert, [(occurrence, subject)], as_of)[0]


def queue_alerts(session: Session, alert: str, occurrences: list[tuple[str, str]], as_of: date) -> list[int | None]:
    """File an alert to the office for each (occurrence, subject), once per alert and occurrence, in one batch
    (one key lookup, one insert: a sweep that alerts of hundreds of reports holds the ledger briefly). Returns
    the new notices' ids in order, None for an occurrence alerted before."""
    if alert not in ALERTS:
        raise InputError(f"告警类型“{alert}”不存在；可用：{'、'.join(ALERTS)}")
    if not occurrences:
        return []
    title, advice = ALERTS[alert]
    the_office = office(session, "OFFICE")
    return issue_many(session, [
        Paper(key=f"alert:{alert}:{occurrence}"[:120], kind="alert", title=f"系统告警：{title}", issued_on=as_of,
              unit=the_office, context={"unit": the_office, "alert_title": title, "advice": advice, "subject": subject,
                                        "occurrence": occurrence, "doc_no": doc_no("alert", as_of.year, 1)})
        for occurrence, subject in occurrences])


def report_stuck_notices(as_of: date) -> int:
    """Emit the event the outbox-stuck automation watches when notices or channel messages are stuck. Returns
    how many are."""
    max_attempts = get_settings().smtp_max_attempts
    with session_scope() as session:
        total = stuck_notices(session, max_attempts, limit=1)[0] + stuck_messages(session, max_attempts, limit=1)[0]
    if total:
        emit_event(STUCK_EVENT, resource={"prefect.resource.id": "dudao.outbox", "prefect.resource.name": "通知发件箱"},
                   payload={"stuck": total, "as_of": as_of.isoformat()})
    return total
