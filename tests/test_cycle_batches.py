"""The cycle steps work on a day's rows as a set; what they write must read as if written one row at a time:
ids in the order of the rows (inspections by slot, items by inspection and finding), audit events in the order
the per-row loop appended them, and the audit chain intact."""

from datetime import date

from sqlmodel import select

from core.db import session_scope
from models import AuditEvent, Finding, Inspection, InspectionMember, RectificationItem
from models.audit_chain import verify
from rules.runtime import load_runtime
from tasks.cycle.annual_openings import annual_slots, open_annual_inspections
from tasks.cycle.due_steps import issue_due

ISSUE_DAY = date(2026, 6, 15)


def _events(session, since_id: int) -> list[tuple]:
    return [(e.entity, e.entity_id, e.event, e.to_stage) for e in session.exec(
        select(AuditEvent).where(AuditEvent.id > since_id).order_by(AuditEvent.id)).all()]


def _last_event_id(session) -> int:
    return session.exec(select(AuditEvent.id).order_by(AuditEvent.id.desc())).first() or 0


def test_the_plan_day_opens_every_inspection_in_slot_order_with_its_team_and_plan_event(seeded):
    rt = load_runtime()
    with session_scope() as session:
        before = _last_event_id(session)
        slots = annual_slots(session, 2026, rt)
        created = open_annual_inspections(session, year=2026, rt=rt, as_of=date(2026, 1, 5))
        assert [i.code for i in created] == [f"2026-ZH-{seq:03d}" for seq, _, _ in slots]
        assert [i.unit_id for i in created] == [unit.id for _, unit, _ in slots]
        ids = [i.id for i in created]
        assert ids == sorted(ids) and all(i.stage == "planned" and i.version == 1 for i in created)
        assert all(i.notice_on is not None and i.self_assessment_due is not None for i in created)
        events = session.exec(select(AuditEvent).where(AuditEvent.id > before).order_by(AuditEvent.id)).all()
        assert [(e.entity_id, e.event, e.to_stage) for e in events] == [(i, "plan", "planned") for i in ids]
        for inspection, event in zip(created, events, strict=True):
            members = session.exec(select(InspectionMember).where(
                InspectionMember.inspection_id == inspection.id)).all()
            lead = [m.inspector_id for m in members if m.role == "lead"]
            assert len(lead) == 1 and len(members) == rt.policy.inspection.team_min
            assert f'"team": [{lead[0]},' in event.detail  # the team as chosen, lead first
        assert verify(session)[1] is None


def _preliminary(session, inspection: Inspection, texts: list[str], withdrawn: int = 0) -> None:
    """The inspection after its feedback: findings (seq 1…), the rebuttal window closed."""
    inspection.stage, inspection.rebuttal_due = "preliminary", date(2026, 6, 12)
    for seq, text in enumerate(texts, start=1):
        session.add(Finding(inspection_id=inspection.id, seq=seq, area="办学行为", text=text,
                            withdrawn=seq <= withdrawn))


def test_issue_due_opens_the_items_of_a_batch_in_inspection_and_finding_order(seeded):
    rt = load_runtime()
    with session_scope() as session:
        first, second, third = open_annual_inspections(session, year=2026, rt=rt, as_of=date(2026, 1, 5))[:3]
        _preliminary(session, first, ["甲一", "甲二"])
        _preliminary(session, second, ["乙一"], withdrawn=1)  # nothing left to rectify: closes at once
        _preliminary(session, third, ["丙一", "丙二", "丙三"], withdrawn=1)
        session.flush()
        before = _last_event_id(session)
        assert issue_due(session, ISSUE_DAY, rt) == [first.id, second.id, third.id]
        items = session.exec(select(RectificationItem).order_by(RectificationItem.id)).all()
        findings = {f.id: f for f in session.exec(select(Finding)).all()}
        assert [(i.inspection_id, findings[i.finding_id].text) for i in items] == [
            (first.id, "甲一"), (first.id, "甲二"), (third.id, "丙二"), (third.id, "丙三")]
        assert all(i.stage == "open" and i.deadline == i.current_deadline > ISSUE_DAY for i in items)
        assert _events(session, before) == [
            ("item", items[0].id, "open", "open"), ("item", items[1].id, "open", "open"),
            ("inspection", first.id, "issue", "issued"), ("inspection", first.id, "start_rectification", "rectifying"),
            ("inspection", second.id, "issue", "issued"), ("inspection", second.id, "close_without_items", "closed"),
            ("item", items[2].id, "open", "open"), ("item", items[3].id, "open", "open"),
            ("inspection", third.id, "issue", "issued"), ("inspection", third.id, "start_rectification", "rectifying")]
        session.expire_all()
        stages = {i.id: (i.stage, i.version, i.issued_on, i.closed_on) for i in session.exec(select(Inspection).where(
            Inspection.id.in_([first.id, second.id, third.id]))).all()}
        assert stages == {first.id: ("rectifying", 3, ISSUE_DAY, None), second.id: ("closed", 3, ISSUE_DAY, ISSUE_DAY),
                          third.id: ("rectifying", 3, ISSUE_DAY, None)}
        assert verify(session)[1] is None
        assert issue_due(session, ISSUE_DAY, rt) == []  # the step is idempotent


def test_documents_and_notices_are_inserted_a_batch_a_statement_each_row_with_its_own_id(seeded):
    """Matched by key, not by position: SQLite then takes a batch a statement (ids in the rows' order cost one
    INSERT a row there). Every notice row gets the id of its own key, and points at its own document."""
    from sqlalchemy import event

    from core.db import get_engine
    from models import Document, Notice, Unit
    from tasks.documents.contexts import doc_no
    from tasks.documents.issuing import Paper, issue_many

    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    with session_scope() as session:
        office = session.exec(select(Unit).where(Unit.code == "OFFICE")).one()
        papers = [Paper(key=f"batch:{n}", kind="training_shortfall", issued_on=date(2026, 12, 1), unit=office,
                        title=f"督学培训学时不足提示（{n}）", context={
                            "rows": [], "year": 2026, "required": 24, "doc_no": doc_no("training_shortfall", 2026, n)})
                  for n in range(1, 1201)]
        event.listen(get_engine(), "before_cursor_execute", listen)
        try:
            ids = issue_many(session, papers)
        finally:
            event.remove(get_engine(), "before_cursor_execute", listen)
    inserts = [s for s in statements if s.startswith(("INSERT INTO document ", "INSERT INTO notice "))]
    assert len(inserts) <= 6, len(inserts)  # 1,200 rows of each in chunks of 500: three statements a table
    with session_scope() as session:
        for paper, notice_id in zip(papers, ids, strict=True):
            notice = session.get(Notice, notice_id)
            document = session.get(Document, notice.document_id)
            assert notice.key == document.key == paper.key
            assert document.title == paper.title
