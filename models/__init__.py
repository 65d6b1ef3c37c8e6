"""SQLModel tables of the ledger; the state machines that move them are in models/lifecycles/."""

from models import planning as planning  # noqa: F401  (the plan's and the roster's tables)
from models.district import District, Inspector, Principal, Unit, UnitKind
from models.evidence import Evidence
from models.indicators import InspectionFramework, ItemScore
from models.inspection import (
    KIND_LABELS,
    Finding,
    Inspection,
    InspectionKind,
    InspectionMember,
    RectificationItem,
    Submission,
)
from models.interview import Interview
from models.ledger import AuditEvent, ChannelMessage, Document, Notice, SimulationRun
from models.portal import PortalLinkEpoch, PortalUser
from models.review import ReviewRequest
from models.self_assessment_draft import SelfAssessmentDraft
from models.self_evaluation import SelfEvaluationProblem

__all__ = [
    "KIND_LABELS",
    "AuditEvent",
    "ChannelMessage",
    "District",
    "Document",
    "Evidence",
    "Finding",
    "Inspection",
    "InspectionFramework",
    "InspectionKind",
    "InspectionMember",
    "Interview",
    "Inspector",
    "ItemScore",
    "Notice",
    "PortalLinkEpoch",
    "PortalUser",
    "Principal",
    "RectificationItem",
    "ReviewRequest",
    "SelfAssessmentDraft",
    "SelfEvaluationProblem",
    "SimulationRun",
    "Submission",
    "Unit",
    "UnitKind",
]
