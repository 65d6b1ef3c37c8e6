"""Illegal acts referred at once (实施方案 §十五: 发现违法办学、侵犯受教育者和教师及学校合法权益、教师师德失范等违法行为
的，移交相关执法部门调查处理): a finding of severity `illegal` gets a 违法行为移送函 to the enforcement bodies of the
policy (`[referral] to_units`) on the first sweep after the visit that found it, not at the top of the ladder
months later. Its rectification item follows the usual path beside it. Sweep step `refer-illegal`."""

from datetime import date

from sqlmodel import Session, select

from models import Finding, Inspection, Unit
from models.lifecycles import Transitions
from rules.runtime import Runtime
from tasks.documents.contexts import doc_no, session_office, superior_of
from tasks.documents.issuing import Paper, issue_many

ILLEGAL = "illegal"
TITLE = "违法行为移送函"


def refer_illegal_acts(session: Session, as_of: date, rt: Runtime) -> list[int]:
    """Refer every illegal finding not referred yet, each once. Returns the findings' ids."""
    rows = session.exec(select(Finding, Inspection, Unit).join(Inspection, Inspection.id == Finding.inspection_id).join(
        Unit, Unit.id == Inspection.unit_id).where(
        Finding.severity == ILLEGAL, Finding.referred_on.is_(None)).order_by(Finding.id)).all()
    if not rows:
        return []
    bodies = list(session.exec(select(Unit).where(Unit.code.in_(rt.policy.referral.to_units)).order_by(Unit.code)).all())
    the_office, moves, papers = session_office(session, "OFFICE"), Transitions(session), []
    for finding, inspection, unit in rows:
        finding.referred_on = as_of
        session.add(finding)
        superior = superior_of(session, unit)
        recipients = list({u.id: u for u in (*bodies, superior, the_office)}.values())
        papers.append(Paper(key=f"finding:{finding.id}:referral", kind="referral", title=TITLE, issued_on=as_of,
                            unit=unit, inspection_id=inspection.id, recipients=recipients, context={
                                "finding": finding, "inspection": inspection, "unit": unit, "copy_to": [the_office.name],
                                "addressees": "，".join(u.name for u in bodies),
                                "doc_no": doc_no("referral", as_of.year, finding.id)}))
        moves.record("finding", finding.id, "refer", as_of=as_of, actor="system",
                     detail={"to": [u.code for u in bodies], "visit_on": inspection.visit_on})
    issue_many(session, papers)
    moves.write()
    return [finding.id for finding, _inspection, _unit in rows]
