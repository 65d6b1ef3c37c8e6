"""What a signed-in inspector may read. Every query here takes the inspector's id and keeps to the inspections
of the teams he is on (InspectionMember), so another team's inspection is out of reach by URL too: the pages
answer it 404, like one that does not exist.

Secrecy (暗访): a covert visit is named nowhere before its day — no notice, no document, a sealed audit trail,
left out of the plan's views (tasks/planning/plan_document.revealed) — and the office alone holds the sealed
draw. So an inspector sees a covert inspection only when he is on its team and only from its visit day on,
the day he must record what he found (a unit sees it from the same day: portal/unit_views). Before that day
it is not listed and its page is answered 404 like any inspection he may not see, so not even its existence
shows; an inspector not on its team never sees it."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, or_
from sqlmodel import Session, select

from models import (
    AuditEvent,
    Finding,
    Inspection,
    InspectionMember,
    Inspector,
    ItemScore,
    RectificationItem,
    Unit,
)
from models.lifecycles import ItemStage
from models.planning import RoutineVisit, ZoneAssignment
from tasks.cycle.scores import ONSITE


@dataclass(frozen=True)
class TeamInspection:
    inspection: Inspection
    unit: Unit


@dataclass(frozen=True)
class FindingRow:
    finding: Finding
    item: RectificationItem | None


@dataclass(frozen=True)
class RecheckView:
    item: RectificationItem
    finding: Finding
    inspection: Inspection
    unit: Unit


def _on_team(inspector_id: int, today: date):
    """Inspections of the inspector's teams that he may see on `today` (a covert one from its visit day)."""
    member = exists().where(InspectionMember.inspection_id == Inspection.id,
                            InspectionMember.inspector_id == inspector_id)
    not_sealed = or_(Inspection.covert.is_(False),
                     and_(Inspection.visit_on.is_not(None), Inspection.visit_on <= today))
    return and_(member, not_sealed)


def team_inspections(session: Session, inspector_id: int, today: date) -> list[TeamInspection]:
    rows = session.exec(select(Inspection, Unit).join(Unit, Unit.id == Inspection.unit_id)
                        .where(_on_team(inspector_id, today))
                        .order_by(Inspection.visit_on.desc(), Inspection.id.desc())).all()
    return [TeamInspection(*row) for row in rows]


def inspection_of(session: Session, inspector_id: int, inspection_id: int, today: date) -> TeamInspection | None:
    """The inspection `inspection_id` if the inspector may see it today, else None (the same answer whether it
    does not exist, is another team's or is a covert visit before its day)."""
    row = session.exec(select(Inspection, Unit).join(Unit, Unit.id == Inspection.unit_id)
                       .where(Inspection.id == inspection_id, _on_team(inspector_id, today))).first()
    return TeamInspection(*row) if row is not None else None


def findings_of(session: Session, inspection_id: int) -> list[FindingRow]:
    rows = session.exec(select(Finding, RectificationItem)
                        .join(RectificationItem, RectificationItem.finding_id == Finding.id, isouter=True)
                        .where(Finding.inspection_id == inspection_id).order_by(Finding.seq)).all()
    return [FindingRow(*row) for row in rows]


def onsite_scores_of(session: Session, inspection_id: int) -> list[ItemScore]:
    """The on-site score sheet as recorded, each item with the inspector's 评分说明, in the order written."""
    return list(session.exec(select(ItemScore).where(ItemScore.inspection_id == inspection_id,
                                                     ItemScore.source == ONSITE).order_by(ItemScore.id)).all())


def team_of(session: Session, inspection_id: int) -> list[tuple[Inspector, str]]:
    return list(session.exec(select(Inspector, InspectionMember.role)
                             .join(InspectionMember, InspectionMember.inspector_id == Inspector.id)
                             .where(InspectionMember.inspection_id == inspection_id)
                             .order_by(InspectionMember.role, Inspector.code)).all())


def history_of(session: Session, inspection_id: int) -> list[AuditEvent]:
    """The inspection's audit events (day, event, actor: who recorded what); details are not shown."""
    return list(session.exec(select(AuditEvent).where(AuditEvent.entity == "inspection",
                                                      AuditEvent.entity_id == inspection_id)
                             .order_by(AuditEvent.id)).all())


def _recheck_query(inspector_id: int, today: date):
    return (select(RectificationItem, Finding, Inspection, Unit)
            .join(Finding, Finding.id == RectificationItem.finding_id)
            .join(Inspection, Inspection.id == RectificationItem.inspection_id)
            .join(Unit, Unit.id == Inspection.unit_id)
            .where(RectificationItem.stage == ItemStage.ACCEPTED, _on_team(inspector_id, today)))


def awaiting_recheck(session: Session, inspector_id: int, today: date) -> list[RecheckView]:
    """Items of his teams' inspections accepted and waiting for their 回头看, the earliest due first."""
    rows = session.exec(_recheck_query(inspector_id, today)
                        .order_by(RectificationItem.recheck_on, RectificationItem.id)).all()
    return [RecheckView(*row) for row in rows]


def recheck_item_of(session: Session, inspector_id: int, item_id: int, today: date) -> RecheckView | None:
    row = session.exec(_recheck_query(inspector_id, today).where(RectificationItem.id == item_id)).first()
    return RecheckView(*row) if row is not None else None


def zone_schools(session: Session, inspector_id: int) -> list[Unit]:
    """The schools of his 督学责任区 (he is their 挂牌督学)."""
    return list(session.exec(select(Unit).join(ZoneAssignment, ZoneAssignment.unit_id == Unit.id)
                             .where(ZoneAssignment.inspector_id == inspector_id).order_by(Unit.code)).all())


def routine_visits_of(session: Session, inspector_id: int, limit: int = 20) -> list[tuple[RoutineVisit, Unit]]:
    return list(session.exec(select(RoutineVisit, Unit).join(Unit, Unit.id == RoutineVisit.unit_id)
                             .where(RoutineVisit.inspector_id == inspector_id)
                             .order_by(RoutineVisit.visit_on.desc(), RoutineVisit.id.desc()).limit(limit)).all())
