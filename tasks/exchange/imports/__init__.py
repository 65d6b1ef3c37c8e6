"""Imports of what units and inspectors hand in: self-assessments, on-site scores and findings,
rectification reports and their review, 申辩 and its decision, 回头看 results, 约谈记录, 约谈/问责 raised
by hand, the self-evaluation's problem list, and the rosters of units and inspectors.

`run_import` reads and checks the whole file first; a file with any problem writes nothing and raises
`ImportRefused` listing every problem (file, row, column, reason). A clean file is written in one
transaction, through the same functions the CLI and the simulation use, with one audit event for the file.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session

from core.db import session_scope
from models.lifecycles import record
from rules.runtime import load_runtime
from tasks.cycle.scores import ONSITE, SELF, registry
from tasks.exchange.imports import ladder_steps, rectification, rosters, self_evaluation, sheets, steps
from tasks.exchange.imports.cells import Column, bind
from tasks.exchange.imports.context import Context
from tasks.exchange.imports.problems import ImportRefused, Problems
from tasks.exchange.imports.reading import DEFAULT_LIMITS, Limits, Table, read_table


@dataclass(frozen=True)
class Kind:
    label: str  # what the file is, in Chinese (template titles)
    columns: list[Column]
    validate: Callable  # (ctx, rows, problems) -> plan
    apply: Callable  # (ctx, plan) -> counts


KINDS: dict[str, Kind] = {
    "self-assessment": Kind("自评表", sheets.SELF_COLUMNS,
                            lambda ctx, rows, p: sheets.validate_sheets(ctx, rows, p, SELF),
                            sheets.apply_self_assessments),
    "findings": Kind("现场评分及问题清单", sheets.FINDINGS_COLUMNS,
                     lambda ctx, rows, p: sheets.validate_sheets(ctx, rows, p, ONSITE),
                     sheets.apply_findings),
    "rectification": Kind("整改报告", rectification.COLUMNS, rectification.validate_reports,
                          rectification.apply_reports),
    "rebuttals": Kind("申辩表", steps.REBUTTAL_COLUMNS, steps.validate_rebuttals, steps.apply_rebuttals),
    "rebuttal-decisions": Kind("申辩决定", steps.DECISION_COLUMNS, steps.validate_decisions, steps.apply_decisions),
    "reviews": Kind("整改报告审核", steps.REVIEW_COLUMNS, steps.validate_reviews, steps.apply_reviews),
    "recheck": Kind("回头看结果", steps.RECHECK_COLUMNS, steps.validate_rechecks, steps.apply_rechecks),
    "interview-records": Kind("约谈记录", ladder_steps.RECORD_COLUMNS, ladder_steps.validate_records,
                              ladder_steps.apply_records),
    "hand-raised": Kind("约谈问责（按事由）", ladder_steps.HAND_COLUMNS, ladder_steps.validate_hand_raised,
                        ladder_steps.apply_hand_raised),
    "self-evaluation-problems": Kind("自查自评问题清单", self_evaluation.COLUMNS, self_evaluation.validate,
                                     self_evaluation.apply),
    "units": Kind("单位名册", rosters.UNIT_COLUMNS, rosters.validate_units, rosters.apply_units),
    "inspectors": Kind("督学名册", rosters.INSPECTOR_COLUMNS, rosters.validate_inspectors,
                       rosters.apply_inspectors),
}


def run_import(kind: str, path: Path, *, as_of: date, actor: str = "import",
               limits: Limits = DEFAULT_LIMITS) -> dict:
    """Check the whole file, then write it in one transaction. Returns counts; raises ImportRefused."""
    table = read_table(path, limits)
    with session_scope() as session:
        counts = apply_table(session, kind, table, as_of=as_of, actor=actor, max_problems=limits.max_problems)
        record(session, "import", 0, f"import:{kind}", as_of=as_of, actor=actor,
               detail={"file": table.file, "sha256": _digest(path), "rows": len(table.rows), **counts})
    return {"file": table.file, "encoding": table.encoding, "rows": len(table.rows), **counts}


def apply_table(session: Session, kind: str, table: Table, *, as_of: date, actor: str,
                max_problems: int = DEFAULT_LIMITS.max_problems) -> dict:
    """Check every row of `table` (read from a file, or made from a portal form), then write them in the
    caller's transaction through the kind's step functions. Returns counts; raises ImportRefused (nothing
    written) listing every problem."""
    spec = KINDS[kind]
    problems = Problems(table.file, max_problems)
    rows = bind(table, spec.columns, problems)
    if rows is None:
        problems.refuse()
    ctx = Context(session=session, as_of=as_of, rt=load_runtime(), frameworks=registry(), actor=actor)
    plan = spec.validate(ctx, rows, problems)
    problems.refuse()
    return spec.apply(ctx, plan)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


__all__ = ["KINDS", "ImportRefused", "Limits", "Table", "apply_table", "run_import"]
