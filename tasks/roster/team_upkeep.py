"""Keeping teams and zones valid when the roster changes after they were made: an inspector dismissed, a conflict
declared, a roster row re-imported with a new employer, former employer or shorter term. Every team whose visit
is still to come loses the inspectors who may no longer inspect its unit on its day (recusal, term, exit) and
gets balanced replacements; a zone school loses a responsible inspector in conflict with it.

A covert inspection's change is recorded under its seal: no code, unit or day in any detail or message."""

from datetime import date

from sqlmodel import Session, delete, select

from core.errors import InputError
from models import Inspection, InspectionMember, Inspector, Unit
from models.lifecycles import record
from models.planning import InspectorConflict, ZoneAssignment
from rules.assignment import Candidate
from tasks.roster.lookups import add_once, candidates
from tasks.roster.teams import choose_team, year_load

NOT_YET_VISITED = ("planned", "notified", "self_assessment")
SEALED = {"covert": True, "sealed_until_visit": True}


def keep_teams_valid(session: Session, inspector_ids: list[int], as_of: date, actor: str = "operator") -> list[str]:
    """Replace the given inspectors on every future team they may no longer serve on. Returns the codes of the
    announced inspections changed (covert ones are never named); InputError when no replacement exists."""
    session.flush()
    rows = session.exec(select(Inspection, InspectionMember).join(
        InspectionMember, InspectionMember.inspection_id == Inspection.id).where(
        InspectionMember.inspector_id.in_(inspector_ids), Inspection.visit_on >= as_of,
        Inspection.stage.in_(NOT_YET_VISITED)).order_by(Inspection.visit_on, Inspection.code)).all()
    pool = candidates(session)
    by_id = {c.inspector_id: c for c in pool}
    changed = []
    for inspection, member in rows:
        if by_id[member.inspector_id].may_inspect(inspection.unit_id, inspection.visit_on):
            continue
        _replace(session, inspection, member, pool, as_of, actor)
        if not inspection.covert:
            changed.append(inspection.code)
    _drop_conflicting_zones(session, inspector_ids, by_id)
    return changed


def _replace(session: Session, inspection: Inspection, member: InspectionMember, pool: list[Candidate],
             as_of: date, actor: str) -> None:
    team = set(session.exec(select(InspectionMember.inspector_id).where(
        InspectionMember.inspection_id == inspection.id)).all())
    others = [c for c in pool if c.inspector_id not in team]
    unit = session.get(Unit, inspection.unit_id)
    leaving = session.get(Inspector, member.inspector_id)
    try:
        new = choose_team(others, unit, 1, year_load(session, inspection.year), inspection.visit_on)[0]
    except InputError:
        what = "a sealed covert visit" if inspection.covert else f"{inspection.code} ({unit.code}, {inspection.visit_on})"
        raise InputError(f"{leaving.code} 须退出 {what} 的督导组，但没有其他无利益冲突且在任的督学可以接替；"
                         f"请先在名册中增加督学（未写入任何数据）") from None
    session.delete(member)
    session.add(InspectionMember(inspection_id=inspection.id, inspector_id=new, role=member.role))
    detail = SEALED if inspection.covert else {"out": leaving.code, "in": session.get(Inspector, new).code}
    record(session, "inspection", inspection.id, "team_change", as_of=as_of, actor=actor, detail=detail)


def _drop_conflicting_zones(session: Session, inspector_ids: list[int], by_id: dict[int, Candidate]) -> None:
    """A responsible inspector never looks after a school they are in conflict with: the school waits for
    `dudao inspectors zones` (the ratio report lists it as without a responsible inspector)."""
    for za in session.exec(select(ZoneAssignment).where(ZoneAssignment.inspector_id.in_(inspector_ids))).all():
        if za.unit_id in by_id[za.inspector_id].conflicts:
            session.exec(delete(ZoneAssignment).where(ZoneAssignment.unit_id == za.unit_id))
    session.flush()


def declare_conflict(session: Session, inspector: Inspector, unit: Unit, reason: str, as_of: date) -> list[str]:
    """Record a declared conflict (回避申报) and take the inspector off the unit's future teams and zone.
    Returns the codes of the announced inspections whose team changed."""
    add_once(session, InspectorConflict, inspector.id, unit.id, {"reason": reason, "declared_on": as_of})
    return keep_teams_valid(session, [inspector.id], as_of)
