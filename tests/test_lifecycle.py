"""The inspection and item lifecycles: legal paths, illegal events, audit in the same transaction."""

import pytest
from sqlmodel import select

from core.db import session_scope
from models import AuditEvent, Inspection, Unit
from models.lifecycles import (
    INSPECTION_EVENTS,
    IllegalTransition,
    InspectionStage,
    StaleTransition,
    Transitions,
    allowed_events,
    transition,
)

DAY = __import__("datetime").date(2026, 3, 2)


def _inspection(session, **fields) -> Inspection:
    unit = session.exec(select(Unit).where(Unit.code == "S001")).one()
    inspection = Inspection(code=fields.pop("code", "2026-ZH-001"), year=2026, kind=fields.pop("kind", "annual"),
                            unit_id=unit.id, **fields)
    session.add(inspection)
    session.flush()
    return inspection


def test_the_whole_path_is_legal_and_audited(seeded):
    path = ["notify", "receive_self_assessment", "visit", "feed_back", "issue", "start_rectification",
            "await_recheck", "close", "reopen", "await_recheck", "close"]
    with session_scope() as session:
        inspection = _inspection(session)
        for event in path:
            transition(session, inspection, event, as_of=DAY)
        assert inspection.stage == InspectionStage.CLOSED
    with session_scope() as session:
        events = session.exec(select(AuditEvent.event).where(AuditEvent.entity == "inspection")).all()
        assert events == path
        assert session.get(Inspection, inspection.id).version == len(path) + 1


@pytest.mark.parametrize("event", ["visit", "issue", "close", "feed_back", "reopen"])
def test_an_illegal_event_raises_and_writes_nothing(seeded, event):
    with session_scope() as session:
        inspection = _inspection(session)
    with pytest.raises(IllegalTransition, match=event), session_scope() as session:
        transition(session, session.get(Inspection, inspection.id), event, as_of=DAY)
    with session_scope() as session:
        assert session.get(Inspection, inspection.id).stage == "planned"
        assert session.exec(select(AuditEvent)).all() == []


def test_only_covert_or_emergency_inspections_visit_unannounced(seeded):
    with session_scope() as session:
        announced = _inspection(session)
        covert = _inspection(session, code="2026-AF-001", kind="covert", covert=True)
        assert "visit_unannounced" not in allowed_events(announced)
        assert "visit_unannounced" in allowed_events(covert)
        with pytest.raises(IllegalTransition):
            transition(session, announced, "visit_unannounced", as_of=DAY)


def test_a_stale_copy_cannot_transition(seeded):
    with session_scope() as session:
        inspection = _inspection(session)
    with session_scope() as first, session_scope() as second:
        a, b = first.get(Inspection, inspection.id), second.get(Inspection, inspection.id)
        transition(first, a, "notify", as_of=DAY)
        first.commit()
        with pytest.raises(StaleTransition):
            transition(second, b, "notify", as_of=DAY)
        second.rollback()


def test_a_batch_writes_every_stage_and_its_audit_events_in_the_order_applied(seeded):
    with session_scope() as session:
        first, second = _inspection(session), _inspection(session, code="2026-ZH-002")
        batch = Transitions(session)
        batch.apply(first, "notify", as_of=DAY)
        batch.apply(second, "notify", as_of=DAY, detail={"n": 2})
        batch.record("inspection", first.id, "release", as_of=DAY, actor="operator")
        assert batch.apply(first, "receive_self_assessment", as_of=DAY) == InspectionStage.SELF_ASSESSMENT
        with pytest.raises(IllegalTransition):  # checked against the stage the batch has given it
            batch.apply(second, "notify", as_of=DAY)
        batch.write()
    with session_scope() as session:
        trail = session.exec(select(AuditEvent.entity_id, AuditEvent.event, AuditEvent.detail).order_by(
            AuditEvent.id)).all()
        assert trail == [(first.id, "notify", "{}"), (second.id, "notify", '{"n": 2}'),
                         (first.id, "release", "{}"), (first.id, "receive_self_assessment", "{}")]
        assert [(i.stage, i.version) for i in (session.get(Inspection, first.id), session.get(
            Inspection, second.id))] == [(InspectionStage.SELF_ASSESSMENT, 3), (InspectionStage.NOTIFIED, 2)]


def test_a_batch_with_one_stale_row_raises_naming_it_and_writes_nothing(seeded):
    with session_scope() as session:
        ids = [_inspection(session, code=f"2026-ZH-00{n}").id for n in (1, 2, 3)]
    with session_scope() as session:
        stale = session.get(Inspection, ids[1])
        stale.version = 7  # as if another process had moved it since we read it
    with pytest.raises(StaleTransition, match=r"1 of 3 changed under us"), session_scope() as session:
        batch = Transitions(session)
        for inspection_id in ids:
            inspection = session.get(Inspection, inspection_id)
            inspection.version = 1 if inspection_id == ids[1] else inspection.version  # our stale copy
            batch.apply(inspection, "notify", as_of=DAY)
        batch.write()
    with session_scope() as session:
        assert [session.get(Inspection, i).stage for i in ids] == ["planned"] * 3
        assert session.exec(select(AuditEvent)).all() == []


def test_every_declared_event_targets_a_known_stage():
    stages = set(InspectionStage)
    for event in INSPECTION_EVENTS.values():
        assert set(event.moves.values()) <= stages and event.sources <= stages
