"""Who is recommended for commendation (实施方案 §十二): excellent results and rectification on time. Pure.

The list names units, each once. A unit qualifies when it had at least one inspection issued in the year, was
not under 通报 or 问责 that year (§十四 "不得评优评先"), and each of its issued inspections
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


def commendations(records: list[InspectionRecord], *, max_findings: int = 1,
                  sanctioned: frozenset[str] = frozenset()) -> list[Commendation]:
    """The units to recommend, each once: departments, towns, then schools; fewest findings first, then by code.
    `sanctioned`: codes of the units under 通报 or 问责 in the year, never listed."""
    by_unit: dict[str, list[InspectionRecord]] = {}
    for record in records:
        if record.issued:
            by_unit.setdefault(record.unit_code, []).append(record)
    chosen = [_listing(unit_records) for code, unit_records in by_unit.items()
              if code not in sanctioned and all(_qualifies(r, max_findings) for r in unit_records)]
    chosen.sort(key=lambda c: (KIND_ORDER.get(c.unit_kind, len(KIND_ORDER)), c.findings, c.unit_code))
    return chosen


def _qualifies(record: InspectionRecord, max_findings: int) -> bool:
    return excellent(record, max_findings) and all(item_on_time(i) for i in record.items)


def _listing(records: list[InspectionRecord]) -> Commendation:
    """One unit's line: its inspections' codes and findings together, each reason once."""
    first = records[0]
    reasons = list(dict.fromkeys(reason_for(r) for r in records))
    return Commendation(first.unit_code, first.unit_name, first.unit_kind, "、".join(r.inspection_code for r in records),
                        sum(r.findings for r in records), "；".join(reasons))
