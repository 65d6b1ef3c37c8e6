"""Engines, sessions and migrations of the ledger."""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

from core.paths import REPO_ROOT
from core.settings import get_settings

_ENGINE_LOCK = threading.Lock()


def engine_for(url: str) -> Engine:
    """One engine per URL and process. lru_cache alone does not lock: the portal's threads asking at once for
    the first time would each build an engine with a pool of its own, and together open far more connections
    than one pool allows (PostgreSQL's "too many clients")."""
    with _ENGINE_LOCK:
        return _engine(url)


@lru_cache
def _engine(url: str) -> Engine:
    """SQLite gets WAL and a busy timeout so sweeps can share it; PostgreSQL the pool the settings say."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    settings = get_settings()
    pool = {name: value for name, value in (("pool_size", settings.db_pool_size),
                                            ("max_overflow", settings.db_max_overflow)) if value is not None}
    return create_engine(url, pool_pre_ping=True, pool_timeout=settings.db_pool_timeout, **pool)


def server_connection_limit(url: str) -> int | None:
    """How many connections a PostgreSQL server at `url` takes from ordinary users (max_connections less
    superuser_reserved_connections); None for SQLite, which has no such limit."""
    if url.startswith("sqlite"):
        return None
    engine = create_engine(url, poolclass=NullPool)  # one connection, closed at once
    try:
        with engine.connect() as conn:
            limit = int(conn.execute(text("SHOW max_connections")).scalar_one())
            reserved = int(conn.execute(text("SHOW superuser_reserved_connections")).scalar_one())
    finally:
        engine.dispose()
    return limit - reserved


engine_for.cache_clear = _engine.cache_clear  # type: ignore[attr-defined]  # tests start each on a new ledger


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def get_engine() -> Engine:
    return engine_for(get_settings().ledger_url)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A transaction: committed when the block ends, rolled back on any error."""
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


T = TypeVar("T")
logger = logging.getLogger(__name__)
# How long a short transaction keeps trying while another holds SQLite's one write lock: a sweep's day at
# province scale (its documents' PDFs rendered before it commits) can hold it longer than the busy timeout.
LOCKED_LEDGER_WAIT_SECONDS = 900


def ledger_locked(error: OperationalError) -> bool:
    return "database is locked" in str(error.orig)


def when_unlocked(transaction: Callable[[], T], wait_seconds: float = LOCKED_LEDGER_WAIT_SECONDS) -> T:
    """Run `transaction` (a whole one: it opens and commits its own session) and, when SQLite's write lock was
    held by another process beyond the busy timeout, run it again until `wait_seconds` have passed. Only for
    transactions that are safe to repeat (their updates are conditional). Other errors, and PostgreSQL's, pass."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return transaction()
        except OperationalError as error:
            if not ledger_locked(error) or time.monotonic() >= deadline:
                raise
            logger.warning("the ledger is locked by a long transaction elsewhere; trying again")


def alembic_config(url: str) -> Config:
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str | None = None) -> None:
    """Bring the ledger to the newest schema (all heads)."""
    url = url or get_settings().ledger_url
    if url.startswith("sqlite:///"):
        from pathlib import Path

        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), "heads")
