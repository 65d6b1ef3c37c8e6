"""special-inspection: a theme across many units, started by hand from the Prefect UI (a typed form) or
`dudao special`. The daily sweep carries the inspections on from there."""

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run
from prefect.states import Failed

from core import clock
from core.db import session_scope
from core.errors import InputError
from rules.runtime import load_runtime
from tasks.cycle.special_emergency import SpecialInspectionInput, start_special
from tasks.operator.links import artifact_key
from tasks.operator.started_runs import special_markdown


def request_field(name: str) -> str:
    request = flow_run.parameters.get("request", {})
    return str(request.get(name, "") if isinstance(request, dict) else getattr(request, name, ""))


def _special_run_name() -> str:
    as_of = request_field("as_of")
    year = as_of[:4] if as_of[:4].isdigit() else clock.today().year
    return f"{year}年专项督导 · {request_field('theme')}"


@task(name="open-special-inspections", task_run_name="开展专项督导")
def open_special(request: SpecialInspectionInput) -> dict:
    """Open them and commit; a refusal (bad input the ledger reveals) is returned as its one line, not raised."""
    rt = load_runtime()
    try:
        with session_scope() as session:
            return start_special(session, request, rt, clock.resolve(request.as_of))
    except InputError as exc:
        return {"refused": str(exc)}


@task(name="special-artifact", task_run_name="专项督导说明")
def publish_special_artifact(result: dict) -> None:
    with session_scope() as session:
        markdown = special_markdown(session, result["theme"], {k: v for k, v in result.items() if k != "theme"})
    create_markdown_artifact(markdown, key=artifact_key("special", clock.today().isoformat()),
                             description=f"专项督导：{result['theme']}")


@flow(name="special-inspection", flow_run_name=_special_run_name)
def special_inspection(request: SpecialInspectionInput):
    """Open a special inspection of one theme across many units.

    Args:
        request: the theme, the units (names or codes) and the day it starts.

    Returns:
        the unit codes opened, merged into an existing inspection, or deferred by the cap; a Failed state
        with one line when the ledger refuses the request.
    """
    logger = get_run_logger()
    result = open_special(request)
    if "refused" in result:
        logger.error("未启动专项督导：%s", result["refused"])
        return Failed(message=result["refused"])
    publish_special_artifact(result)
    logger.info("专项督导“%s”：新开 %d，并入 %d，顺延 %d", result["theme"], len(result["opened"]),
                len(result["merged"]), len(result["deferred"]))
    return result
