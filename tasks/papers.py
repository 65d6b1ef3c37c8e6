"""What the documents of an inspection say: the context each template is rendered with."""

from datetime import date

from sqlmodel import Session, select

from models import KIND_LABELS, Finding, Inspection, InspectionMember, Inspector, RectificationItem, Unit

DOC_PREFIX = {"notice": "南岸督通", "feedback": "南岸督反", "report": "南岸督报", "opinion": "南岸督意",
              "reminder": "南岸督提", "urge": "南岸督办", "interview": "南岸督约", "interview_record": "南岸督约记",
              "circular": "南岸督通报", "accountability": "南岸督问", "escalation": "南岸督议",
              "review_receipt": "南岸督复", "review_decision": "南岸督复决", "review_due": "南岸督复"}


def doc_no(kind: str, year: int, number: int) -> str:
    """发文字号, e.g. 南岸督办〔2026〕12号."""
    return f"{DOC_PREFIX.get(kind, '南岸督')}〔{year}〕{number}号"


def seq_of(inspection: Inspection) -> int:
    return int(inspection.code.rsplit("-", 1)[-1])


def team_names(session: Session, inspection: Inspection) -> list[str]:
    rows = session.exec(select(Inspector.name).join(InspectionMember).where(
        InspectionMember.inspection_id == inspection.id).order_by(InspectionMember.role, Inspector.code)).all()
    return list(rows)


def findings_of(session: Session, inspection: Inspection, *, withdrawn: bool = False) -> list[Finding]:
    return list(session.exec(select(Finding).where(
        Finding.inspection_id == inspection.id, Finding.withdrawn == withdrawn).order_by(Finding.seq)).all())


def inspection_context(session: Session, inspection: Inspection, kind: str) -> dict:
    unit = session.get(Unit, inspection.unit_id)
    return {"inspection": inspection, "unit": unit, "kind_label": KIND_LABELS[inspection.kind],
            "team": team_names(session, inspection), "doc_no": doc_no(kind, inspection.year, seq_of(inspection))}


def item_context(session: Session, item: RectificationItem, kind: str, as_of: date) -> dict:
    inspection = session.get(Inspection, item.inspection_id)
    unit = session.get(Unit, item.unit_id)
    superior = session.get(Unit, unit.superior_id) if unit.superior_id else None
    return {"inspection": inspection, "unit": unit, "item": item, "finding": session.get(Finding, item.finding_id),
            "superior_name": superior.name if superior else "主管部门",
            "doc_no": doc_no(kind, as_of.year, item.id)}
