"""The numbers of a supervision year, read from the ledger, for the year-end documents and their charts."""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlmodel import Session, func, select

from models import KIND_LABELS, Finding, Inspection, RectificationItem, Unit
from models.lifecycles import INSPECTION, ITEM, LADDER, LadderStep
from models.lifecycles.item import ItemStage as It
from models.lifecycles.ladder import PAPERS
from rules.commendation import InspectionRecord, ItemRecord, item_on_time
from rules.policy import ScoringPolicy
from tasks.cycle.scores import ONSITE, SELF, scores_by_area, unit_results
from tasks.operator.summary import year_summary

# Done ones first: the order of the year-end chart's bars.
ITEM_STAGE_LABELS = {stage: ITEM.labels[stage] for stage in (It.CLOSED, It.ACCEPTED, It.SUBMITTED, It.OPEN)}
URGE = LadderStep.URGE


@dataclass(frozen=True)
class YearFigures:
    year: int
    inspections: int
    inspections_by_kind: dict[str, int]
    inspections_by_stage: dict[str, int]
    findings: int
    serious: int
    withdrawn: int
    findings_by_area: dict[str, int]
    items: int
    items_by_stage: dict[str, int]
    items_on_time: int
    overdue: int
    ladder: dict[str, int]
    published: int

    def headline(self) -> dict[str, int]:
        """The measures compared with last year."""
        return {"督导单位": self.inspections, "发现问题": self.findings, "整改事项": self.items,
                "按期整改": self.items_on_time, LADDER.labels[URGE]: self.ladder.get(PAPERS[URGE], 0),
                "公开报告": self.published}


def _labelled(counts: Mapping[str, int], labels: Mapping[str, str]) -> dict[str, int]:
    ordered = [key for key in labels if key in counts] + sorted(set(counts) - set(labels))
    return {labels.get(key, key): counts[key] for key in ordered}


def _findings(session: Session, year: int) -> tuple[dict[str, int], int, int]:
    in_year = select(Inspection.id).where(Inspection.year == year)
    rows = session.exec(select(Finding.area, Finding.severity, Finding.withdrawn, func.count()).where(
        Finding.inspection_id.in_(in_year)).group_by(Finding.area, Finding.severity, Finding.withdrawn)).all()
    by_area: dict[str, int] = {}
    serious = withdrawn = 0
    for area, severity, was_withdrawn, count in rows:
        if was_withdrawn:
            withdrawn += count
            continue
        by_area[area] = by_area.get(area, 0) + count
        serious += count if severity == "serious" else 0
    return dict(sorted(by_area.items(), key=lambda kv: (-kv[1], kv[0]))), serious, withdrawn


def year_items(session: Session, year: int) -> list[RectificationItem]:
    return list(session.exec(select(RectificationItem).join(
        Inspection, RectificationItem.inspection_id == Inspection.id).where(Inspection.year == year)).all())


def year_figures(session: Session, year: int) -> YearFigures:
    summary = year_summary(session, year)
    by_area, serious, withdrawn = _findings(session, year)
    items = year_items(session, year)
    return YearFigures(
        year=year, inspections=sum(summary["inspections"].values()),
        inspections_by_kind=_labelled(summary["inspections_by_kind"], KIND_LABELS),
        inspections_by_stage=_labelled(summary["inspections"], INSPECTION.labels),
        findings=sum(by_area.values()), serious=serious, withdrawn=withdrawn, findings_by_area=by_area,
        items=len(items), items_by_stage=_labelled(summary["rectification"], ITEM_STAGE_LABELS),
        items_on_time=sum(1 for item in items if item_on_time(item_record(item))),
        overdue=summary["overdue_items"], ladder=_labelled(summary["ladder"], PAPERS),
        published=summary["published_reports"])


def item_record(item: RectificationItem) -> ItemRecord:
    return ItemRecord(item.stage, item.deadline, item.submitted_on, item.ladder_step, item.reopen_count)


def inspection_records(session: Session, year: int, grade_of: Mapping[str, str] | None = None
                       ) -> list[InspectionRecord]:
    """Each inspection of the year as the commendation rule sees it."""
    items: dict[int, list[ItemRecord]] = {}
    for item in year_items(session, year):
        items.setdefault(item.inspection_id, []).append(item_record(item))
    counts = dict(session.exec(select(Finding.inspection_id, func.count()).where(
        Finding.withdrawn.is_(False)).group_by(Finding.inspection_id)).all())
    serious = dict(session.exec(select(Finding.inspection_id, func.count()).where(
        Finding.withdrawn.is_(False), Finding.severity == "serious").group_by(Finding.inspection_id)).all())
    rows = session.exec(select(Inspection, Unit).join(Unit, Inspection.unit_id == Unit.id).where(
        Inspection.year == year).order_by(Inspection.id)).all()
    return [InspectionRecord(unit.code, unit.name, unit.kind, i.code, i.issued_on is not None, counts.get(i.id, 0),
                             serious.get(i.id, 0), tuple(items.get(i.id, ())), (grade_of or {}).get(i.code))
            for i, unit in rows]


def area_scores(session: Session, year: int) -> list[dict]:
    """Per framework, each area's mean on-site and self-assessed percent (tasks.cycle.scores), for the chart."""
    frameworks = scores_by_area(session, year)
    return [{"name": entry["name"], "areas": [(a["name"], a[ONSITE], a[SELF]) for a in entry["areas"]]}
            for entry in frameworks.values() if any(a[ONSITE] is not None for a in entry["areas"])]


def grades(session: Session, year: int, policy: ScoringPolicy) -> dict[str, str]:
    """The on-site grade (优秀 …) of each scored inspection of the year, by inspection code."""
    return {r["inspection"]: r["grade"] for r in unit_results(session, year, policy)}
