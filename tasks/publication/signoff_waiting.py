"""签发 waiting: a report issued and still not signed off (released) more than `[signoff] alert_after_workdays`
working days later alerts the office, once per report (issue 18 part 3). The sign-off itself suspends and holds
no process (flows/publication_signoff.py), so nothing else would notice that nobody answered it. The alert goes
through the outbox (e-mail, and the office's robot and SMS where the policy's [channels] names `alert`); its key
names the report, so the sweep files it once however many mornings it waits."""

from datetime import date, timedelta

from sqlmodel import Session, select

from models import Inspection, Unit
from rules.runtime import Runtime
from tasks.operator.alerts import queue_alerts

ALERT = "signoff-waiting"


def signoff_overdue_on(issued_on: date, rt: Runtime) -> date:
    """The last working day a report issued on `issued_on` may wait for its sign-off without an alert."""
    return rt.calendar.add_workdays(issued_on, rt.policy.signoff.alert_after_workdays)


def alert_waiting_signoffs(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """Sweep step: alert the office of each report waiting for its sign-off longer than the policy allows.
    Returns the ids of the inspections alerted today."""
    # working days are never fewer than calendar days: only reports issued this long ago can be waiting too long
    latest = as_of - timedelta(days=rt.policy.signoff.alert_after_workdays + 1)
    rows = session.exec(select(Inspection, Unit).join(Unit, Inspection.unit_id == Unit.id).where(
        Inspection.issued_on.is_not(None), Inspection.issued_on <= latest, Inspection.released_on.is_(None),
        Inspection.published_on.is_(None)).order_by(Inspection.code)).all()
    waiting = [(inspection, unit) for inspection, unit in rows if signoff_overdue_on(inspection.issued_on, rt) < as_of]
    days = rt.policy.signoff.alert_after_workdays
    filed = queue_alerts(session, ALERT, [
        (f"inspection:{inspection.code}",
         f"{inspection.code} {unit.name}的督导报告自{inspection.issued_on:%Y-%m-%d}出具，已超过{days}个工作日未签发")
        for inspection, unit in waiting], as_of)
    return [inspection.id for (inspection, _), notice in zip(waiting, filed, strict=True) if notice is not None]
