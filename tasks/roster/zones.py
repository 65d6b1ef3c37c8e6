"""督学责任区 and the ratio report: who is each school's listed responsible inspector, and does the roster
meet the 实施方案's 1:5 (1:1 for schools of 2,000+ students) on a given day."""

from datetime import date

from sqlmodel import Session, delete, select

from models import Inspector, Unit, UnitKind
from models.planning import ZoneAssignment
from rules.inspectors import Listed, School, build_zones, required_listed
from rules.runtime import Runtime
from tasks.roster.lookups import conflicts_by_inspector, serving


def _schools(session: Session) -> list[Unit]:
    return list(session.exec(select(Unit).where(Unit.kind == UnitKind.SCHOOL).order_by(Unit.code)).all())


def assign_zones(session: Session, as_of: date, rt: Runtime) -> dict:
    """Rebuild the zones from the listed inspectors serving on `as_of` (deterministic). Returns counts."""
    towns = dict(session.exec(select(Unit.id, Unit.code).where(Unit.kind == UnitKind.TOWN)).all())
    schools = [School(u.id, u.code, towns.get(u.town_id, ""), u.students) for u in _schools(session)]
    conflicts = conflicts_by_inspector(session)
    listed = [Listed(i.id, frozenset(conflicts.get(i.id, ()))) for i in serving(session, as_of, listed_only=True)]
    plan = build_zones(schools, listed, rt.policy.inspectors)
    session.exec(delete(ZoneAssignment))
    for unit_id, (zone, inspector_id) in sorted(plan.assignments.items()):
        session.add(ZoneAssignment(unit_id=unit_id, zone=zone, inspector_id=inspector_id, assigned_on=as_of))
    session.flush()
    return {"assigned": len(plan.assignments), "unassigned": len(plan.unassigned)}


def responsible_inspectors(session: Session) -> dict[int, int]:
    """school unit id -> its responsible inspector's id."""
    return dict(session.exec(select(ZoneAssignment.unit_id, ZoneAssignment.inspector_id)).all())


def ratio_report(session: Session, as_of: date, rt: Runtime) -> dict:
    """The roster against the ratio, the zones against their limit, as one JSON-ready object."""
    policy = rt.policy.inspectors
    schools = _schools(session)
    need = required_listed([s.students for s in schools], policy)
    on_duty = serving(session, as_of)
    listed = [i for i in on_duty if i.listed]
    zones = _zone_rows(session, {u.id: u for u in schools}, {i.id for i in on_duty}, policy.large_school_students)
    uncovered = [u.code for u in schools if u.id not in {r["unit_id"] for r in zones}]
    large_shared = sorted({r["inspector"] for r in zones if r["large"] and r["shared"]})
    report = {
        "as_of": str(as_of), **need,
        "inspectors_serving": len(on_duty), "full_time": sum(1 for i in on_duty if i.full_time),
        "part_time": sum(1 for i in on_duty if not i.full_time), "listed_serving": len(listed),
        "ratio_met": len(listed) >= need["required"],
        "schools_without_responsible": uncovered, "large_schools_sharing": large_shared,
        "zones": _zone_summary(zones, policy.zone_max_schools),
    }
    report["compliant"] = report["ratio_met"] and not uncovered and not large_shared and all(
        z["within_limit"] for z in report["zones"])
    return report


def _zone_rows(session: Session, schools: dict[int, Unit], serving_ids: set[int], large: int) -> list[dict]:
    rows = session.exec(select(ZoneAssignment, Inspector).join(
        Inspector, ZoneAssignment.inspector_id == Inspector.id).order_by(ZoneAssignment.zone)).all()
    per_inspector: dict[int, int] = {}
    for za, _ in rows:
        per_inspector[za.inspector_id] = per_inspector.get(za.inspector_id, 0) + 1
    return [{"unit_id": za.unit_id, "zone": za.zone, "inspector": inspector.code, "inspector_name": inspector.name,
             "large": schools[za.unit_id].students >= large, "shared": per_inspector[za.inspector_id] > 1}
            for za, inspector in rows if inspector.id in serving_ids and za.unit_id in schools]


def _zone_summary(rows: list[dict], limit: int) -> list[dict]:
    zones: dict[str, dict] = {}
    for row in rows:
        zone = zones.setdefault(row["zone"], {"zone": row["zone"], "schools": 0, "inspectors": set()})
        zone["schools"] += 1
        zone["inspectors"].add(row["inspector"])
    return [{"zone": z["zone"], "schools": z["schools"], "inspectors": sorted(z["inspectors"]),
             "within_limit": z["schools"] <= limit} for z in sorted(zones.values(), key=lambda z: z["zone"])]
