"""What the plan says, for the 年度督导工作计划 document, the Prefect artifact, the CLI and its JSON.

A covert visit (暗访) is left out of every view made before its visit day is past: the document and the
notice to the municipal office, the artifact, and `dudao plan` all show only that some visits are sealed.
"""

from datetime import date

from sqlmodel import Session, select

from models import KIND_LABELS, Document, Inspection, InspectionMember, Inspector, Unit
from models.planning import AnnualPlan, PlanEntry
from models.queries import office
from rules.frequency import semester_label, semester_of
from rules.runtime import load_runtime
from rules.selection import ALGORITHM
from tasks.cycle.opening import ANNOUNCED_KINDS
from tasks.documents.contexts import doc_no
from tasks.documents.issuing import Paper, issue
from tasks.documents.letterhead import letterhead

LABELS = {**KIND_LABELS, "monitoring": "质量监测样本校"}
STATUS_LABELS = {"scheduled": "已安排", "merged": "合并实施", "moved": "调整学期", "deferred": "顺延", "listed": "列入"}


def revealed(entry: PlanEntry, inspection: Inspection | None, as_of: date) -> bool:
    """A covert entry shows only once its visit day is past."""
    return not entry.covert or (inspection is not None and inspection.visit_on is not None
                                and inspection.visit_on < as_of)


def _teams(session: Session, ids: list[int]) -> dict[int, list[dict]]:
    rows = session.exec(select(InspectionMember.inspection_id, Inspector.code, Inspector.name).join(
        Inspector, InspectionMember.inspector_id == Inspector.id).where(
        InspectionMember.inspection_id.in_(ids)).order_by(InspectionMember.role, Inspector.code)).all()
    teams: dict[int, list[dict]] = {}
    for inspection_id, code, name in rows:
        teams.setdefault(inspection_id, []).append({"code": code, "name": name})
    return teams


def plan_view(session: Session, year: int, as_of: date) -> dict | None:
    """The plan as one JSON-ready object (None if the year has no plan)."""
    plan = session.get(AnnualPlan, year)
    if plan is None:
        return None
    rows = session.exec(select(PlanEntry, Unit, Inspection).join(Unit, PlanEntry.unit_id == Unit.id).outerjoin(
        Inspection, PlanEntry.inspection_id == Inspection.id).where(PlanEntry.year == year).order_by(
        PlanEntry.id)).all()
    shown = [(e, u, i) for e, u, i in rows if revealed(e, i, as_of)]
    teams = _teams(session, [i.id for _, _, i in shown if i is not None])
    targets = [_target(e, u, i, teams) for e, u, i in shown]
    return {
        "year": year, "district": letterhead(session).name, "planned_on": str(plan.planned_on),
        "policy_version": plan.policy_version,
        "seed": plan.seed, "seed_source": plan.seed_source, "algorithm": ALGORITHM,
        "targets": [t for t in targets if t["status"] in ("scheduled", "moved")],
        "merges": [t for t in targets if t["status"] == "merged"],
        "deferred": [t for t in targets if t["status"] == "deferred"],
        "monitoring": [t for t in targets if t["status"] == "listed"],
        "draw": {"seed": plan.seed, "targets": [t["unit_code"] for t in targets if t["kind"] == "random"],
                 "teams": {t["unit_code"]: [m["code"] for m in t["inspectors"]]
                           for t in targets if t["kind"] == "random"}},
        "sealed_covert_visits": len(rows) - len(shown),
        "frequency": frequency_view(session, year),
    }


def frequency_view(session: Session, year: int) -> dict:
    """减频提质 in numbers: the cap per school per semester (policy in force), the routine visits asked for, and
    the units whose announced inspections of the year reach the cap in a semester (covert visits never count)."""
    policy = load_runtime().policy
    cap = policy.frequency.cap_per_semester
    counts: dict[tuple[str, str], int] = {}
    for name, visit_on in session.exec(select(Unit.name, Inspection.visit_on).join(
            Unit, Inspection.unit_id == Unit.id).where(
            Inspection.year == year, Inspection.kind.in_(ANNOUNCED_KINDS), Inspection.covert.is_(False),
            Inspection.visit_on.is_not(None))).all():
        key = (name, semester_of(visit_on))
        counts[key] = counts.get(key, 0) + 1
    return {"cap_per_semester": cap, "routine_visits_per_semester": policy.inspectors.visits_per_semester,
            "most_in_a_semester": max(counts.values(), default=0),
            "at_cap": [{"unit": name, "semester": semester, "semester_label": semester_label(semester), "count": n}
                       for (name, semester), n in sorted(counts.items(), key=lambda kv: (kv[0][1], kv[0][0]))
                       if n >= cap]}


def _target(entry: PlanEntry, unit: Unit, inspection: Inspection | None, teams: dict) -> dict:
    return {
        "unit_code": unit.code, "unit": unit.name, "unit_kind": unit.kind, "kind": entry.kind, "kind_label": LABELS[entry.kind],
        "reason": entry.reason, "theme": entry.theme, "status": entry.status,
        "status_label": STATUS_LABELS[entry.status], "semester": entry.semester,
        "semester_label": semester_label(entry.semester) if entry.semester else "",
        "note": entry.note, "inspection": inspection.code if inspection else None,
        "into_kind": LABELS[inspection.kind] if inspection and entry.status == "merged" else None,
        "visit_on": str(inspection.visit_on) if inspection and inspection.visit_on else None,
        "inspectors": teams.get(inspection.id, []) if inspection else [],
    }


def issue_plan_document(session: Session, year: int, as_of: date, ratio: dict, view: dict | None = None) -> int:
    """File the 年度督导工作计划 and report it to the municipal office (once). Returns the document id. `view`:
    the plan's view as of `as_of`, when the caller has it already."""
    view = plan_view(session, year, as_of) if view is None else view
    municipal = office(session, "MUNICIPAL")
    context = {"plan": view, "ratio": ratio, "year": year, "doc_no": doc_no("plan", year, 1),
               "addressee": municipal.name,
               "copy_to": [office(session, "COMMITTEE").name, office(session, "LEADERSHIP").name]}
    paper = Paper(key=f"plan:{year}", kind="plan", context=context, issued_on=as_of, unit=municipal,
                  title=f"{view['district']}{year}年度教育督导工作计划", recipients=[municipal])
    issue(session, paper)
    document_id = session.exec(select(Document.id).where(Document.key == paper.key)).one()
    plan = session.get(AnnualPlan, year)
    plan.document_id = document_id
    session.add(plan)
    return document_id


def plan_rows(view: dict) -> list[dict]:
    """The targets as table rows (Prefect table artifact, CLI)."""
    return [{"单位": t["unit"], "类型": t["kind_label"], "学期": t["semester_label"], "实地督导": t["visit_on"] or "",
             "督导组": "、".join(m["name"] for m in t["inspectors"]), "依据": t["reason"]} for t in view["targets"]]
