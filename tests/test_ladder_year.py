"""The sample year (seed 2026), simulated day by day at the tasks level (no Prefect, for speed): items reach every
step of the ladder, each step's documents are on disk, every item has exactly one notice per step it reached,
and `dudao summary --json` shows the five ladder keys."""

import json
from collections import Counter
from datetime import date, timedelta

from sqlmodel import select

from core.db import session_scope
from models import AuditEvent, Document, Notice, RectificationItem, SimulationRun, Unit
from rules import behaviour
from rules.runtime import load_runtime
from tasks.documents.issuing import document_text
from tasks.ladder.summary import LADDER_KEYS
from tasks.operator.summary import year_summary
from tasks.simulation.days import simulate_day
from tests.conftest import run_cli

STEP_KINDS = ("urge", "interview", "interview_record", "circular", "accountability")


def _simulate(year: int, seed: int) -> None:
    rt = load_runtime()
    with session_scope() as session:
        session.add(SimulationRun(year=year, seed=seed))
    day = date(year, 1, 1)
    while day <= date(year, 12, 31):
        with session_scope() as session:
            simulate_day(session, session.get(SimulationRun, year), day, rt)
        day += timedelta(days=1)


def _per_item(session, model, column, *where) -> Counter:
    return Counter(session.exec(select(model.item_id if model is not AuditEvent else AuditEvent.entity_id, column)
                                .where(*where)).all())


def test_the_sample_year_reaches_every_step_once_per_item(seeded):
    _simulate(2026, 2026)
    with session_scope() as session:
        summary = year_summary(session, 2026)
        notices = _per_item(session, Notice, Notice.kind, Notice.kind.in_(STEP_KINDS + ("reminder",)))
        events = Counter((item_id, event.removeprefix("ladder:")) for item_id, event in session.exec(
            select(AuditEvent.entity_id, AuditEvent.event).where(AuditEvent.entity == "item",
                                                                 AuditEvent.event.like("ladder:%"))).all())
        items = session.exec(select(RectificationItem)).all()
        documents = session.exec(select(Document).where(Document.kind.in_(STEP_KINDS + ("reminder", "escalation")))).all()
        never_units = {u.id for u in session.exec(select(Unit)).all()
                       if behaviour.unit_profile(2026, u.code) == "never"}
    ladder = summary["ladder"]
    assert list(ladder) == list(LADDER_KEYS) and all(ladder[step] > 0 for step in LADDER_KEYS), ladder
    assert ladder["urge"] > ladder["interview"] > ladder["circular"] > ladder["accountability"]  # some stop at each
    for item in items:
        for kind in STEP_KINDS:
            if kind == "interview_record":  # filed once the 约谈 took place: never before it, at most one each
                assert notices[(item.id, kind)] <= events[(item.id, "interview")], item.id
                continue
            assert notices[(item.id, kind)] == events[(item.id, kind)], (item.id, kind)
            if item.reopen_count == 0:
                assert notices[(item.id, kind)] <= 1, (item.id, kind)
        assert notices[(item.id, "reminder")] == events[(item.id, "reminder")]
    assert {kind for kind in STEP_KINDS + ("escalation",)} <= {d.kind for d in documents}
    with session_scope() as session:
        for doc in documents:
            assert (seeded.out_dir / doc.path).is_file() and document_text(session, doc.id)
    stuck = {item.unit_id for item in items if item.ladder_step == "accountability"}
    assert never_units & stuck, "some 'never' units are held to account"
    # 从重问责 counts units held to account in two inspections or more, never items (issue 16).
    held: dict[int, set[int]] = {}
    for item in items:
        if events[(item.id, "accountability")]:
            held.setdefault(item.unit_id, set()).add(item.inspection_id)
    with session_scope() as session:
        twice = sorted(session.exec(select(Unit.code).where(
            Unit.id.in_([unit for unit, inspections in held.items() if len(inspections) >= 2]))).all())
    assert summary["aggravated_units"] == twice
    assert summary["escalation"]["level4"] > 0 and summary["escalation"]["level2"] > 0
    assert summary["review_requests"]

    result = run_cli("summary", "--year", "2026", "--json",
                     env={"DUDAO_VAR_DIR": str(seeded.var_dir), "DUDAO_DATABASE_URL": seeded.ledger_url})
    assert json.loads(result.stdout)["ladder"] == ladder
