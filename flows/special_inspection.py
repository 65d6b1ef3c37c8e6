"""special-inspection: a theme across many units, started by hand from the Prefect UI (a typed form) or
`dudao special`. The daily sweep carries the inspections on from there."""

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.runtime import flow_run

from core import clock
from core.db import session_scope
from rules.runtime import load_runtime
from tasks.cycle.special_emergency import SpecialInspectionInput, start_special


def request_field(name: str) -> str:
    request = flow_run.parameters.get("request", {})
    return str(request.get(name, "") if isinstance(request, dict) else getattr(request, name, ""))


def _special_run_name() -> str:
    as_of = request_field("as_of")
    year = as_of[:4] if as_of[:4].isdigit() else clock.today().year
    return f"{year}年专项督导 · {request_field('theme')}"


@task(name="open-special-inspections", task_run_name="开展专项督导")
def open_special(request: SpecialInspectionInput) -> dict:
    rt = load_runtime()
    with session_scope() as session:
        return start_special(session, request, rt, clock.resolve(request.as_of))


@flow(name="special-inspection", flow_run_name=_special_run_name)
def special_inspection(request: SpecialInspectionInput) -> dict:
    """Open a special inspection of one theme across many units.

    Args:
        request: the theme, the units (names or codes) and the day it starts.

    Returns:
        the unit codes opened, merged into an existing inspection, or deferred by the cap.
    """
    result = open_special(request)
    create_table_artifact([{"结果": k, "单位": "、".join(v)} for k, v in result.items() if k != "theme"],
                          key="special-inspection", description=f"专项督导：{result['theme']}")
    get_run_logger().info("special %s: %s", result["theme"], {k: len(v) for k, v in result.items() if k != "theme"})
    return result
