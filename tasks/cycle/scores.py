"""Score sheets in the ledger: the unit's self-assessment and the inspectors' on-site scores of an inspection,
against the framework version pinned at its first sheet. The importers and the simulation both record
through `record_scores` (the simulation's numbers come from `tasks/simulation/scores.py`), which also files the audit events (a score sheet, a flagged self-assessment gap).
"""

import re
from datetime import date

from sqlmodel import Session, func, select

from core.errors import InputError
from core.settings import get_settings
from models import Inspection, InspectionFramework, ItemScore, Unit
from models.lifecycles import Transitions
from rules.indicators import Framework, Registry, load_frameworks
from rules.policy import ScoringPolicy
from rules.scoring import SheetResult, compare, flagged, grade, percent, score_sheet

SELF, ONSITE = "self", "onsite"
_INSERT_SCORE = ItemScore.__table__.insert()
_INSERT_PIN = InspectionFramework.__table__.insert()


def registry() -> Registry:
    return load_frameworks(get_settings().indicators_path)


def framework_for(session: Session, inspection: Inspection, unit: Unit, as_of: date,
                  frameworks: Registry | None = None) -> Framework | None:
    """The inspection's pinned framework version, else the one in force on `as_of` (None: not scored)."""
    return Sheets(session, [inspection.id], frameworks=frameworks).framework_for(inspection, unit, as_of)


class Sheets:
    """Score sheets of many inspections written together: the pinned frameworks and the sheets already in the
    ledger are read once for all of them, every sheet's item scores go in one executemany and its audit events
    (the sheet, a flagged gap) are queued in `batch` in the order the sheets are added."""

    def __init__(self, session: Session, inspection_ids: list[int], frameworks: Registry | None = None):
        self.session, self.frameworks = session, frameworks or registry()
        ids = list(dict.fromkeys(inspection_ids))
        self._pinned = {row[0]: row[1:] for row in session.exec(select(
            InspectionFramework.inspection_id, InspectionFramework.framework, InspectionFramework.version,
        ).where(InspectionFramework.inspection_id.in_(ids))).all()}
        self._sheets: dict[tuple[int, str], dict[str, float]] = {}
        for inspection_id, source, code, score in session.exec(select(
                ItemScore.inspection_id, ItemScore.source, ItemScore.item_code, ItemScore.score,
        ).where(ItemScore.inspection_id.in_(ids))).all():
            self._sheets.setdefault((inspection_id, source), {})[code] = score
        self._pins: list[dict] = []
        self._rows: list[dict] = []

    def framework_for(self, inspection: Inspection, unit: Unit, as_of: date) -> Framework | None:
        """The inspection's pinned framework version, else the one in force on `as_of` (None: not scored)."""
        pinned = self._pinned.get(inspection.id)
        if pinned is None:
            return self.frameworks.select(unit.kind, unit.school_type, inspection.kind, as_of)
        framework = self.frameworks.get(*pinned)
        if framework is None:
            raise InputError(f"督导 {inspection.code} 按 {pinned[0]} "
                             f"{pinned[1]} 计分，该指标体系已不在指标文件中")
        return framework

    def results(self, inspection: Inspection, policy: ScoringPolicy) -> dict | None:
        """What a 督导报告 says about scores, from the sheets read for the batch (see `inspection_scores`)."""
        pinned = self._pinned.get(inspection.id)
        framework = self.frameworks.get(*pinned) if pinned else None
        if framework is None:
            return None
        return sheet_results(framework, {source: self._sheets.get((inspection.id, source), {})
                                         for source in (SELF, ONSITE)}, policy)

    def add(self, batch: Transitions, *, inspection: Inspection, framework: Framework, source: str,
            scores: dict[str, float], notes: dict[str, str] | None = None, as_of: date, actor: str,
            policy: ScoringPolicy) -> SheetResult:
        """Queue one sheet (every item of `scores`), pin the framework, audit the result and any flagged gap."""
        if inspection.id not in self._pinned:
            self._pinned[inspection.id] = (framework.code, framework.version)
            self._pins.append({"inspection_id": inspection.id, "framework": framework.code,
                               "version": framework.version, "name": framework.name, "assigned_on": as_of})
        rows = [{"inspection_id": inspection.id, "source": source, "item_code": entry.item.code,
                 "area_code": entry.area.code, "area": entry.area.name, "points": entry.item.points,
                 "score": scores[entry.item.code], "note": (notes or {}).get(entry.item.code, ""),
                 "recorded_on": as_of}
                for entry in framework.entries() if entry.item.code in scores]
        self._rows.extend(rows)
        self._sheets.setdefault((inspection.id, source), {}).update((r["item_code"], r["score"]) for r in rows)
        result = score_sheet(framework, scores, policy)
        batch.record("inspection", inspection.id, f"scores:{source}", as_of=as_of, actor=actor,
                     detail={"framework": f"{framework.code} {framework.version}", "percent": result.percent,
                             "grade": result.grade})
        other = self._sheets.get((inspection.id, ONSITE if source == SELF else SELF))
        if other:
            own, found = (scores, other) if source == SELF else (other, scores)
            gaps = flagged(compare(framework, own, found, policy))
            if gaps:
                batch.record("inspection", inspection.id, "scores:gap", as_of=as_of, actor=actor,
                             detail={"areas": {g.name: g.points for g in gaps},
                                     "threshold": policy.self_gap_points})
        return result

    def write(self) -> None:
        """Insert the queued pins and item scores, in the order queued."""
        connection = self.session.connection()
        if self._pins:
            connection.execute(_INSERT_PIN, self._pins)
        if self._rows:  # one executemany: ~30 ORM objects a sheet were a quarter of a simulated province's year
            connection.execute(_INSERT_SCORE, self._rows)
        self._pins, self._rows = [], []


