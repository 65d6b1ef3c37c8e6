"""SQLModel tables of the ledger and the lifecycle that moves them."""

from models.district import Inspector, Principal, Unit, UnitKind
from models.inspection import (
    KIND_LABELS,
    Finding,
    Inspection,
    InspectionKind,
    InspectionMember,
    RectificationItem,
    Submission,
)
from models.ledger import AuditEvent, Document, Notice, SimulationRun

__all__ = [
    "KIND_LABELS",
    "AuditEvent",
    "Document",
    "Finding",
    "Inspection",
    "InspectionKind",
    "InspectionMember",
    "Inspector",
    "Notice",
    "Principal",
    "RectificationItem",
    "SimulationRun",
    "Submission",
    "Unit",
    "UnitKind",
]
