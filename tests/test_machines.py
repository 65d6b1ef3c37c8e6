"""The state machines of models/lifecycles: every declaration is whole, the ladder's agrees with its rule, and
per machine an illegal event raises while a legal one moves (and audits, where that machine audits). The
decisions and the outbox are in tests/test_machines_decisions.py."""

from datetime import date

import pytest
from sqlmodel import select

from core.db import session_scope
from models import AuditEvent, Finding, RectificationItem
from models.lifecycles import (
    ISSUE_LEVEL,
    LADDER,
    MACHINES,
    IllegalTransition,
    ItemStage,
    StaleTransition,
    move,
    transition,
)
from models.lifecycles.ladder import ISSUING, STEPS
from rules.ladder import RANK, TOP, URGE, Due, LadderState, advance
from tests.ladder_support import make_items, totals

DAY = date(2026, 10, 21)


@pytest.mark.parametrize("machine", MACHINES, ids=lambda m: f"{m.name}.{m.column}")
def test_every_event_leads_from_and_to_declared_states_and_every_state_has_a_label(machine):
    states = set(machine.states)
    assert machine.events
    for name, event in machine.events.items():
        assert event.sources and event.sources <= states, name
        assert set(event.moves.values()) <= states, name
    assert set(machine.labels) == states and all(machine.labels.values())


def _rule_moves() -> set[tuple[str, str, str]]:
    """(step before, step issued, step after) for every step the rule can issue from every step below the top."""
    found = set()
    for rank, step in enumerate(STEPS[:TOP]):
        issued = (["reminder"] if rank <= URGE else []) + (["urge"] if rank < URGE else [STEPS[rank + 1]])
        state = LadderState("open", DAY, step, None)
        for paper in issued:
            found.add((step, paper, advance(state, Due(paper, "k", new_deadline=DAY), DAY).ladder_step))
    return found


def test_the_ladder_declares_exactly_the_steps_the_rule_takes():
    declared = {(source, paper, target) for paper, event in ISSUING.items()
                for source, target in LADDER.events[event].moves.items()}
    assert declared == _rule_moves()
    assert RANK == {step: rank for rank, step in enumerate(LADDER.states)}


def test_an_item_event_its_stage_does_not_allow_raises_and_a_legal_one_moves_and_audits(seeded):
    [item_id] = make_items("S012", DAY)
    before = totals()
    with pytest.raises(IllegalTransition, match="当前阶段“open”不允许“accept”"), session_scope() as s:
        transition(s, s.get(RectificationItem, item_id), "accept", as_of=DAY)
    assert totals() == before
    with session_scope() as session:
        transition(session, session.get(RectificationItem, item_id), "submit", as_of=DAY, actor="S012")
    with session_scope() as session:
        item = session.get(RectificationItem, item_id)
        event = session.exec(select(AuditEvent).where(AuditEvent.entity_id == item_id)).one()
    assert (item.stage, item.version) == (ItemStage.SUBMITTED, 2)
    assert (event.entity, event.event, event.from_stage, event.to_stage, event.actor) == (
        "item", "submit", "open", "submitted", "S012")


def _urge_plan() -> dict:
    return {"ladder_since": DAY, "current_deadline": date(2026, 11, 11), "next_action_on": date(2026, 11, 12)}


def test_a_ladder_step_out_of_order_raises_and_a_legal_one_moves_with_no_audit_of_its_own(seeded):
    [item_id] = make_items("S012", date(2026, 10, 20))
    before = totals()
    with session_scope() as session:
        item = session.get(RectificationItem, item_id)
        with pytest.raises(IllegalTransition, match="不允许“summon”"):  # 约谈 before 督办
            move(session, LADDER, item, "summon", read=("current_deadline",))
        with pytest.raises(IllegalTransition, match="leads to 'urge', not 'interview'"):  # the rule disagrees
            move(session, LADDER, item, "urge", values={"ladder_step": "interview"})
        assert move(session, LADDER, item, "urge", read=("current_deadline", "next_action_on"),
                    values=_urge_plan()) == "urge"
    with session_scope() as session:
        item = session.get(RectificationItem, item_id)
        assert (item.ladder_step, item.current_deadline, item.next_action_on) == (
            "urge", date(2026, 11, 11), date(2026, 11, 12))
    assert totals() == before  # the ladder's event is recorded with its papers, by the sweep


