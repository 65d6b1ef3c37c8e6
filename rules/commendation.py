"""Who is recommended for commendation (实施方案 §十二): excellent results and rectification on time. Pure.

A unit qualifies when its inspection of the year
- was excellent: graded 优秀 where scores exist, otherwise no serious finding and at most `max_findings`
  findings upheld after rebuttal;
- was rectified on time: every item accepted (or closed after 回头看) on a report handed in by the first
  deadline of the 督导意见书, without a 督办通知 or a relapse.
"""

from dataclasses import dataclass
from datetime import date

EXCELLENT_GRADE = "优秀"
ON_TIME_STEPS = frozenset({"none", "reminder"})  # a reminder comes before the deadline: still on time
DONE_STAGES = frozenset({"accepted", "closed"})
KIND_ORDER = {"department": 0, "town": 1, "school": 2}  # the order official lists use


@dataclass(frozen=True)
class ItemRecord:
    stage: str
    deadline: date
    submitted_on: date | None
    ladder_step: str
    reopen_count: int


@dataclass(frozen=True)
class InspectionRecord:
    unit_code: str
    unit_name: str
    unit_kind: str
    inspection_code: str
    issued: bool
    findings: int
    serious: int
    items: tuple[ItemRecord, ...]
    grade: str | None = None  # from scoring, where the inspection was scored


@dataclass(frozen=True)
class Commendation:
    unit_code: str
    unit_name: str
    unit_kind: str
    inspection_code: str
    findings: int
    reason: str


def item_on_time(item: ItemRecord) -> bool:
    return (item.stage in DONE_STAGES and item.submitted_on is not None and item.submitted_on <= item.deadline
            and item.ladder_step in ON_TIME_STEPS and item.reopen_count == 0)


def excellent(record: InspectionRecord, max_findings: int) -> bool:
    if record.grade is not None:
        return record.grade == EXCELLENT_GRADE
    return record.serious == 0 and record.findings <= max_findings


def reason_for(record: InspectionRecord) -> str:
    result = f"督导评定等次{EXCELLENT_GRADE}" if record.grade else (
        "督导未发现问题" if record.findings == 0 else f"督导发现一般问题{record.findings}项")
    rectified = "，无需整改" if not record.items else "，按期整改到位"
    return result + rectified


def commendations(records: list[InspectionRecord], *, max_findings: int = 1) -> list[Commendation]:
    """The units to recommend: departments, towns, then schools; fewest findings first, then by code."""
    chosen = [r for r in records
              if r.issued and excellent(r, max_findings) and all(item_on_time(i) for i in r.items)]
    chosen.sort(key=lambda r: (KIND_ORDER.get(r.unit_kind, len(KIND_ORDER)), r.findings, r.unit_code))
    return [Commendation(r.unit_code, r.unit_name, r.unit_kind, r.inspection_code, r.findings, reason_for(r))
            for r in chosen]
