"""四级议题上报: the level a finding the unit cannot resolve alone stands at (its `level`) — 1 the unit → 2 its
responsible inspector (责任督学) → 3 the supervision office (督导室) → 4 the supervision committee (督导委员会).

Raising an issue starts its clock at the level it stands at; each time it outstays its level's working days
it rises one level (when is the pure rule's business: rules/escalation.py); once its item is accepted or
closed, or the finding withdrawn, the clock stops where it is.
"""

from models.inspection import Finding
from models.lifecycles.machine import Event, Machine, stays

UNIT, INSPECTOR, OFFICE, COMMITTEE = 1, 2, 3, 4
LEVELS = (UNIT, INSPECTOR, OFFICE, COMMITTEE)
TOP_LEVEL = COMMITTEE


def not_rising(finding: Finding) -> bool:
    """An issue whose clock is not running yet, and not withdrawn."""
    return finding.escalate_on is None and not finding.withdrawn


def stage_name(level: int) -> str:
    """The level as the audit log names it: level1 … level4."""
    return f"level{level}"


ISSUE_LEVEL = Machine(
    name="finding",
    column="level",
    states=LEVELS,
    events={
        "raise": stays(UNIT, INSPECTOR, OFFICE, guard=not_rising),
        "escalate": Event({UNIT: INSPECTOR, INSPECTOR: OFFICE, OFFICE: COMMITTEE}),
        "stop": stays(*LEVELS),  # resolved: the clock stops at the level reached
    },
    labels={UNIT: "被督导单位", INSPECTOR: "责任督学", OFFICE: "区政府教育督导室", COMMITTEE: "区政府教育督导委员会"},
)
LEVEL_NAMES = ISSUE_LEVEL.labels
