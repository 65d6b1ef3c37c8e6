"""What a state machine is here: states (nouns), events (verbs) that move an entity from some states to
others, guards (predicates on the entity) and the Chinese labels people read.

A declaration says nothing about storage: `moves.py` writes the changes it allows, `audit.py` records them.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any


class IllegalTransition(RuntimeError):
    """An event that the entity's current state does not allow."""


class StaleTransition(RuntimeError):
    """Another process changed the entity first: nothing of this move was written. A transaction that must
    be all or nothing rolls back; a sweep that only lost a race skips the entity."""


@dataclass(frozen=True)
class Event:
    """Which states the event leaves from and where each goes (an event may stay where it is: a change of
    other columns, e.g. a re-planned ladder), and a guard the entity must pass as well."""

    moves: Mapping[Any, Any]
    guard: Callable[[Any], bool] | None = None

    @property
    def sources(self) -> frozenset:
        return frozenset(self.moves)


def goes(target: Any, *sources: Any, guard: Callable[[Any], bool] | None = None) -> Event:
    """An event that moves each of `sources` to `target`."""
    return Event({source: target for source in sources}, guard)


def stays(*sources: Any, guard: Callable[[Any], bool] | None = None) -> Event:
    """An event that changes other columns and leaves the state where it is."""
    return Event({source: source for source in sources}, guard)


@dataclass(frozen=True)
class Machine:
    """One state machine: `name` is the entity as the audit log names it, `column` holds the state."""

    name: str
    column: str
    states: tuple
    events: Mapping[str, Event]
    labels: Mapping[Any, str] = field(default_factory=dict)

    def state_of(self, entity: Any) -> Any:
        return getattr(entity, self.column)

    def permits(self, entity: Any, event: str, state: Any = None) -> bool:
        """Whether `event` may happen to `entity` (in `state`, default: the state it holds)."""
        spec = self.events.get(event)
        state = self.state_of(entity) if state is None else state
        return spec is not None and state in spec.moves and (spec.guard is None or spec.guard(entity))

    def allowed(self, entity: Any) -> list[str]:
        """The events the entity's state allows (guards included)."""
        return [name for name in self.events if self.permits(entity, name)]

    def after(self, entity: Any, event: str) -> Any:
        """The entity's state after `event`, or IllegalTransition."""
        state = self.state_of(entity)
        if not self.permits(entity, event, state):
            raise IllegalTransition(f"{self.name} {entity.id}：当前阶段“{state}”不允许“{event}”")
        return self.events[event].moves[state]

    def next(self, state: Any, event: str) -> Any:
        """The state after `event` from `state`, for set-based statements that have no entity at hand (the
        event must have no guard: a guard judges an entity). IllegalTransition if not declared."""
        spec = self.events.get(event)
        if spec is None or state not in spec.moves or spec.guard is not None:
            raise IllegalTransition(f"{self.name}: '{event}' is not declared from '{state}'")
        return spec.moves[state]
