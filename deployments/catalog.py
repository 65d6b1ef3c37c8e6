"""The deployments operators see, declared once: `dudao serve` builds them from here, and
`deployments/prefect.yaml` declares the same names, entrypoints and schedules for a work pool
(tests/test_deployments.py keeps the two in step).

Schedules are Asia/Shanghai wall-clock times. The daily sweep fires at 08:30 Monday to Friday and, for the
调休 Saturdays and Sundays that are working days, at 08:30 on weekends too; the flow itself skips every
statutory non-working day (holidays fall on weekdays, make-up days on weekends: cron cannot know either).
"""

import importlib
import logging
from dataclasses import dataclass, field

from core.errors import InputError

TIMEZONE = "Asia/Shanghai"
logger = logging.getLogger("dudao.deployments")


@dataclass(frozen=True)
class DeploymentSpec:
    """One deployment: its name (also the flow's name), entrypoint, schedule and what the UI shows."""
    name: str
    entrypoint: str  # path/to/module.py:function, relative to the repository
    description: str
    crons: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    parameters: dict = field(default_factory=dict)

    @property
    def module(self) -> str:
        return self.entrypoint.split(":")[0].removesuffix(".py").replace("/", ".")

    @property
    def function(self) -> str:
        return self.entrypoint.split(":")[1]


SPECS: tuple[DeploymentSpec, ...] = (
    DeploymentSpec("annual-plan", "flows/annual_plan.py:annual_plan",
                   "年度督导工作计划：每年1月2日9:00编制当年计划并报市督导室。", crons=("0 9 2 1 *",),
                   tags=("scheduled", "plan")),
    DeploymentSpec("annual-cycle", "flows/annual_cycle.py:annual_cycle",
                   "年度综合督导：每年1月6日9:00按计划开启当年综合督导，此后由每日巡检推进。",
                   crons=("0 9 6 1 *",), tags=("scheduled", "annual")),
    DeploymentSpec("daily-sweep", "flows/daily_sweep.py:daily_sweep",
                   "每日督导巡检：工作日8:30推进到期事项（通知、反馈、报告、公开、整改督办、回头看）并投递通知；"
                   "法定节假日自动跳过，调休上班日照常运行。", crons=("30 8 * * 1-5", "30 8 * * 0,6"), tags=("scheduled", "sweep"),
                   parameters={"request_signoff": True}),
    DeploymentSpec("year-end-summary", "flows/year_end_summary.py:year_end_summary",
                   "年度督导总结：每年12月25日9:00生成年度督导报告、上报市督导室并提出表彰建议。",
                   crons=("0 9 25 12 *",), tags=("scheduled", "summary")),
    DeploymentSpec("special-inspection", "flows/special_inspection.py:special_inspection",
                   "专项督导：选择主题和被督导单位后手动启动。", tags=("manual", "special")),
    DeploymentSpec("emergency-inspection", "flows/emergency_inspection.py:emergency_inspection",
                   "突发事件督导：从列表选择单位、填写事由与整改期限后手动启动（快速程序，不要求自评）。",
                   tags=("manual", "emergency")),
    DeploymentSpec("publication-signoff", "flows/publication_signoff.py:publication_signoff",
                   "督导报告公开签发：在界面中审核并签发报告；超时后请用 `dudao approve` 签发。",
                   tags=("manual", "signoff")),
    DeploymentSpec("deliver-outbox", "flows/deliver_outbox.py:deliver_outbox",
                   "重新投递通知：邮件服务器恢复后手动运行，投递到期未发的通知，并列出失败与滞留的通知。"
                   "每日巡检本身也会投递。", tags=("manual", "delivery")),
    DeploymentSpec("alert-office", "flows/alert_office.py:alert_office",
                   "告警督导室：运行失败、每日巡检未按时完成或通知滞留时由自动化（automation）启动，"
                   "以通知形式告知督导室（同一事件只发一次）。", tags=("alert",)),
    DeploymentSpec("simulate-month", "flows/simulate_month.py:simulate_month",
                   "模拟一个月的督导工作（演示与扩容测试用）：每月依次运行，前一月完成后才开始。",
                   tags=("simulation",)),
)

BY_NAME = {spec.name: spec for spec in SPECS}

# What each schedule is, as the deployment page lists it beside Prefect's own wording of the cron.
SCHEDULE_LABELS = {
    "30 8 * * 1-5": "工作日 8:30（法定节假日由巡检自行跳过）",
    "30 8 * * 0,6": "调休补班日 8:30（周末仅在调休上班日办理，其余周末自行跳过）",
}


def load_flow(spec: DeploymentSpec):
    """The flow object behind a spec, or None while its module does not exist yet."""
    try:
        module = importlib.import_module(spec.module)
    except ModuleNotFoundError as exc:
        if exc.name != spec.module:
            raise
        logger.warning("deployment %s skipped: %s is not there yet", spec.name, spec.entrypoint)
        return None
    return getattr(module, spec.function)


def select_specs(names: list[str] | None) -> list[DeploymentSpec]:
    """The specs named (all when none are), refusing unknown names."""
    if not names:
        return list(SPECS)
    unknown = sorted(set(names) - set(BY_NAME))
    if unknown:

        raise InputError(f"未知的部署 {'、'.join(unknown)}；已有：{'、'.join(BY_NAME)}")
    return [BY_NAME[name] for name in names]
