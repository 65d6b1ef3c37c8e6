"""The simulated people's score sheets: `rules.behaviour` decides the numbers, `tasks.cycle.scores` records
them exactly as an imported sheet is recorded."""

from datetime import date

from sqlmodel import Session

from models import Inspection, Unit
from models.lifecycles import Transitions
from rules import behaviour
from rules.policy import ScoringPolicy
from tasks.cycle.scores import ONSITE, Sheets


def add_simulated_scores(sheets: Sheets, batch: Transitions, *, seed: int, inspection: Inspection, unit: Unit,
                         source: str, as_of: date, policy: ScoringPolicy,
                         weak_areas: frozenset[str] = frozenset()) -> None:
    """The simulation's score sheet (rules.behaviour decides the numbers), queued; unscored kinds get none."""
    framework = sheets.framework_for(inspection, unit, as_of)
    if framework is None:
        return
    items = [(e.item.code, e.item.points, e.area.name) for e in framework.entries()]
    scores = behaviour.item_scores(seed, inspection.code, unit.code, source, items, weak_areas)
    sheets.add(batch, inspection=inspection, framework=framework, source=source, scores=scores,
               as_of=as_of, actor="simulation" if source == ONSITE else unit.code, policy=policy)


def record_simulated_scores(session: Session, *, seed: int, inspection: Inspection, unit: Unit, source: str,
                            as_of: date, policy: ScoringPolicy,
                            weak_areas: frozenset[str] = frozenset()) -> None:
    """One simulated score sheet written at once (the simulation queues a day's sheets with `Sheets`)."""
    batch, sheets = Transitions(session), Sheets(session, [inspection.id])
    add_simulated_scores(sheets, batch, seed=seed, inspection=inspection, unit=unit, source=source, as_of=as_of,
                         policy=policy, weak_areas=weak_areas)
    sheets.write()
    batch.write()
