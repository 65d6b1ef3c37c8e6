"""The ladder of an open rectification item (its `ladder_step`): 整改提醒 reminders before the deadline → 督办
(urge) → 约谈 (interview) → 通报 (circular) → 问责建议 (accountability). When each step falls due is the pure
rule's business (rules/ladder.py); which step may follow which is declared here.

Every event also re-plans the item (`next_action_on`), so each may leave the step where it is: "plan" when
nothing is due today, "remind" when a reminder comes after 督办. A relapse at 回头看 restarts the ladder.
"""

from enum import StrEnum

from models.lifecycles.item import ItemStage
from models.lifecycles.machine import Event, Machine, goes, stays


class LadderStep(StrEnum):
    NONE = "none"
    REMINDER = "reminder"
    URGE = "urge"
    INTERVIEW = "interview"
    CIRCULAR = "circular"
    ACCOUNTABILITY = "accountability"


L = LadderStep
STEPS = tuple(step.value for step in LadderStep)


def climbing(item) -> bool:
    """Only an open item climbs (a report pending review holds the ladder; an accepted one is done)."""
    return item.stage == ItemStage.OPEN


LADDER = Machine(
    name="item",
    column="ladder_step",
    states=tuple(LadderStep),
    events={
        "plan": stays(*LadderStep, guard=climbing),
        "remind": Event({L.NONE: L.REMINDER, L.REMINDER: L.REMINDER, L.URGE: L.URGE}, climbing),
        "urge": goes(L.URGE, L.NONE, L.REMINDER, guard=climbing),
        "summon": goes(L.INTERVIEW, L.URGE, guard=climbing),
        "circulate": goes(L.CIRCULAR, L.INTERVIEW, guard=climbing),
        "hold_accountable": goes(L.ACCOUNTABILITY, L.CIRCULAR, guard=climbing),
        "restart": goes(L.NONE, *LadderStep),  # with the item's relapse, before it is open again
    },
    # The step as the ledger export's 问责阶梯 column names it.
    labels={L.NONE: "—", L.REMINDER: "提醒", L.URGE: "督办", L.INTERVIEW: "约谈", L.CIRCULAR: "通报",
            L.ACCOUNTABILITY: "问责"},
)

# The event that issues each step's paper (the rule and the audit log name a step by its paper: ladder:urge).
ISSUING = {L.REMINDER: "remind", L.URGE: "urge", L.INTERVIEW: "summon", L.CIRCULAR: "circulate",
           L.ACCOUNTABILITY: "hold_accountable"}

# The papers of the steps, as the year-end figures count them and the reminder and the 督办 are titled.
PAPERS = {L.REMINDER: "整改提醒", L.URGE: "督办通知", L.INTERVIEW: LADDER.labels[L.INTERVIEW],
          L.CIRCULAR: LADDER.labels[L.CIRCULAR], L.ACCOUNTABILITY: "问责建议"}
