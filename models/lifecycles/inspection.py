"""An inspection's stages: planned → notified → (self-assessment) → on site → preliminary feedback → report
issued → rectifying → awaiting 回头看 → closed, reopened when an item relapses at 回头看."""

from enum import StrEnum

from models.inspection import Inspection, InspectionKind
from models.lifecycles.machine import Machine, goes


class InspectionStage(StrEnum):
    PLANNED = "planned"
    NOTIFIED = "notified"
    SELF_ASSESSMENT = "self_assessment"
    ONSITE = "onsite"
    PRELIMINARY = "preliminary"
    ISSUED = "issued"
    RECTIFYING = "rectifying"
    RECHECK = "recheck"
    CLOSED = "closed"


def unannounced(inspection: Inspection) -> bool:
    """Covert, emergency and routine (挂牌督导) inspections visit without a notice first."""
    return inspection.covert or inspection.kind in (InspectionKind.EMERGENCY, InspectionKind.ROUTINE)


S = InspectionStage
INSPECTION = Machine(
    name="inspection",
    column="stage",
    states=tuple(InspectionStage),
    events={
        "notify": goes(S.NOTIFIED, S.PLANNED),
        "receive_self_assessment": goes(S.SELF_ASSESSMENT, S.NOTIFIED),
        "visit": goes(S.ONSITE, S.NOTIFIED, S.SELF_ASSESSMENT),
        "visit_unannounced": goes(S.ONSITE, S.PLANNED, guard=unannounced),
        "feed_back": goes(S.PRELIMINARY, S.ONSITE),
        "issue": goes(S.ISSUED, S.PRELIMINARY),
        "start_rectification": goes(S.RECTIFYING, S.ISSUED),
        "close_without_items": goes(S.CLOSED, S.ISSUED),
        "await_recheck": goes(S.RECHECK, S.RECTIFYING),
        "close": goes(S.CLOSED, S.RECHECK),
        "reopen": goes(S.RECTIFYING, S.RECHECK, S.CLOSED),
    },
    labels={S.PLANNED: "计划", S.NOTIFIED: "已通知", S.SELF_ASSESSMENT: "自评", S.ONSITE: "实地督导",
            S.PRELIMINARY: "初步反馈", S.ISSUED: "已出报告", S.RECTIFYING: "整改中", S.RECHECK: "待回头看",
            S.CLOSED: "已办结"},
)
INSPECTION_EVENTS = INSPECTION.events
