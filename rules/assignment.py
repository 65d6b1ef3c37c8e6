"""Inspection teams: at least N inspectors, none with a conflict, in term on the visit day, the least
loaded first. Pure: the caller gives the candidates (with their conflicts and terms) and the load so far."""

from collections import Counter
from dataclasses import dataclass
from datetime import date


class NoValidTeam(ValueError):
    """Not enough inspectors free of conflict (and in term) for the unit."""

    def __init__(self, unit_id: int, eligible: int, needed: int, on: date | None = None) -> None:
        when = f" on {on}" if on else ""
        super().__init__(f"unit {unit_id}: {eligible} inspectors without conflict and in term{when}, {needed} needed")
        self.unit_id, self.eligible, self.needed, self.on = unit_id, eligible, needed, on


@dataclass(frozen=True)
class Candidate:
    inspector_id: int
    conflicts: frozenset[int]  # unit ids the inspector may not inspect (employer, former employers, declared)
    serves_from: date | None = None  # term start; None: no limit
    serves_until: date | None = None  # term end, or the day of exit; None: no limit

    def serves_on(self, day: date | None) -> bool:
        if day is None:
            return True
        return (self.serves_from is None or self.serves_from <= day) and (
            self.serves_until is None or day <= self.serves_until)

    def may_inspect(self, unit_id: int, day: date | None = None) -> bool:
        """Recusal and term: never a unit the inspector works or worked at or declared, never out of term."""
        return unit_id not in self.conflicts and self.serves_on(day)


def eligible_for(candidates: list[Candidate], unit_id: int, on: date | None = None) -> list[int]:
    """Ids of the candidates who may inspect `unit_id` on `on`, in id order."""
    return sorted(c.inspector_id for c in candidates if c.may_inspect(unit_id, on))


def assign_team(candidates: list[Candidate], unit_id: int, size: int, load: Counter,
                on: date | None = None) -> list[int]:
    """Choose `size` inspectors for `unit_id`, balancing `load` (updated in place)."""
    eligible = eligible_for(candidates, unit_id, on)
    if len(eligible) < size:
        raise NoValidTeam(unit_id, len(eligible), size, on)
    team = sorted(eligible, key=lambda i: (load[i], i))[:size]
    load.update(team)
    return team


def team_is_valid(candidates: list[Candidate], unit_id: int, team: list[int], size: int,
                  on: date | None = None) -> bool:
    """The check the property tests assert: enough distinct members, each allowed on that unit and day."""
    by_id = {c.inspector_id: c for c in candidates}
    return (len(team) >= size and len(set(team)) == len(team)
            and all(i in by_id and by_id[i].may_inspect(unit_id, on) for i in team))