def test_a_ladder_step_needs_an_open_item_and_a_stale_read_moves_nothing(seeded):
    [submitted, stale] = make_items("S012", date(2026, 10, 20), 2)
    with session_scope() as session:
        transition(session, session.get(RectificationItem, submitted), "submit", as_of=DAY)
    with session_scope() as session, pytest.raises(IllegalTransition, match="不允许“urge”"):
        move(session, LADDER, session.get(RectificationItem, submitted), "urge")  # a report holds the ladder
    with session_scope() as first, session_scope() as second:
        a, b = first.get(RectificationItem, stale), second.get(RectificationItem, stale)
        assert b.next_action_on is None  # read as not planned yet: the claim says IS NULL
        move(first, LADDER, a, "plan", read=("next_action_on",), values={"next_action_on": DAY})
        first.commit()
        with pytest.raises(StaleTransition, match="1 of 1 changed under us"):
            move(second, LADDER, b, "urge", read=("next_action_on",), values=_urge_plan())
        second.rollback()
    with session_scope() as session:
        item = session.get(RectificationItem, stale)
        assert (item.ladder_step, item.next_action_on) == ("none", DAY)


def _finding(item_id: int, **fields) -> int:
    with session_scope() as session:
        finding = session.get(Finding, session.get(RectificationItem, item_id).finding_id)
        for name, value in fields.items():
            setattr(finding, name, value)
        return finding.id


def test_an_issue_past_the_top_raises_and_a_rise_moves_once(seeded):
    [top, rising] = make_items("S015", DAY, 2)
    top_id = _finding(top, level=4, escalate_on=None)
    rising_id = _finding(rising, escalate_on=DAY, needs_escalation=True)
    before = totals()
    with session_scope() as session, pytest.raises(IllegalTransition, match="当前阶段“4”不允许“escalate”"):
        move(session, ISSUE_LEVEL, session.get(Finding, top_id), "escalate")
    with session_scope() as first, session_scope() as second:
        a, b = first.get(Finding, rising_id), second.get(Finding, rising_id)
        assert move(first, ISSUE_LEVEL, a, "escalate", read=("escalate_on",),
                    values={"level_since": DAY, "escalate_on": date(2026, 11, 4)}) == 2
        first.commit()
        with pytest.raises(StaleTransition):  # another sweep of the same day read it at level 1 too
            move(second, ISSUE_LEVEL, b, "escalate", read=("escalate_on",), values={"escalate_on": None})
        second.rollback()
    with session_scope() as session:
        finding = session.get(Finding, rising_id)
        assert (finding.level, finding.level_since, finding.escalate_on) == (2, DAY, date(2026, 11, 4))
        assert not ISSUE_LEVEL.permits(finding, "raise")  # its clock runs already
    assert totals() == before  # the escalate event is recorded with the new owner's 议题上报单, by the sweep


def test_a_withdrawn_finding_cannot_be_raised(seeded, runtime):
    from tasks.ladder.issue_levels import raise_issue

    [item_id] = make_items("S015", DAY)
    finding_id = _finding(item_id, withdrawn=True)
    with session_scope() as session:
        finding = session.get(Finding, finding_id)
        assert "raise" not in ISSUE_LEVEL.allowed(finding)
        assert raise_issue(session, finding, DAY, runtime, actor="S015") is False
    with session_scope() as session:
        assert session.exec(select(AuditEvent)).all() == []
