"""What the public may read: reports an operator released and the sweep published, with personal data
redacted. Covert inspections show nothing before their visit. Everything here is plain data; the site
templates escape it (autoescape), so whatever a unit wrote stays text."""

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from models import (
    KIND_LABELS,
    Finding,
    Inspection,
    InspectionMember,
    Inspector,
    RectificationItem,
    Submission,
    Unit,
)
from models.lifecycles.item import PUBLIC_LABELS
from rules.redaction import redact
from tasks.documents.contexts import doc_no, seq_of
from tasks.documents.issuing import safe_name
from tasks.documents.letterhead import letterhead

ITEM_STATUS = PUBLIC_LABELS


@dataclass(frozen=True)
class PublicFinding:
    seq: int
    area: str
    text: str
    serious: bool


@dataclass(frozen=True)
class PublicItem:
    seq: int
    finding: str
    decision: str
    deadline: date
    status: str
    rectification: str  # the unit's own words: its accepted rectification report


@dataclass(frozen=True)
class PublicReport:
    code: str
    year: int
    kind: str
    kind_label: str
    unit_code: str
    unit_name: str
    unit_kind: str
    theme: str
    doc_no: str
    visit_on: date
    issued_on: date
    published_on: date
    team: list[str]
    findings: list[PublicFinding]
    items: list[PublicItem]

    @property
    def title(self) -> str:
        """峡口南山中学年度综合督导报告 (kind labels already end in 督导)."""
        return f"{self.unit_name}{self.kind_label}{'' if self.kind_label.endswith('督导') else '督导'}报告"

    @property
    def slug(self) -> str:
        return safe_name(self.code)

    @property
    def unit_slug(self) -> str:
        return safe_name(self.unit_code)

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.status.startswith("已整改"))


def publishable(session: Session, as_of: date) -> list[Inspection]:
    """Released and published by `as_of`; a covert inspection never before its visit."""
    rows = session.exec(select(Inspection).where(
        Inspection.released_on.is_not(None), Inspection.released_on <= as_of,
        Inspection.published_on.is_not(None), Inspection.published_on <= as_of, Inspection.issued_on.is_not(None),
    ).order_by(Inspection.published_on.desc(), Inspection.code)).all()
    return [i for i in rows if not i.covert or (i.visit_on is not None and i.visit_on <= as_of)]


def _by_inspection(rows) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row.inspection_id, []).append(row)
    return grouped


def _teams(session: Session, ids: list[int]) -> dict[int, list[str]]:
    teams: dict[int, list[str]] = {}
    for inspection_id, name in session.exec(select(InspectionMember.inspection_id, Inspector.name).join(
            Inspector, InspectionMember.inspector_id == Inspector.id).where(
            InspectionMember.inspection_id.in_(ids)).order_by(InspectionMember.role, Inspector.code)).all():
        teams.setdefault(inspection_id, []).append(name)
    return teams


def _accepted_texts(session: Session, item_ids: list[int]) -> dict[int, str]:
    rows = session.exec(select(Submission).where(Submission.item_id.in_(item_ids),
                                                 Submission.decision == "accepted").order_by(Submission.id)).all()
    return {s.item_id: s.text for s in rows}  # the latest accepted report of each item wins


def _item_status(item: RectificationItem, as_of: date) -> str:
    status = ITEM_STATUS.get(item.stage, item.stage)
    overdue = item.stage == "open" and item.current_deadline < as_of
    return f"{status}（已逾期）" if overdue else status


def public_reports(session: Session, as_of: date, allowed_phones: list[str]) -> list[PublicReport]:
    """Every publishable report as public, redacted data (a handful of queries for the whole site)."""
    inspections = publishable(session, as_of)
    ids = [i.id for i in inspections]
    units = {u.id: u for u in session.exec(select(Unit).where(Unit.id.in_({i.unit_id for i in inspections}))).all()}
    findings = _by_inspection(session.exec(select(Finding).where(
        Finding.inspection_id.in_(ids), Finding.withdrawn.is_(False)).order_by(Finding.seq)).all())
    items = _by_inspection(session.exec(select(RectificationItem).where(
        RectificationItem.inspection_id.in_(ids)).order_by(RectificationItem.id)).all())
    texts = _accepted_texts(session, [item.id for group in items.values() for item in group])
    teams = _teams(session, ids)
    district = letterhead(session)

    def clean(text: str | None) -> str:
        return redact(text or "", allowed_phones=allowed_phones)

    reports = []
    for i in inspections:
        unit = units[i.unit_id]
        finding_text = {f.id: clean(f.text) for f in findings.get(i.id, [])}
        reports.append(PublicReport(
            code=i.code, year=i.year, kind=i.kind, kind_label=KIND_LABELS.get(i.kind, i.kind), unit_code=unit.code,
            unit_name=unit.name, unit_kind=unit.kind, theme=clean(i.theme),
            doc_no=district.doc_no(doc_no("report", i.year, seq_of(i))),
            visit_on=i.visit_on, issued_on=i.issued_on, published_on=i.published_on, team=teams.get(i.id, []),
            findings=[PublicFinding(f.seq, f.area, finding_text[f.id], f.severity == "serious")
                      for f in findings.get(i.id, [])],
            items=[PublicItem(n, finding_text.get(item.finding_id, ""), clean(item.decision), item.deadline,
                              _item_status(item, as_of), clean(texts.get(item.id)))
                   for n, item in enumerate(items.get(i.id, []), start=1)]))
    return reports
