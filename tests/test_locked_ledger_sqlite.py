"""A short transaction waits out a long one that holds SQLite's write lock beyond the busy timeout (the
province's day, its PDFs rendered before its commit, held it for over 30 s and a month's delivery failed with
"database is locked"). SQLite only: PostgreSQL has no single write lock."""

import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from core.db import when_unlocked


@pytest.fixture
def ledger(tmp_path):
    path = tmp_path / "ledger.db"
    setup = sqlite3.connect(path)
    setup.execute("PRAGMA journal_mode=WAL")
    setup.execute("CREATE TABLE notice (id INTEGER PRIMARY KEY, status TEXT)")
    setup.execute("INSERT INTO notice VALUES (1, 'sending')")
    setup.commit()
    setup.close()
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.05})  # a busy timeout soon over
    yield path, engine
    engine.dispose()


def _hold_lock(path, seconds: float, held: threading.Event) -> None:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE notice SET status = 'held'")
    held.set()
    time.sleep(seconds)
    holder.execute("ROLLBACK")
    holder.close()


def _locked(path, seconds: float) -> threading.Thread:
    """Another process's long transaction: it holds the write lock for `seconds` from when this returns."""
    held = threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(path, seconds, held))
    holder.start()
    held.wait()
    return holder


def _record(engine) -> int:
    with engine.begin() as connection:
        return connection.execute(text("UPDATE notice SET status = 'sent' WHERE id = 1")).rowcount


def test_the_transaction_runs_once_the_long_one_has_ended(ledger):
    path, engine = ledger
    holder = _locked(path, 0.6)
    with pytest.raises(OperationalError, match="database is locked"):
        _record(engine)  # alone, it fails as the delivery did
    assert when_unlocked(lambda: _record(engine), wait_seconds=10) == 1
    holder.join()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT status FROM notice")).scalar_one() == "sent"


def test_it_gives_up_when_the_lock_outlasts_its_wait(ledger):
    path, engine = ledger
    holder = _locked(path, 1.0)
    started = time.monotonic()
    with pytest.raises(OperationalError, match="database is locked"):
        when_unlocked(lambda: _record(engine), wait_seconds=0.2)
    assert time.monotonic() - started < 0.9
    holder.join()


def test_other_errors_are_not_repeated(ledger):
    _, engine = ledger
    calls = []

    def broken():
        calls.append(1)
        with engine.begin() as connection:
            connection.execute(text("UPDATE no_such_table SET x = 1"))

    with pytest.raises(OperationalError, match="no such table"):
        when_unlocked(broken, wait_seconds=5)
    assert len(calls) == 1
