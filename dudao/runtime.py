"""What every step needs besides the session: the policy in force and the working-day calendar."""

from dataclasses import dataclass

from sqlmodel import Session, select

from dudao.settings import get_settings
from models import Unit
from rules.policy import Policy, load_policy
from rules.workdays import WorkdayCalendar


@dataclass(frozen=True)
class Runtime:
    policy: Policy
    calendar: WorkdayCalendar


def load_runtime() -> Runtime:
    settings = get_settings()
    return Runtime(policy=load_policy(settings.policy_path),
                   calendar=WorkdayCalendar.from_file(settings.calendar_override_path))


def office(session: Session, code: str) -> Unit:
    """One of the offices that receive notices (OFFICE, COMMITTEE, LEADERSHIP, MUNICIPAL)."""
    unit = session.exec(select(Unit).where(Unit.code == code)).first()
    if unit is None:
        raise LookupError(f"office '{code}' is not in the ledger: run `dudao seed` first")
    return unit
