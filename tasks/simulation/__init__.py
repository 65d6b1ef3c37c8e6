"""The simulated people of a replayed year: each day they act (as `rules.behaviour` decides) through the
same functions real people's commands and imports call, and then the daily sweep runs.
"""

from core.lazy_exports import lazy_exports

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "days": ["simulate_day"],
    "scores": ["add_simulated_scores", "record_simulated_scores"],
})
