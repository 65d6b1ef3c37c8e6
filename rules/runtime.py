"""What every step needs besides the session: the policy in force and the working-day calendar."""

from dataclasses import dataclass

from core.settings import get_settings
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
