"""emergency-inspection: a unit and an incident, started by hand from the Prefect UI (a typed form) or
`dudao emergency`. Fast track: visited at once, no self-assessment, short deadlines, reported upward."""

from prefect import flow, get_run_logger, task

from core import clock
from core.db import session_scope
from flows.special_inspection import request_field
from models import Unit
from rules.runtime import load_runtime
from tasks.cycle.special_emergency import EmergencyInspectionInput, start_emergency
from tasks.operator.run_labels import add_run_tags


def _emergency_run_name() -> str:
    as_of = request_field("as_of")
    year = as_of[:4] if as_of[:4].isdigit() else clock.today().year
    return f"{year}年突发事件督导 · {request_field('unit')}"


@task(name="open-emergency-inspection", task_run_name="启动突发事件督导")
def open_emergency(request: EmergencyInspectionInput) -> dict:
    rt = load_runtime()
    with session_scope() as session:
        inspection = start_emergency(session, request, rt, clock.resolve(request.as_of))
        unit = session.get(Unit, inspection.unit_id)
        add_run_tags([str(inspection.year), "emergency", unit.code])  # year, kind, unit: filters in the UI
        return {"inspection": inspection.code, "visit_on": str(inspection.visit_on)}


@flow(name="emergency-inspection", flow_run_name=_emergency_run_name)
def emergency_inspection(request: EmergencyInspectionInput) -> dict:
    """Open an emergency inspection: visited at once, no self-assessment, short deadlines, reported upward.

    Args:
        request: the unit (name or code), what happened, the day, and the rectification deadline (optional).

    Returns:
        the inspection's code and visit day.
    """
    result = open_emergency(request)
    get_run_logger().info("emergency inspection %s on %s", result["inspection"], result["visit_on"])
    return result
