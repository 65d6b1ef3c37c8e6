"""Tamper evidence: the audit log is a hash chain; edits and deletions behind the system's back are caught,
and two transactions appending at once never fork it."""

import threading
import time
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from core.db import get_engine, session_scope
from models import AuditEvent
from models.audit_chain import GENESIS, digest, head, verify
from models.lifecycles import record
from tests.conftest import run_cli
from tests.figures import tally

DAY = date(2026, 3, 16)


def _append(n_transactions: int, per_transaction: int = 3, actor: str = "system") -> None:
    for t in range(n_transactions):
        with session_scope() as session:
            for k in range(per_transaction):
                record(session, "inspection", t, "publish", as_of=DAY, actor=actor,
                       detail={"step": k, "note": "督导报告已公开"})


def _ids() -> list[int]:
    with session_scope() as session:
        return list(session.exec(select(AuditEvent.id).order_by(AuditEvent.id)).all())


def _cli_verify(ledger) -> tuple[int, str]:
    env = {"DUDAO_DATABASE_URL": ledger.ledger_url, "DUDAO_VAR_DIR": str(ledger.var_dir)}
    result = run_cli("audit", "verify", env=env)
    return result.returncode, result.stdout + result.stderr


def _raw(sql: str, **params) -> None:
    """Change the ledger behind the system's back: plain SQL, no lifecycle, no ORM."""
    with get_engine().begin() as conn:
        conn.execute(text(sql), params)


def test_every_event_is_chained_onto_the_one_before(ledger):
    _append(4)
    with session_scope() as session:
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert events[0].prev_hash == GENESIS
        for before, after in zip(events, events[1:], strict=False):
            assert after.prev_hash == before.hash
            assert after.hash == digest(after.prev_hash, after)
        assert verify(session) == (12, None)
        assert head(session) == (events[-1].id, events[-1].hash)
    assert _cli_verify(ledger) == (0, "audit chain holds: 12 events\n")


def test_an_edited_detail_is_caught_and_named(ledger):
    _append(5)
    victim = _ids()[7]
    _raw("UPDATE auditevent SET detail = :d WHERE id = :id", d='{"step": 1, "note": "无问题"}', id=victim)
    code, output = _cli_verify(ledger)
    tally("tamper.attempts")
    assert code == 1
    assert f"broken at event {victim}:" in output and "edited" in output
    tally("tamper.caught")


@pytest.mark.parametrize("column, value", [("actor", "operator"), ("as_of", "2026-03-17"),
                                           ("to_stage", "closed"), ("entity_id", 99), ("event", "close")])
def test_any_hashed_field_edited_is_caught(ledger, column, value):
    _append(3)
    victim = _ids()[4]
    _raw(f"UPDATE auditevent SET {column} = :v WHERE id = :id", v=value, id=victim)
    tally("tamper.attempts")
    with session_scope() as session:
        _checked, broken = verify(session)
    assert broken is not None and broken.event_id == victim
    tally("tamper.caught")


def test_a_deleted_event_in_the_middle_is_caught_at_the_next(ledger):
    _append(5)
    ids = _ids()
    _raw("DELETE FROM auditevent WHERE id = :id", id=ids[6])
    code, output = _cli_verify(ledger)
    tally("tamper.attempts")
    assert code == 1
    assert f"broken at event {ids[7]}:" in output and "deleted" in output
    tally("tamper.caught")


def test_a_consistently_rehashed_row_still_breaks_the_next_link(ledger):
    """Someone who knows the algorithm edits a row and fixes its hash: the following event no longer follows."""
    _append(3)
    ids = _ids()
    _raw("UPDATE auditevent SET detail = '{}' WHERE id = :id", id=ids[3])
    with session_scope() as session:
        event = session.get(AuditEvent, ids[3])
        forged = digest(event.prev_hash, event)
    _raw("UPDATE auditevent SET hash = :h WHERE id = :id", h=forged, id=ids[3])
    tally("tamper.attempts")
    with session_scope() as session:
        _checked, broken = verify(session)
    assert broken is not None and broken.event_id == ids[4]
    tally("tamper.caught")


