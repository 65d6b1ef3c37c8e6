"""Rules about inspectors themselves: terms, the 1:5 / 1:1 ratio, responsibility zones, training hours."""

import math
from bisect import insort
from dataclasses import dataclass, field
from datetime import date

from rules.policy import InspectorPolicy


def years_after(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def term_problem(start: date, end: date, consecutive: int, policy: InspectorPolicy) -> str | None:
    """Why a term is impossible (条例 art. 7: 3-year terms, at most 3 in a row), or None."""
    if end <= start:
        return f"聘期结束 {end} 不晚于聘期开始 {start}"
    if end > years_after(start, policy.term_years):
        return f"聘期 {start} 至 {end} 超过 {policy.term_years} 年"
    if consecutive < 1:
        return f"连任届数 {consecutive} 至少为 1"
    if consecutive > policy.max_consecutive_terms:
        return f"连任届数 {consecutive}：最多连任 {policy.max_consecutive_terms} 届"
    return None


def term_reminder_due(term_end: date, as_of: date, days_before: int) -> bool:
    """Remind from `days_before` days before the term ends until the last day of the term."""
    return 0 <= (term_end - as_of).days <= days_before


@dataclass(frozen=True)
class School:
    unit_id: int
    code: str
    town: str
    students: int


@dataclass(frozen=True)
class Listed:
    inspector_id: int
    conflicts: frozenset[int]


@dataclass
class ZonePlan:
    assignments: dict[int, tuple[str, int]] = field(default_factory=dict)  # school -> (zone, inspector)
    unassigned: list[int] = field(default_factory=list)


def required_listed(students: list[int], policy: InspectorPolicy) -> dict[str, int]:
    """How many listed inspectors the 实施方案's ratio asks for: 1:1 for large schools, 1:5 for the rest."""
    large = sum(1 for n in students if n >= policy.large_school_students)
    regular = len(students) - large
    return {"schools": len(students), "large": large, "regular": regular,
            "required": large + math.ceil(regular / policy.schools_per_inspector)}


def build_zones(schools: list[School], listed: list[Listed], policy: InspectorPolicy) -> ZonePlan:
    """Zones of at most `zone_max_schools` schools (by town, then code); each school one responsible
    inspector: a large school its own (1:1), the others at most `schools_per_inspector` each; recusal kept.
    An ordinary school shares the first inspector (in `listed` order) already serving its zone with room left,
    else takes the first inspector not yet used; either way one free of conflict with it."""
    plan, fresh = ZonePlan(), _FirstUnused(listed)
    conflicts = {c.inspector_id: c.conflicts for c in listed}
    rank = {c.inspector_id: n for n, c in enumerate(listed)}
    with_room: dict[str, list[int]] = {}  # zone -> inspectors of its ordinary schools under 1:5, by rank
    served: dict[int, int] = {}
    for position, school in enumerate(sorted(schools, key=lambda s: (s.town, s.code))):
        zone = f"Z{position // policy.zone_max_schools + 1:02d}"
        large = school.students >= policy.large_school_students
        sharing = with_room.setdefault(zone, [])
        chosen = None if large else next((i for i in sharing if school.unit_id not in conflicts[i]), None)
        if chosen is None:
            chosen = fresh.take(school.unit_id)
            if chosen is None:
                plan.unassigned.append(school.unit_id)
                continue
            if not large:
                insort(sharing, chosen, key=rank.__getitem__)
        served[chosen] = served.get(chosen, 0) + 1
        if not large and served[chosen] == policy.schools_per_inspector:
            sharing.remove(chosen)
        plan.assignments[school.unit_id] = (zone, chosen)
    return plan


class _FirstUnused:
    """The first listed inspector not yet used and free of conflict with a school: a cursor past the used
    ones, so the zones of 30,000 schools are drawn in linear time, not one scan of the roster per school."""

    def __init__(self, listed: list[Listed]) -> None:
        self.listed, self.used, self.cursor = listed, [False] * len(listed), 0

    def take(self, unit_id: int) -> int | None:
        while self.cursor < len(self.listed) and self.used[self.cursor]:
            self.cursor += 1
        for n in range(self.cursor, len(self.listed)):
            if not self.used[n] and unit_id not in self.listed[n].conflicts:
                self.used[n] = True
                return self.listed[n].inspector_id
        return None


def training_shortfalls(hours: dict[int, float], inspector_ids: list[int], required: float) -> dict[int, float]:
    """Inspectors below the yearly training hours, with how many hours they lack."""
    return {i: round(required - hours.get(i, 0.0), 1) for i in sorted(inspector_ids)
            if hours.get(i, 0.0) < required}
