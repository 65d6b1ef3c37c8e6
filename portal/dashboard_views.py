"""The office's dashboard as the page shows it: every figure with the link of its list, and the charts
(portal/dashboard_charts.py) drawn from the same figures, each bar linking where its number does."""

from urllib.parse import urlencode

from portal.dashboard_charts import BLUE, GREEN, GREY, RED, Chart, bar_chart
from rules.dashboard import BUCKET_LABELS, BUCKETS

BASE = "/office/dashboard"
STEP_COLORS = dict(zip(BUCKETS, ("#e0a040", "#d9822b", "#c0504d", RED, "#7b0000"), strict=True))
GRADE_COLORS = {"优秀": GREEN, "良好": BLUE, "合格": GREY, "不合格": RED}


def link(kind: str, **filters) -> str:
    """The list page of one number: /office/dashboard/<kind>?<filters> (empty filters left out)."""
    query = urlencode({k: v for k, v in filters.items() if v not in ("", None)})
    return f"{BASE}/{kind}" + (f"?{query}" if query else "")


def overdue_chart(overdue: dict) -> Chart:
    rows = [(BUCKET_LABELS[b], link("overdue", step=b),
             [(BUCKET_LABELS[b], n, link("overdue", step=b), STEP_COLORS[b])]) for b, n in overdue["by_step"].items()]
    return bar_chart("逾期整改事项（按问责阶梯）", rows)


def unit_chart(overdue: dict) -> Chart:
    rows = [(unit["name"], link("overdue", unit=unit["code"]),
             [(BUCKET_LABELS[b], n, link("overdue", unit=unit["code"], step=b), STEP_COLORS[b])
              for b, n in unit["by_step"].items()]) for unit in overdue["top_units"]]
    return bar_chart("逾期事项最多的单位", rows, legend=tuple((STEP_COLORS[b], BUCKET_LABELS[b]) for b in BUCKETS))


def coverage_chart(coverage: dict) -> Chart:
    rows = [(f"责任区 {z['zone']}", link("zones", zone=z["zone"]),
             [("已达标", z["covered"], link("zones", zone=z["zone"]), GREEN),
              ("未达标", z["short"], link("zones", zone=z["zone"], short=1), RED)]) for z in coverage["zones"]]
    return bar_chart(f"{coverage['label']}挂牌督导覆盖（覆盖率最低的责任区）", rows,
                     legend=((GREEN, "已达标学校"), (RED, "未达标学校")))


def grade_chart(grades: dict[str, int], year: int) -> Chart:
    rows = [(g, link("grades", grade=g), [(g, n, link("grades", grade=g), GRADE_COLORS[g])]) for g, n in grades.items()]
    return bar_chart(f"{year}年督导评定等次", rows)


def charts(figures: dict) -> dict[str, Chart]:
    return {"overdue": overdue_chart(figures["overdue"]), "units": unit_chart(figures["overdue"]),
            "coverage": coverage_chart(figures["coverage"]), "grades": grade_chart(figures["grades"], figures["year"])}