def test_a_rewritten_tail_is_caught_by_an_anchor_kept_earlier(ledger):
    """Rehashing every later event hides an edit from the chain alone; an anchor from `audit head` does not."""
    _append(3)
    env = {"DUDAO_DATABASE_URL": ledger.ledger_url, "DUDAO_VAR_DIR": str(ledger.var_dir)}
    anchor = run_cli("audit", "head", env=env).stdout.strip()
    _raw("UPDATE auditevent SET actor = 'operator' WHERE id = :id", id=_ids()[2])
    _rehash_all()
    tally("tamper.attempts")
    assert run_cli("audit", "verify", env=env).returncode == 0  # the chain alone is consistent again
    result = run_cli("audit", "verify", "--anchor", anchor, env=env)
    assert result.returncode == 1 and "rewritten" in result.stdout
    tally("tamper.caught")
    bad = run_cli("audit", "verify", "--anchor", "12:nothex", env=env)
    assert bad.returncode == 2 and bad.stderr.startswith("dudao：错误：--anchor")


def _rehash_all() -> None:
    """Recompute every link, as a forger who knows the algorithm would."""
    prev, links = GENESIS, []
    with session_scope() as session:
        for event in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all():
            links.append({"id": event.id, "p": prev, "h": digest(prev, event)})
            prev = links[-1]["h"]
    with get_engine().begin() as conn:
        conn.execute(text("UPDATE auditevent SET prev_hash = NULL"))  # the unique index checks per statement
        conn.execute(text("UPDATE auditevent SET prev_hash = :p, hash = :h WHERE id = :id"), links)


def test_the_database_refuses_a_fork(ledger):
    _append(1)
    with session_scope() as session:
        last = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        prev = last.prev_hash
    with pytest.raises(IntegrityError):
        _raw("INSERT INTO auditevent (entity, entity_id, event, as_of, actor, detail, recorded_at, prev_hash, hash) "
             "VALUES ('inspection', 1, 'close', '2026-03-16', 'x', '{}', '2026-03-16 00:00:00', :p, :h)",
             p=prev, h="f" * 64)


def test_a_second_appender_waits_for_the_first_and_chains_onto_it(ledger):
    """Transaction A appends and holds; B (another connection) must wait, then chain onto A's last event."""
    a_appended, b_done = threading.Event(), threading.Event()

    def appender_b():
        a_appended.wait(10)
        with session_scope() as session:
            record(session, "inspection", 2, "close", as_of=DAY, actor="b")
        b_done.set()

    thread = threading.Thread(target=appender_b)
    thread.start()
    with session_scope() as session:
        record(session, "inspection", 1, "close", as_of=DAY, actor="a")
        session.flush()
        a_appended.set()
        time.sleep(1.0)
        assert not b_done.is_set(), "B appended while A's transaction was still open"
    thread.join(30)
    assert b_done.is_set()
    with session_scope() as session:
        a, b = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert (a.actor, b.actor) == ("a", "b") and b.prev_hash == a.hash
    tally("faults.concurrent_appenders", 2)


def test_many_concurrent_appenders_never_fork_the_chain(ledger):
    threads = [threading.Thread(target=_append, args=(15, 3, f"writer-{n}")) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    tally("faults.concurrent_appenders", len(threads))
    with session_scope() as session:
        assert verify(session) == (4 * 15 * 3, None)


def test_upgrading_an_older_ledger_chains_the_events_it_already_has(tmp_path):
    """Events written before the chain existed (no hashes) are chained, in id order, by migration 0008."""
    from alembic import command
    from sqlalchemy import create_engine
    from sqlmodel import Session

    from core.db import alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0001")
    engine = create_engine(url)
    with engine.begin() as conn:
        for n in range(3):
            conn.execute(text("INSERT INTO auditevent (entity, entity_id, event, as_of, actor, detail, recorded_at) "
                              "VALUES ('inspection', :n, 'notify', '2026-03-02', 'system', '{}', '2026-03-02')"),
                         {"n": n})
    command.upgrade(alembic_config(url), "heads")
    with Session(engine) as session:
        assert verify(session) == (3, None)
    engine.dispose()


def test_events_appended_in_a_batch_chain_between_single_ones_in_the_order_they_were_made(ledger):
    from models.lifecycles import audit_row, record_rows

    _append(1)
    with session_scope() as session:
        record(session, "inspection", 1, "before", as_of=DAY)  # pending: must land before the batch
        record_rows(session, [audit_row("item", n, "batch", as_of=DAY, detail={"n": n}) for n in range(1200)])
        record(session, "inspection", 1, "after", as_of=DAY)
    with session_scope() as session:
        events = [(e.event, e.entity_id) for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
        checked, broken = verify(session)
    assert events[3:] == [("before", 1), *(("batch", n) for n in range(1200)), ("after", 1)]
    assert (checked, broken) == (1205, None)
