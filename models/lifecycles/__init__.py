"""Every state machine of the ledger, declared once, and the one way they move.

One module per machine declares its states (nouns), events (verbs), guards (predicates) and Chinese labels:
`inspection` and `item` (stages, optimistic locking on `version`), `ladder` (an open item's 督办 ladder),
`issue_level` (四级议题上报), `review` (复核 decisions), `submission` (rectification reports' review) and
`notice` (the outbox's delivery status). An illegal event raises IllegalTransition (`machine`). A change is
written by a conditional UPDATE that names the state as it was read, else StaleTransition (`moves`), with its
audit event in the same transaction (`audit`); `batch` writes many stage transitions at once.
"""

from models.lifecycles.audit import audit_row, record, record_row, record_rows
from models.lifecycles.batch import STAGED, Transitions, allowed_events, transition
from models.lifecycles.inspection import INSPECTION, INSPECTION_EVENTS, InspectionStage
from models.lifecycles.issue_level import ISSUE_LEVEL, LEVEL_NAMES, TOP_LEVEL
from models.lifecycles.item import ITEM, ITEM_EVENTS, ItemStage
from models.lifecycles.ladder import LADDER, LadderStep
from models.lifecycles.machine import Event, IllegalTransition, Machine, StaleTransition
from models.lifecycles.moves import move, update_unchanged
from models.lifecycles.notice import NOTICE, NoticeStatus
from models.lifecycles.review import REVIEW, ReviewDecision
from models.lifecycles.submission import SUBMISSION, SubmissionDecision

MACHINES = (INSPECTION, ITEM, LADDER, ISSUE_LEVEL, REVIEW, SUBMISSION, NOTICE)

__all__ = [
    "INSPECTION",
    "INSPECTION_EVENTS",
    "ISSUE_LEVEL",
    "ITEM",
    "ITEM_EVENTS",
    "LADDER",
    "LEVEL_NAMES",
    "MACHINES",
    "NOTICE",
    "REVIEW",
    "STAGED",
    "SUBMISSION",
    "TOP_LEVEL",
    "Event",
    "IllegalTransition",
    "InspectionStage",
    "ItemStage",
    "LadderStep",
    "Machine",
    "NoticeStatus",
    "ReviewDecision",
    "StaleTransition",
    "SubmissionDecision",
    "Transitions",
    "allowed_events",
    "audit_row",
    "move",
    "record",
    "record_row",
    "record_rows",
    "transition",
    "update_unchanged",
]
