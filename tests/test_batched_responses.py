"""The simulation's people act on a day's rows as a set: transitions and audit events queued in one
`Transitions`, score sheets in one `Sheets`. Written together they must leave the ledger exactly as the same
steps taken one call at a time: the same rows, ids and audit events in the same order, the chain intact."""

from datetime import date

from sqlmodel import select

from core.db import session_scope
from models import AuditEvent, Finding, Inspection, ItemScore, Unit, audit_chain
from models.lifecycles import Transitions, transition
from rules import behaviour
from tasks.cycle.annual_openings import open_annual_inspections
from tasks.cycle.responses import FindingInput, receive_self_assessment, record_visit
from tasks.cycle.scores import Sheets
from tasks.simulation.days import plan_day
from tasks.simulation.scores import add_simulated_scores, record_simulated_scores

SEED, YEAR = 11, 2026


def _notified(runtime) -> date:
    """The year's annual inspections opened and notified (committed): the state both runs start from."""
    as_of = plan_day(YEAR, runtime)
    with session_scope() as session:
        for inspection in open_annual_inspections(session, year=YEAR, rt=runtime, as_of=as_of):
            transition(session, inspection, "notify", as_of=as_of)
    return as_of


def _day(runtime, as_of: date, batched: bool) -> dict[str, list[tuple]]:
    """Every inspection self-assesses, then is visited, on one day: both sheets of an inspection in the same
    batch, so the visit's gap check must see the self-assessment queued before it. Rolled back after."""
    with session_scope() as session:
        mark = session.exec(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)).first() or 0
        rows = session.exec(select(Inspection, Unit).join(Unit, Inspection.unit_id == Unit.id)
                            .order_by(Inspection.id)).all()
        moves, sheets = Transitions(session), Sheets(session, [inspection.id for inspection, _ in rows])
        batch = {"batch": moves} if batched else {}

        def score(inspection, unit, source, weak_areas=frozenset()):
            scored = {"seed": SEED, "inspection": inspection, "unit": unit, "source": source, "as_of": as_of,
                      "policy": runtime.policy.scoring, "weak_areas": weak_areas}
            if batched:
                add_simulated_scores(sheets, moves, **scored)
            else:
                record_simulated_scores(session, **scored)

        for inspection, unit in rows:
            found = behaviour.findings_for(SEED, inspection.code, unit.kind)
            receive_self_assessment(session, inspection, as_of, "simulation", **batch)
            score(inspection, unit, "self")
            record_visit(session, inspection, [FindingInput(*f) for f in found], as_of, runtime, "simulation",
                         **batch)
            score(inspection, unit, "onsite", frozenset(area for area, _text, _severity in found))
        sheets.write()
        moves.write()
        result = _ledger(session, mark)
        assert audit_chain.verify(session)[1] is None
        session.rollback()
    return result


def _ledger(session, mark: int) -> dict[str, list[tuple]]:
    return {
        "audit": _from_first(session.exec(select(
            AuditEvent.id, AuditEvent.entity, AuditEvent.entity_id, AuditEvent.event, AuditEvent.from_stage,
            AuditEvent.to_stage, AuditEvent.detail).where(AuditEvent.id > mark).order_by(AuditEvent.id)).all()),
        "scores": _from_first(session.exec(select(ItemScore.id, ItemScore.inspection_id, ItemScore.source,
                                                  ItemScore.item_code, ItemScore.score).order_by(ItemScore.id)).all()),
        "findings": _from_first(session.exec(select(Finding.id, Finding.inspection_id, Finding.seq, Finding.text)
                                             .order_by(Finding.id)).all()),
        "inspections": session.exec(select(Inspection.id, Inspection.stage, Inspection.version, Inspection.visit_on,
                                           Inspection.feedback_on, Inspection.self_assessment_on)
                                    .order_by(Inspection.id)).all(),
    }


def _from_first(rows: list) -> list[tuple]:
    """Ids counted from the run's first new row (so also their order and gaps): PostgreSQL does not hand out
    again the ids of the rolled-back run before."""
    return [(row[0] - rows[0][0], *row[1:]) for row in rows]


def test_a_batched_day_leaves_the_ledger_as_one_call_at_a_time(seeded, runtime):
    as_of = _notified(runtime)
    one_by_one, batched = _day(runtime, as_of, batched=False), _day(runtime, as_of, batched=True)
    assert batched == one_by_one
    events = [row[3] for row in batched["audit"]]  # (id, entity, entity_id, event, …)
    assert events.count("visit") == events.count("receive_self_assessment") == len(batched["inspections"])
    assert events.count("scores:self") > 0 and events.count("scores:gap") > 0  # the in-batch gap check ran
    assert {row.stage for row in batched["inspections"]} == {"onsite"}
    assert {row.version for row in batched["inspections"]} == {4}  # planned, notified, self-assessed, visited
