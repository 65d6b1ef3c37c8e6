"""What `dudao plan` and `dudao inspectors ratio` show a person: the plan and the ratio report as tables."""

from rich.console import Console
from rich.table import Table


def _console() -> Console:
    """Wide enough for the plan's tables when the output goes to a file or a pipe."""
    probe = Console()
    return probe if probe.is_terminal else Console(width=180)


def print_plan(plan: dict) -> None:
    out = _console()
    out.print(f"[bold]{plan['district']}{plan['year']}年度教育督导工作计划[/bold]"
              f"（编制 {plan['planned_on']}，政策 {plan['policy_version']}）")
    out.print(f"双随机抽取种子 {plan['seed']}：{plan['seed_source']}")
    out.print(f"抽取方法：{plan['algorithm']}")
    table = Table(title="督导对象")
    for column in ("#", "单位", "类型", "学期", "实地督导", "督导组", "依据"):
        table.add_column(column, overflow="fold")
    for n, t in enumerate(plan["targets"], start=1):
        kind = t["kind_label"] + (f"（{t['theme']}）" if t["theme"] else "")
        table.add_row(str(n), t["unit"], kind, t["semester_label"], t["visit_on"] or "",
                      "、".join(m["name"] for m in t["inspectors"]), t["reason"])
    out.print(table)
    _print_frequency(out, plan)
    out.print("质量监测样本校：" + ("、".join(t["unit"] for t in plan["monitoring"]) or "无"))
    if plan["sealed_covert_visits"]:
        out.print(f"暗访 {plan['sealed_covert_visits']} 次：对象和时间保密，暗访结束后显示。")


def _print_frequency(out: Console, plan: dict) -> None:
    frequency = plan["frequency"]
    at_cap = "、".join(f"{c['unit']}（{c['semester_label']}{c['count']}次）" for c in frequency["at_cap"])
    out.print(f"减频提质：每校每学期计划性督导上限 {frequency['cap_per_semester']} 次（经常性督导、暗访、突发事件督导不计入），"
              f"本年度单位单学期最多 {frequency['most_in_a_semester']} 次；达到上限：{at_cap or '无'}")
    rows = plan["merges"] + plan["deferred"]
    if not rows:
        out.print("减频提质：无需合并或顺延的事项。")
        return
    table = Table(title="减频提质：合并与顺延")
    for column in ("单位", "事项", "处理", "理由"):
        table.add_column(column, overflow="fold")
    for t in rows:
        into = f"（并入 {t['inspection']}）" if t["inspection"] else ""
        table.add_row(t["unit"], t["kind_label"], t["status_label"] + into, t["note"])
    out.print(table)


def print_ratio(ratio: dict) -> None:
    out = _console()
    verdict = "达标" if ratio["compliant"] else "不达标"
    out.print(f"[bold]督学配备比例报告（{ratio['as_of']}）：{verdict}[/bold]")
    table = Table()
    table.add_column("项")
    table.add_column("数值", justify="right")
    for label, value in (("学校", ratio["schools"]), ("其中学生2000人以上", ratio["large"]),
                         ("应配挂牌督学（1∶5，大校1∶1）", ratio["required"]),
                         ("在聘挂牌督学", ratio["listed_serving"]), ("在聘督学合计", ratio["inspectors_serving"]),
                         ("专职 / 兼职", f"{ratio['full_time']} / {ratio['part_time']}"),
                         ("无责任督学的学校", len(ratio["schools_without_responsible"])),
                         ("大校与他校共用督学", len(ratio["large_schools_sharing"]))):
        table.add_row(label, str(value))
    out.print(table)
    zones = Table(title="督学责任区（每区不超过20所学校）")
    for column in ("责任区", "学校数", "责任督学", "是否合规"):
        zones.add_column(column)
    for z in ratio["zones"]:
        zones.add_row(z["zone"], str(z["schools"]), "、".join(z["inspectors"]), "是" if z["within_limit"] else "否")
    out.print(zones)
    if ratio["schools_without_responsible"]:
        out.print("无责任督学的学校：" + "、".join(ratio["schools_without_responsible"]))
