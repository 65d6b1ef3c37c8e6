"""The office's alerts as Prefect automations, declared once here and applied by `dudao serve` (or
`dudao alerts apply` after `prefect deploy`): a failed or crashed run, a daily sweep that has not completed by
10:00 Asia/Shanghai, notices stuck in the outbox.

Each automation does two things: it starts the alert-office deployment, which files the alert as a notice
to the office (e-mail through the outbox, once per occurrence: flows/alert_office.py), and, when
`DUDAO_ALERT_WEBHOOK_URL` is set, posts it to that webhook (a work group's robot, WeCom/DingTalk style JSON)
through a Prefect notification block. Applying again replaces them: the names are the keys.
"""

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from prefect import get_client
from prefect.blocks.notifications import CustomWebhookNotificationBlock
from prefect.events.actions import RunDeployment, SendNotification
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture

from tasks.operator.alerts import ALERTS, STUCK_EVENT

ALERT_DEPLOYMENT = "alert-office/alert-office"
WEBHOOK_BLOCK = "dudao-office-alerts"
# Every deployment of the catalog carries one of these tags except alert-office itself: its own failure must
# not start it again.
WATCHED_TAGS = ("scheduled", "manual", "simulation")
# The sweep runs at 08:30 every day (it skips non-working days itself, and completes): 25.5 hours after the
# last completed sweep is 10:00 of the next morning.
SWEEP_WITHIN = timedelta(hours=25, minutes=30)
AUTOMATION_TAG = "dudao-alert"


@dataclass(frozen=True)
class Alert:
    """One automation: which alert, what fires it, and how its occurrence and subject are read from the event."""

    alert: str
    trigger: EventTrigger
    occurrence: str = ""  # a Jinja template over the event; "" means once per day
    subject: str = ""

    @property
    def name(self) -> str:
        return f"督导告警：{ALERTS[self.alert][0]}"


def declared_alerts(sweep_within: timedelta = SWEEP_WITHIN) -> list[Alert]:
    """The three alerts (tests pass a short `sweep_within`; a proactive trigger needs at least 10 s)."""
    failed = EventTrigger(
        expect={"prefect.flow-run.Failed", "prefect.flow-run.Crashed"},
        match={"prefect.resource.id": "prefect.flow-run.*"},
        match_related={"prefect.resource.role": "tag", "prefect.resource.id": [f"prefect.tag.{t}" for t in WATCHED_TAGS]},
        posture=Posture.Reactive, threshold=1, within=timedelta(0))
    sweep = EventTrigger(
        expect={"prefect.flow-run.Completed"}, match={"prefect.resource.id": "prefect.flow-run.*"},
        match_related={"prefect.resource.role": "flow", "prefect.resource.name": "daily-sweep"},
        posture=Posture.Proactive, threshold=1, within=sweep_within)
    stuck = EventTrigger(expect={STUCK_EVENT}, match={"prefect.resource.id": "dudao.outbox"},
                         posture=Posture.Reactive, threshold=1, within=timedelta(0))
    return [Alert("run-failed", failed, occurrence="{{ event.resource.id }}", subject="{{ event.resource.name }}"),
            Alert("sweep-missing", sweep), Alert("outbox-stuck", stuck)]


def automation_of(alert: Alert, deployment_id: UUID, webhook_block_id: UUID | None) -> AutomationCore:
    title, advice = ALERTS[alert.alert]
    actions: list = [RunDeployment(source="selected", deployment_id=deployment_id, parameters={
        "alert": alert.alert, "occurrence": alert.occurrence, "subject": alert.subject})]
    if webhook_block_id is not None:
        actions.append(SendNotification(block_document_id=webhook_block_id, subject=f"【督导系统告警】{title}",
                                        body=f"{alert.subject}\n{advice}".strip()))
    return AutomationCore(name=alert.name, description=advice, trigger=alert.trigger, actions=actions,
                          tags=[AUTOMATION_TAG])


def save_webhook_block(url: str) -> UUID:
    """The office's webhook as a Prefect notification block (JSON in the WeCom/DingTalk robot style)."""
    block = CustomWebhookNotificationBlock(name="督导室告警", url=url, method="POST",
                                           json_data={"msgtype": "text", "text": {"content": "{{subject}}\n{{body}}"}})
    return block.save(WEBHOOK_BLOCK, overwrite=True)


def apply_alerts(webhook_url: str | None, sweep_within: timedelta = SWEEP_WITHIN) -> list[UUID]:
    """Create (or replace) the automations on the Prefect server of PREFECT_API_URL. The alert-office deployment
    must be registered first. Returns the automations' ids."""
    block_id = save_webhook_block(webhook_url) if webhook_url else None
    with get_client(sync_client=True) as client:
        deployment_id = client.read_deployment_by_name(ALERT_DEPLOYMENT).id
        remove_alerts(client)
        return [client.create_automation(automation_of(alert, deployment_id, block_id))
                for alert in declared_alerts(sweep_within)]


def remove_alerts(client) -> int:
    """Delete the automations this module made (by their tag). Returns how many."""
    ours = [a for a in client.read_automations() if AUTOMATION_TAG in a.tags]
    for automation in ours:
        client.delete_automation(automation.id)
    return len(ours)
