"""One flow per time-driven stage, for an operator who wants to run a single stage for a day by hand.
The daily sweep runs the same steps in order in one flow run."""

from datetime import date

from prefect import flow

from core import clock
from tasks.sweep import advance_stage


def _stage_flow(step: str, name: str, label: str):
    @flow(name=name, flow_run_name=f"{label} · {{as_of}}")
    def stage(as_of: date | None = None) -> list[int]:
        return advance_stage(step, clock.resolve(as_of))

    stage.__doc__ = f"{label}: run the '{step}' step for one day."
    return stage


notify_units = _stage_flow("notify", "notify-units", "发督导通知书")
feed_back_findings = _stage_flow("feed-back", "feed-back-findings", "反馈初步督导意见")
issue_reports = _stage_flow("issue", "issue-reports", "出具督导报告和督导意见书")
publish_reports = _stage_flow("publish", "publish-reports", "公开督导报告")
climb_ladder = _stage_flow("ladder", "rectification-ladder", "整改提醒与督办")
recheck_or_close = _stage_flow("recheck-or-close", "recheck-or-close", "回头看与办结")