def record_scores(session: Session, *, inspection: Inspection, framework: Framework, source: str,
                  scores: dict[str, float], notes: dict[str, str] | None = None, as_of: date, actor: str,
                  policy: ScoringPolicy) -> SheetResult:
    """Write one sheet (every item of `scores`), pin the framework, audit the result and any flagged gap."""
    batch, sheets = Transitions(session), Sheets(session, [inspection.id])
    result = sheets.add(batch, inspection=inspection, framework=framework, source=source, scores=scores,
                        notes=notes, as_of=as_of, actor=actor, policy=policy)
    sheets.write()
    batch.write()
    return result


def inspection_scores(session: Session, inspection: Inspection, policy: ScoringPolicy) -> dict | None:
    """What a 督导报告 says about scores: each sheet's total and grade by area, and the flagged gaps.

    None when the inspection has no score sheet (or its pinned framework file is gone).
    """
    return Sheets(session, [inspection.id]).results(inspection, policy)


def sheet_results(framework: Framework, sheets: dict[str, dict[str, float]], policy: ScoringPolicy) -> dict:
    """Each non-empty sheet scored, and the self-assessment against the on-site scores when both exist."""
    results = {source: score_sheet(framework, scores, policy) for source, scores in sheets.items() if scores}
    gaps = compare(framework, sheets[SELF], sheets[ONSITE], policy) if len(results) == 2 else []
    return {"framework": framework.name, "version": framework.version, "sheets": results,
            "gaps": gaps, "flagged": flagged(gaps), "threshold": policy.self_gap_points}


def _area_order(code: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", code))


def scores_by_area(session: Session, year: int) -> dict[str, dict]:
    """Mean result per framework and area for the year's inspections, self-assessed and on-site.

    Returns {framework code: {"name", "inspections": {source: n}, "areas": [{"code", "name", "self",
    "onsite"}]}} with percents (None where no sheet of that source exists), areas in framework order.
    """
    rows = session.exec(select(
        InspectionFramework.framework, InspectionFramework.name, ItemScore.source, ItemScore.area_code,
        ItemScore.area, func.sum(ItemScore.score), func.sum(ItemScore.points),
        func.count(func.distinct(ItemScore.inspection_id)),
    ).join(Inspection, Inspection.id == ItemScore.inspection_id).join(
        InspectionFramework, InspectionFramework.inspection_id == ItemScore.inspection_id,
    ).where(Inspection.year == year).group_by(
        InspectionFramework.framework, InspectionFramework.name, ItemScore.source, ItemScore.area_code,
        ItemScore.area)).all()
    result: dict[str, dict] = {}
    for code, name, source, area_code, area, score, points, count in rows:
        entry = result.setdefault(code, {"name": name, "inspections": {}, "areas": {}})
        entry["inspections"][source] = max(entry["inspections"].get(source, 0), count)
        slot = entry["areas"].setdefault(area_code,
                                         {"code": area_code, "name": area, SELF: None, ONSITE: None})
        slot[source] = percent(score, points)
    for entry in result.values():
        entry["areas"] = [entry["areas"][c] for c in sorted(entry["areas"], key=_area_order)]
    return dict(sorted(result.items()))


def unit_results(session: Session, year: int, policy: ScoringPolicy, source: str = ONSITE) -> list[dict]:
    """Each scored inspection of the year: unit, framework, percent and grade (best first), e.g. for 表彰."""
    rows = session.exec(select(
        Inspection.code, Unit.code, Unit.name, InspectionFramework.framework,
        func.sum(ItemScore.score), func.sum(ItemScore.points),
    ).join(Inspection, Inspection.id == ItemScore.inspection_id).join(
        Unit, Unit.id == Inspection.unit_id).join(
        InspectionFramework, InspectionFramework.inspection_id == ItemScore.inspection_id,
    ).where(Inspection.year == year, ItemScore.source == source).group_by(
        Inspection.code, Unit.code, Unit.name, InspectionFramework.framework)).all()
    results = [{"inspection": code, "unit": unit, "unit_name": name, "framework": framework,
                "percent": percent(score, points), "grade": grade(percent(score, points), policy)}
               for code, unit, name, framework, score, points in rows]
    return sorted(results, key=lambda r: (-r["percent"], r["inspection"]))
