"""回头看 results per rectification item, as inspectors record them: passed (the item is closed: 销号) or relapse
(the item reopens and its ladder restarts at 督办). Once every item of an inspection has passed, the sweep's
`recheck-or-close` step closes the inspection. The CLI (`dudao recheck`), the import (`dudao import recheck`)
and the simulation all come here."""

from datetime import date

from core.errors import InputError
from models import Inspection, RectificationItem
from models.lifecycles import ItemStage, Transitions
from models.lifecycles.item import LABELS
from rules.runtime import Runtime
from tasks.cycle.responses import record_recheck

RESULTS = {"通过": False, "反弹": True}  # the word on the form → relapsed


def recheck_problem(item: RectificationItem, as_of: date) -> str | None:
    """Why no 回头看 result can be recorded for `item` on `as_of` (in Chinese), or None."""
    if item.stage != ItemStage.ACCEPTED:
        return (f"整改事项 {item.id} 当前为“{LABELS.get(item.stage, item.stage)}”：回头看只对整改报告已验收、"
                "待回头看的事项")
    if item.accepted_on is not None and as_of < item.accepted_on:
        return f"整改事项 {item.id}：回头看日期 {as_of} 早于整改验收日 {item.accepted_on}"
    return None


def recheck_item(session, item: RectificationItem, relapsed: bool, as_of: date, rt: Runtime, actor: str,
                 note: str = "", batch: Transitions | None = None, inspection: Inspection | None = None) -> None:
    """Record one item's 回头看 result; InputError (nothing written) when the item is not awaiting one."""
    problem = recheck_problem(item, as_of)
    if problem:
        raise InputError(problem)
    record_recheck(session, item, relapsed, as_of, rt, actor=actor, batch=batch, inspection=inspection,
                   note=note.strip())
