"""annual-plan: each January, draw up the year's 年度督导工作计划 from the ledger and the policy, file it,
report it to the municipal office, and show it as artifacts. The run name and artifacts never name a
covert visit."""

from datetime import date

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.runtime import flow_run
from pydantic import BaseModel, Field

from core import clock
from core.db import session_scope
from flows.naming import district_suffix
from rules.runtime import load_runtime
from tasks.planning.drawing import draw_up
from tasks.planning.plan_document import plan_rows


class AnnualPlanInput(BaseModel):
    """What an operator fills in to draw up a plan by hand (the January schedule passes only the year)."""

    year: int = Field(ge=2000, le=2100, description="计划年度")
    seed: int | None = Field(default=None, ge=0, description="双随机抽取种子（公开数值；留空则由年度派生）")
    as_of: date | None = Field(default=None, description="编制日期（默认今天）")


def draw_up_plan(year: int, as_of: date, seed: int | None = None, covert_seed: int | None = None) -> dict:
    """One transaction: the plan, the zones, the ratio report and the document to the municipal office."""
    rt = load_runtime()
    with session_scope() as session:
        return draw_up(session, year=year, rt=rt, as_of=as_of, seed=seed, covert_seed=covert_seed)


@task(name="draw-up-annual-plan", task_run_name="编制{year}年度督导工作计划")
def draw_up_plan_task(year: int, as_of: date, seed: int | None = None) -> dict:
    """Args: year, as_of (the day of planning), seed (the public draw seed, None: derived from the year).

    Returns:
        {"plan": plan view, "ratio": ratio report, "created": whether it was made now}.
    """
    return draw_up_plan(year, as_of, seed)


def plan_markdown(result: dict) -> str:
    plan, ratio = result["plan"], result["ratio"]
    kinds: dict[str, int] = {}
    for target in plan["targets"]:
        kinds[target["kind_label"]] = kinds.get(target["kind_label"], 0) + 1
    lines = [f"# {plan['district']}{plan['year']}年度教育督导工作计划", "",
             f"- 双随机抽取种子：**{plan['seed']}**（{plan['seed_source']}）", f"- 抽取方法：{plan['algorithm']}",
             f"- 抽中学校：{'、'.join(plan['draw']['targets']) or '无'}", "", "| 督导类型 | 项数 |", "|---|---|",
             *[f"| {k} | {n} |" for k, n in kinds.items()], "", "## 减频提质", "",
             f"- 每校每学期计划性督导上限：{plan['frequency']['cap_per_semester']}次；"
             f"单位单学期最多安排：{plan['frequency']['most_in_a_semester']}次"]
    lines += [f"- {t['unit']}：{t['kind_label']} → {t['status_label']}（{t['note']}）"
              for t in plan["merges"] + plan["deferred"]] or ["- 无"]
    lines += ["", "## 督学配备", "", f"- 应配挂牌督学 {ratio['required']} 名，在聘 {ratio['listed_serving']} 名："
              f"{'达标' if ratio['ratio_met'] else '不达标'}"]
    return "\n".join(lines)


def _plan_run_name() -> str:
    """The January schedule passes no year: the run is named after the year it plans."""
    return f"{flow_run.parameters.get('year') or clock.today().year}年度督导工作计划{district_suffix()}"


@flow(name="annual-plan", flow_run_name=_plan_run_name)
def annual_plan(year: int | None = None, seed: int | None = None, as_of: date | None = None) -> dict:
    """Draw up the year's plan (once; running again shows the same plan).

    Args:
        year: the plan's year (default: the year of `as_of`, as the January schedule runs it).
        seed: the published seed of the 双随机 draw (default: derived from a public text naming the year).
        as_of: the day of planning (default: today).

    Returns:
        the plan view and the ratio report.
    """
    params = AnnualPlanInput(year=year or clock.resolve(as_of).year, seed=seed, as_of=as_of)
    year = params.year
    result = draw_up_plan_task(params.year, clock.resolve(params.as_of), params.seed)
    create_markdown_artifact(plan_markdown(result), key=f"annual-plan-{year}", description=f"{year}年度督导工作计划")
    create_table_artifact(plan_rows(result["plan"]), key=f"annual-plan-{year}-targets",
                          description=f"{year}年度督导对象（暗访不列）")
    get_run_logger().info("plan %s: %d targets, %d merged, seed %s", year, len(result["plan"]["targets"]),
                          len(result["plan"]["merges"]), result["plan"]["seed"])
    return result
