"""A rectification item's stages: open → report submitted → accepted (回头看 scheduled) → closed; a rejected
report sends it back to open, a relapse at 回头看 reopens an accepted or closed one; an upheld 复核 that
withdraws its finding closes it from any stage but closed. While open it also climbs
the ladder (`ladder.py`)."""

from enum import StrEnum

from models.lifecycles.machine import Machine, goes


class ItemStage(StrEnum):
    OPEN = "open"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    CLOSED = "closed"


It = ItemStage
LABELS = {It.OPEN: "整改中", It.SUBMITTED: "已报送待审核", It.ACCEPTED: "已验收待回头看", It.CLOSED: "已销号"}
# The public site says it in words for the public; the open one reads the same.
PUBLIC_LABELS = {It.OPEN: LABELS[It.OPEN], It.SUBMITTED: "已报送整改报告，待审核", It.ACCEPTED: "已整改，待回头看",
                 It.CLOSED: "已整改销号"}

ITEM = Machine(
    name="item",
    column="stage",
    states=tuple(ItemStage),
    events={
        "submit": goes(It.SUBMITTED, It.OPEN),
        "accept": goes(It.ACCEPTED, It.SUBMITTED),
        "reject": goes(It.OPEN, It.SUBMITTED),
        "confirm": goes(It.CLOSED, It.ACCEPTED),
        "relapse": goes(It.OPEN, It.ACCEPTED, It.CLOSED),
        "withdraw": goes(It.CLOSED, It.OPEN, It.SUBMITTED, It.ACCEPTED),  # 复核 upheld: the finding is withdrawn
    },
    labels=LABELS,
)
ITEM_EVENTS = ITEM.events
