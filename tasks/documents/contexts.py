"""What the documents of an inspection say: the context each template is rendered with."""

from collections.abc import Iterable
from datetime import date

from sqlmodel import Session, select

from models import KIND_LABELS, Finding, Inspection, InspectionMember, Inspector, RectificationItem, Unit
from models.queries import chunks, office, rows_by_id
from tasks.documents.letterhead import DocNo


def session_office(session: Session, code: str) -> Unit:
    """An office, looked up once per session (a sweep asks for the same few thousands of times)."""
    cache = session.info.setdefault("dudao.offices", {})
    if code not in cache:
        cache[code] = office(session, code)
    return cache[code]


def superior_of(session: Session, unit: Unit) -> Unit:
    """The unit one level up (a school's 区教委, a department's district leadership)."""
    return session.get(Unit, unit.superior_id) if unit.superior_id else session_office(session, "LEADERSHIP")


def doc_no(kind: str, year: int, number: int) -> DocNo:
    """A document's 发文字号, written out with the district's short name when the document is rendered."""
    return DocNo(kind, year, number)


def seq_of(inspection: Inspection) -> int:
    return int(inspection.code.rsplit("-", 1)[-1])


def team_names(session: Session, inspection: Inspection) -> list[str]:
    """The inspection's team, lead first, then by code."""
    return teams_of(session, [inspection.id])[inspection.id]


def teams_of(session: Session, inspection_ids: list[int]) -> dict[int, list[str]]:
    """inspection id -> team names (lead first, then by code), for a batch in a query per chunk of ids."""
    teams: dict[int, list[str]] = {i: [] for i in inspection_ids}
    for ids in chunks(inspection_ids):
        for inspection_id, name in session.exec(select(InspectionMember.inspection_id, Inspector.name).join(
                Inspector, InspectionMember.inspector_id == Inspector.id).where(
                InspectionMember.inspection_id.in_(ids)).order_by(
                InspectionMember.inspection_id, InspectionMember.role, Inspector.code)).all():
            teams[inspection_id].append(name)
    return teams


def findings_by_inspection(session: Session, inspection_ids: list[int], *,
                           withdrawn: bool = False) -> dict[int, list[Finding]]:
    """inspection id -> its findings by seq (withdrawn ones, or the others), for a batch in a query per chunk of ids."""
    found: dict[int, list[Finding]] = {i: [] for i in inspection_ids}
    for ids in chunks(inspection_ids):
        for finding in session.exec(select(Finding).where(Finding.inspection_id.in_(ids),
                                                          Finding.withdrawn == withdrawn).order_by(
                Finding.inspection_id, Finding.seq)).all():
            found[finding.inspection_id].append(finding)
    return found


def units_by_id(session: Session, unit_ids: Iterable[int]) -> dict[int, Unit]:
    return rows_by_id(session, Unit, unit_ids)


class Contexts:
    """What a document of an inspection says of it (unit, kind, team, 发文字号), for a batch of inspections: units
    and team names read in a few queries for all."""

    def __init__(self, session: Session, inspections: list[Inspection]):
        self.units = units_by_id(session, [i.unit_id for i in inspections])
        self.teams = teams_of(session, [i.id for i in inspections])
        self.scores: dict[int, dict | None] = {}  # the 督导报告's scores, filled by whoever issues reports

    def of(self, inspection: Inspection, kind: str) -> dict:
        return {"inspection": inspection, "unit": self.units[inspection.unit_id],
                "kind_label": KIND_LABELS[inspection.kind], "team": list(self.teams[inspection.id]),
                "doc_no": doc_no(kind, inspection.year, seq_of(inspection))}


def item_context(session: Session, item: RectificationItem, kind: str, as_of: date) -> dict:
    inspection = session.get(Inspection, item.inspection_id)
    unit = session.get(Unit, item.unit_id)
    superior = session.get(Unit, unit.superior_id) if unit.superior_id else None
    return {"inspection": inspection, "unit": unit, "item": item, "finding": session.get(Finding, item.finding_id),
            "superior_name": superior.name if superior else "主管部门",
            "doc_no": doc_no(kind, as_of.year, item.id)}
