"""emergency-inspection: a unit and an incident, started by hand from the Prefect UI (a typed form) or
`dudao emergency`. Fast track: visited at once, no self-assessment, short deadlines, reported upward.

The form's schema refuses an empty reason or unit before a run exists; what only the ledger can judge (an
unknown unit, a deadline that leaves no time) ends the run at once as Failed with one Chinese line as its
state message, nothing written. A run that opened the inspection leaves a markdown artifact: what was
created, for whom, which documents and notices, and what happens next."""

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.states import Failed
from sqlmodel import select

from core import clock
from core.db import session_scope
from core.errors import InputError
from flows.special_inspection import request_field
from models import Inspection, Unit
from rules.runtime import load_runtime
from tasks.cycle.special_emergency import EmergencyInspectionInput, start_emergency
from tasks.operator.links import artifact_key
from tasks.operator.run_labels import add_run_tags
from tasks.operator.started_runs import emergency_markdown


def _emergency_run_name() -> str:
    as_of = request_field("as_of")
    year = as_of[:4] if as_of[:4].isdigit() else clock.today().year
    return f"{year}年突发事件督导 · {request_field('unit')}"


@task(name="open-emergency-inspection", task_run_name="启动突发事件督导")
def open_emergency(request: EmergencyInspectionInput) -> dict:
    """Open it and commit; a refusal (bad input the ledger reveals) is returned as its one line, not raised."""
    rt = load_runtime()
    try:
        with session_scope() as session:
            inspection = start_emergency(session, request, rt, clock.resolve(request.as_of))
            unit = session.get(Unit, inspection.unit_id)
            add_run_tags([str(inspection.year), "emergency", unit.code])  # year, kind, unit: filters in the UI
            return {"inspection": inspection.code, "visit_on": str(inspection.visit_on)}
    except InputError as exc:
        return {"refused": str(exc)}


@task(name="emergency-artifact", task_run_name="突发事件督导说明")
def publish_emergency_artifact(code: str, reason: str) -> None:
    feedback = load_runtime().policy.inspection.emergency_feedback_workdays
    with session_scope() as session:
        inspection = session.exec(select(Inspection).where(Inspection.code == code)).one()
        markdown = emergency_markdown(session, inspection, reason, feedback)
    create_markdown_artifact(markdown, key=artifact_key("emergency", code), description=f"突发事件督导 {code}")


@flow(name="emergency-inspection", flow_run_name=_emergency_run_name)
def emergency_inspection(request: EmergencyInspectionInput):
    """Open an emergency inspection: visited at once, no self-assessment, short deadlines, reported upward.

    Args:
        request: the unit (name or code), what happened, the day, and the rectification deadline (optional).

    Returns:
        the inspection's code and visit day; a Failed state with one line when the ledger refuses the request.
    """
    logger = get_run_logger()
    result = open_emergency(request)
    if "refused" in result:
        logger.error("未启动突发事件督导：%s", result["refused"])
        return Failed(message=result["refused"])
    publish_emergency_artifact(result["inspection"], request.reason)
    logger.info("已启动突发事件督导 %s：%s，实地督导 %s；情况报告已进入发件箱，下次每日巡检或 deliver-outbox 时发出",
                result["inspection"], request.unit, result["visit_on"])
    return result
