"""What the Prefect UI's run form says about each parameter: a Chinese title and description, and the
ranges the server checks before it creates a run (deployments enforce their parameter schema).

Prefect titles a flow's parameters with their Python names whatever the signature says, so the labels are
put into each deployment's parameter schema here, at deploy time, beside the unit list
(deployments/unit_choices.py). An optional value (`date | None`) is offered as its type alone: an empty field
is left out and the flow takes its default, instead of the form asking for "None".
"""

import copy

from tasks.operator.alerts import ALERTS

# name: (title, description, extra JSON-schema constraints)
LABELS: dict[str, tuple[str, str, dict]] = {
    "as_of": ("办理日期", "按哪一天办理（YYYY-MM-DD）；留空为今天（上海时间）", {}),
    "year": ("年度", "督导年度，如 2026；留空为办理日期所在年度", {"minimum": 2000, "maximum": 2199}),
    "month": ("月份", "模拟的月份（1–12）", {"minimum": 1, "maximum": 12}),
    "seed": ("随机种子", "双随机抽取的公开种子；留空则由年度推出", {"minimum": 0}),
    "skip_non_working_days": ("非工作日跳过", "法定节假日不办理（调休上班日照常办理）", {}),
    "request_signoff": ("请求签发", "为当天下发的每份督导报告发起界面签发", {}),
    "inspection": ("督导编号", "督导编号，如 2026-ZH-001", {"minLength": 1, "pattern": r"\S"}),
    "timeout_seconds": ("等待签发秒数", "界面签发最长等待时间；超时后用 `dudao approve` 签发", {"minimum": 60}),
    "deliver": ("投递通知", "生成后立即投递邮件通知", {}),
    "request": ("督导事项", "被督导单位、事由与日期", {}),
    # alert-office is started by the automations; an operator may start it by hand to test the channel
    "alert": ("告警类别", "、".join(f"{key}（{title}）" for key, (title, _) in ALERTS.items()), {"enum": list(ALERTS)}),
    "occurrence": ("告警事由标识", "所告警之事的标识（如失败运行的编号）；同一标识只告警一次；留空为当天", {}),
    "subject": ("告警摘要", "一行说明所告警之事（如失败运行的名称）", {}),
}


def _plain_optional(prop: dict) -> None:
    """`anyOf: [X, null]` with default null becomes X, not required (the form leaves it empty)."""
    variants = prop.get("anyOf")
    if isinstance(variants, list) and len(variants) == 2 and {"type": "null"} in variants:
        (kept,) = [v for v in variants if v != {"type": "null"}]
        del prop["anyOf"]
        prop.update(kept)
        if prop.get("default", "absent") is None:
            del prop["default"]


def labelled(schema: dict) -> dict:
    """A copy of a parameter schema with Chinese titles and descriptions, ranges, and plain optional fields."""
    patched = copy.deepcopy(schema)
    for name, prop in patched.get("properties", {}).items():
        _plain_optional(prop)
        if name in LABELS:
            title, description, constraints = LABELS[name]
            prop.update(title=title, description=description, **constraints)
    for definition in patched.get("definitions", {}).values():
        definition.pop("description", None)  # the model's docstring, written for programmers
        for prop in definition.get("properties", {}).values():
            _plain_optional(prop)
    return patched
