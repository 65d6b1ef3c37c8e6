"""Rules about inspectors themselves: terms, the 1:5 / 1:1 ratio, responsibility zones, training hours."""

import math
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
        return f"term_end {end} is not after term_start {start}"
    if end > years_after(start, policy.term_years):
        return f"term {start} … {end} is longer than {policy.term_years} years"
    if consecutive < 1:
        return f"consecutive_terms {consecutive} must be at least 1"
    if consecutive > policy.max_consecutive_terms:
        return f"consecutive_terms {consecutive}: at most {policy.max_consecutive_terms} terms in a row"
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
    """How many listed inspectors the seed's ratio asks for: 1:1 for large schools, 1:5 for the rest."""
    large = sum(1 for n in students if n >= policy.large_school_students)
    regular = len(students) - large
    return {"schools": len(students), "large": large, "regular": regular,
            "required": large + math.ceil(regular / policy.schools_per_inspector)}


def build_zones(schools: list[School], listed: list[Listed], policy: InspectorPolicy) -> ZonePlan:
    """Zones of at most `zone_max_schools` schools (by town, then code); each school one responsible
    inspector: a large school its own (1:1), the others at most `schools_per_inspector` each; recusal kept."""
    ordered = sorted(schools, key=lambda s: (s.town, s.code))
    plan, used = ZonePlan(), {}
    for position, school in enumerate(ordered):
        zone = f"Z{position // policy.zone_max_schools + 1:02d}"
        large = school.students >= policy.large_school_students
        chosen = _responsible(school, zone, listed, used, policy, large)
        if chosen is None:
            plan.unassigned.append(school.unit_id)
            continue
        used.setdefault(chosen, [zone, 0, large])[1] += 1
        plan.assignments[school.unit_id] = (zone, chosen)
    return plan


def _responsible(school: School, zone: str, listed: list[Listed], used: dict, policy: InspectorPolicy,
                 large: bool) -> int | None:
    free = [c.inspector_id for c in listed if school.unit_id not in c.conflicts]
    if not large:  # share an inspector already serving this zone, while under 1:5
        for inspector_id in free:
            state = used.get(inspector_id)
            if state and state[0] == zone and not state[2] and state[1] < policy.schools_per_inspector:
                return inspector_id
    return next((i for i in free if i not in used), None)


def training_shortfalls(hours: dict[int, float], inspector_ids: list[int], required: float) -> dict[int, float]:
    """Inspectors below the yearly training hours, with how many hours they lack."""
    return {i: round(required - hours.get(i, 0.0), 1) for i in sorted(inspector_ids)
            if hours.get(i, 0.0) < required}
