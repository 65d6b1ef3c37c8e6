"""Inspection teams: at least N inspectors, none with a conflict, the least loaded first."""

from collections import Counter
from dataclasses import dataclass


class NoValidTeam(ValueError):
    """Not enough inspectors free of conflict for the unit."""


@dataclass(frozen=True)
class Candidate:
    inspector_id: int
    conflicts: frozenset[int]  # unit ids the inspector may not inspect (employer, declared conflicts)


def assign_team(candidates: list[Candidate], unit_id: int, size: int, load: Counter) -> list[int]:
    """Choose `size` inspectors for `unit_id`, balancing `load` (updated in place)."""
    eligible = [c.inspector_id for c in candidates if unit_id not in c.conflicts]
    if len(eligible) < size:
        raise NoValidTeam(f"unit {unit_id}: {len(eligible)} inspectors without conflict, {size} needed")
    team = sorted(eligible, key=lambda i: (load[i], i))[:size]
    load.update(team)
    return team
