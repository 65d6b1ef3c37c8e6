"""Weighted scores, grades and the self-assessment gap, as pure functions of a framework and item scores.

A score sheet maps item codes (考查要点) to points given (得分), each between 0 and the item's points (分值).
An area's result is its points given as a percent of its points; the total likewise over the framework.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from rules.indicators import Framework, Item
from rules.policy import ScoringPolicy

GRADES = ("优秀", "良好", "合格", "不合格")


@dataclass(frozen=True)
class AreaResult:
    code: str
    name: str
    points: float
    score: float

    @property
    def percent(self) -> float:
        return percent(self.score, self.points)


@dataclass(frozen=True)
class SheetResult:
    points: float
    score: float
    percent: float
    grade: str
    areas: tuple[AreaResult, ...]


@dataclass(frozen=True)
class Gap:
    """Self-assessment against the inspectors' scores for one area (or the total, code "TOTAL")."""

    code: str
    name: str
    self_percent: float
    onsite_percent: float
    flagged: bool

    @property
    def points(self) -> float:
        return round(self.self_percent - self.onsite_percent, 1)


def percent(score: float, points: float) -> float:
    return round(100 * score / points, 1) if points else 0.0


def score_problem(item: Item, value: float) -> str | None:
    """Why `value` is not a valid score for `item`, or None."""
    if value != value or value in (float("inf"), float("-inf")):
        return "不是有限的数字"
    if value < 0 or value > item.points:
        return f"{value:g} 不在 0–{item.points:g}（该项分值）之内"
    return None


def missing_items(framework: Framework, scores: Mapping[str, float]) -> list[str]:
    """Item codes of the framework that the sheet leaves without a score."""
    return [e.item.code for e in framework.entries() if e.item.code not in scores]


def grade(value: float, policy: ScoringPolicy) -> str:
    """优秀 / 良好 / 合格 / 不合格 for a percent, by the policy's thresholds (each threshold included)."""
    value = round(value, 6)
    thresholds = (policy.excellent_from, policy.good_from, policy.pass_from)
    for threshold, label in zip(thresholds, GRADES, strict=False):
        if value >= threshold:
            return label
    return GRADES[-1]


def area_results(framework: Framework, scores: Mapping[str, float]) -> tuple[AreaResult, ...]:
    """Points given per area, in the framework's order (items without a score count 0)."""
    return tuple(AreaResult(area.code, area.name, area.points,
                            sum(scores.get(item.code, 0.0) for ki in area.indicators for item in ki.items))
                 for area in framework.areas)


def score_sheet(framework: Framework, scores: Mapping[str, float], policy: ScoringPolicy) -> SheetResult:
    """The weighted total, its percent and grade, and each area's result."""
    areas = area_results(framework, scores)
    points, score = sum(a.points for a in areas), sum(a.score for a in areas)
    total = percent(score, points)
    return SheetResult(points=points, score=round(score, 2), percent=total, grade=grade(total, policy),
                       areas=areas)


def compare(framework: Framework, self_scores: Mapping[str, float], onsite_scores: Mapping[str, float],
            policy: ScoringPolicy) -> list[Gap]:
    """Per area and in total: how far the unit rated itself above (or below) what the inspectors found.

    Flagged where the self-assessment is more than `policy.self_gap_points` above the on-site result.
    """
    own, found = score_sheet(framework, self_scores, policy), score_sheet(framework, onsite_scores, policy)
    rows = [(a.code, a.name, a.percent, b.percent) for a, b in zip(own.areas, found.areas, strict=True)]
    rows.append(("TOTAL", "总分", own.percent, found.percent))
    return [Gap(code, name, mine, theirs, round(mine - theirs, 6) > policy.self_gap_points)
            for code, name, mine, theirs in rows]


def flagged(gaps: list[Gap]) -> list[Gap]:
    return [gap for gap in gaps if gap.flagged]
