"""Drawing up the year's plan as one step: the plan, the zones, the ratio report and the document to the
municipal office. The annual-plan flow and the simulated office both call it, so a simulated year is planned
exactly as a real one."""

from datetime import date

from sqlmodel import Session

from models.planning import AnnualPlan
from rules.runtime import Runtime
from tasks.planning.plan_document import issue_plan_document, plan_view
from tasks.planning.year_plan import make_plan
from tasks.roster.zones import assign_zones, ratio_report


def draw_up(session: Session, *, year: int, rt: Runtime, as_of: date, seed: int | None = None,
            covert_seed: int | None = None) -> dict:
    """In the caller's transaction. Returns {"plan": plan view, "ratio": ratio report, "created": bool}."""
    existed = session.get(AnnualPlan, year) is not None
    plan = make_plan(session, year=year, rt=rt, as_of=as_of, seed=seed, covert_seed=covert_seed)
    if existed:
        return {"plan": plan_view(session, year, as_of), "ratio": ratio_report(session, as_of, rt), "created": False}
    assign_zones(session, as_of, rt)
    ratio = ratio_report(session, as_of, rt)
    # One view for the document and the caller: a province's is 27,000 targets (~50 MB while it is built).
    view = plan_view(session, year, as_of)
    issue_plan_document(session, year, plan.planned_on, ratio, view)
    return {"plan": view, "ratio": ratio, "created": True}
