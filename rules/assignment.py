"""Inspection teams: at least N inspectors, none with a conflict, in term on the visit day, the least
loaded first. Pure: the caller gives the candidates (with their conflicts and terms) and the load so far."""

import heapq
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
    """Choose `size` inspectors for `unit_id`, balancing `load` (updated in place): the least loaded of
    those who may inspect the unit on `on`, ties to the lower id."""
    return TeamPicker(candidates, load).pick(unit_id, size, on)


class TeamPicker:
    """`assign_team` for many units in a row, with the same teams: the candidates in term on the day wait in
    a heap by (load, id), so a pick takes the least loaded and passes over only those in conflict with the
    unit, instead of filtering and sorting every candidate for every unit (a province's plan day: 33,000
    annual inspections from 1,500 inspectors). `load` may only grow between picks."""

    def __init__(self, candidates: list[Candidate], load: Counter) -> None:
        self.candidates, self.load = candidates, load
        self._by_id = {c.inspector_id: c for c in candidates}
        self._in_term: dict[date | None, frozenset[int]] = {}
        self._heap_holds: frozenset[int] | None = None
        self._heap: list[tuple[int, int]] = []

    def pick(self, unit_id: int, size: int, on: date | None = None) -> list[int]:
        self._hold(self._serving(on))
        team, passed = [], []
        while self._heap and len(team) < size:
            entry = heapq.heappop(self._heap)
            if entry[0] != self.load[entry[1]]:  # its load grew since it was pushed: back in its place
                heapq.heappush(self._heap, (self.load[entry[1]], entry[1]))
            elif unit_id in self._by_id[entry[1]].conflicts:
                passed.append(entry)
            else:
                team.append(entry)
        for entry in passed:
            heapq.heappush(self._heap, entry)
        if len(team) < size:
            for entry in team:
                heapq.heappush(self._heap, entry)
            raise NoValidTeam(unit_id, len(eligible_for(self.candidates, unit_id, on)), size, on)
        chosen = [inspector_id for _, inspector_id in team]
        self.load.update(chosen)
        for inspector_id in chosen:
            heapq.heappush(self._heap, (self.load[inspector_id], inspector_id))
        return chosen

    def _serving(self, on: date | None) -> frozenset[int]:
        if on not in self._in_term:
            self._in_term[on] = frozenset(c.inspector_id for c in self.candidates if c.serves_on(on))
        return self._in_term[on]

    def _hold(self, serving: frozenset[int]) -> None:
        """The heap holds those in term on the day (rebuilt only when a term starts or ends between days)."""
        if serving is not self._heap_holds and serving != self._heap_holds:
            self._heap = [(self.load[i], i) for i in serving]
            heapq.heapify(self._heap)
            self._heap_holds = serving


def team_is_valid(candidates: list[Candidate], unit_id: int, team: list[int], size: int,
                  on: date | None = None) -> bool:
    """The check the property tests assert: enough distinct members, each allowed on that unit and day."""
    by_id = {c.inspector_id: c for c in candidates}
    return (len(team) >= size and len(set(team)) == len(team)
            and all(i in by_id and by_id[i].may_inspect(unit_id, on) for i in team))
