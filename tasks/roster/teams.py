"""Picking an inspection's team from the roster: its size by kind, the year's workload to balance, and a
valid team (recusal, terms, training: `rules.assignment`) or a readable refusal naming the unit."""

from collections import Counter
from datetime import date

from sqlmodel import Session, func, select

from core.errors import InputError
from models import Inspection, InspectionMember, Unit
from rules.assignment import Candidate, NoValidTeam, TeamPicker
from rules.runtime import Runtime


def team_size(kind: str, rt: Runtime) -> int:
    """At least `team_min` (3) for every formal inspection; a covert visit goes smaller; routine: one."""
    if kind == "covert":
        return rt.policy.planning.covert_team
    return 1 if kind == "routine" else rt.policy.inspection.team_min


def year_load(session: Session, year: int) -> Counter:
    """How many of the year's inspections each inspector already sits on: the workload to balance."""
    rows = session.exec(select(InspectionMember.inspector_id, func.count()).join(
        Inspection, InspectionMember.inspection_id == Inspection.id).where(
        Inspection.year == year).group_by(InspectionMember.inspector_id)).all()
    return Counter(dict(rows))


def choose_team(candidates: list[Candidate], unit: Unit, size: int, load: Counter, on: date) -> list[int]:
    """A balanced team, or InputError naming the unit when no valid team exists."""
    return pick_team(TeamPicker(candidates, load), unit, size, on)


def pick_team(picker: TeamPicker, unit: Unit, size: int, on: date) -> list[int]:
    """`choose_team` with a picker kept over many units (the annual plan's)."""
    try:
        return picker.pick(unit.id, size, on)
    except NoValidTeam as exc:
        raise InputError(f"{on} 无法为 {unit.name}（{unit.code}）组成督导组：无利益冲突且在任的督学 "
                         f"{exc.eligible} 名，需要 {exc.needed} 名") from None
