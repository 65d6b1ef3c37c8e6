"""On SQLite a unit's report meeting a long transaction elsewhere (a sweep step holds the one write lock for
seconds on a large ledger) waits for it and goes through, never "database is locked"; its pages are read
meanwhile without waiting (WAL). SQLite only: PostgreSQL has no single write lock."""

import sqlite3
import threading
import time

import pytest
from sqlmodel import func, select

from core.db import session_scope
from core.settings import get_settings
from models import Submission
from tests.conftest import ON_POSTGRES
from tests.portal_support import csrf_of, make_world, signed_in

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="SQLite's single write lock")
HELD_SECONDS = 2.0


def _hold_write_lock(path: str, held: threading.Event, released: list) -> None:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # as a sweep step's transaction, once it has written
    held.set()
    time.sleep(HELD_SECONDS)
    released.append(time.monotonic())
    holder.execute("COMMIT")
    holder.close()


def test_a_report_waits_for_a_long_transaction_and_is_recorded(seeded):
    world = make_world()
    browser = signed_in()
    csrf = csrf_of(browser.get(f"/unit/items/{world.item}").text)
    held, released = threading.Event(), []
    holder = threading.Thread(target=_hold_write_lock,
                              args=(get_settings().ledger_url.removeprefix("sqlite:///"), held, released))
    holder.start()
    held.wait()
    started = time.monotonic()
    page = browser.get(f"/unit/items/{world.item}")
    read_at = time.monotonic()
    report = browser.post(f"/unit/items/{world.item}/report", data={"csrf": csrf, "text": "已完善安全台账。"},
                          follow_redirects=False)
    waited = time.monotonic() - started
    holder.join()
    # reading waits for no writer: the page was served while the write lock was still held (a time, not a bound
    # on how fast: a busy machine may take a second to render it)
    assert page.status_code == 200 and read_at < released[0]
    assert report.status_code == 303, report.text  # not refused: waited for the lock
    assert waited >= HELD_SECONDS * 0.9
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(Submission)).one() == 1
