"""Test fixtures: a fresh ledger per test (SQLite, or PostgreSQL when DUDAO_DATABASE_URL names one),
the sample district, and one Prefect test harness for the whole session."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parent.parent
SERVER_URL = os.environ.get("DUDAO_DATABASE_URL", "")
ON_POSTGRES = SERVER_URL.startswith("postgresql")

pytest_plugins = ["tests.smtp_server", "tests.figures", "tests.district_support"]

# Prefect's home for the whole test session lives in a throwaway folder, never the user's.
os.environ.setdefault("PREFECT_HOME", str(Path(os.environ.get("TMPDIR", "/tmp")) / f"dudao-test-prefect-{os.getpid()}"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# The session's environment before any test changes it: what the commands' shared Prefect server starts with (a
# test's own DUDAO_VAR_DIR in it would make the server look like one of that test's processes).
SESSION_ENV = dict(os.environ)


# A test whose name (or module's name) ends so runs on SQLite alone: where the backend cannot matter (a browser,
# a PDF read back, the install) or where SQLite is the point (its single write lock). Its name says so.
ONE_BACKEND = re.compile(r"_(sqlite|sqlite_only|backend_independent)(\[.*\])?$")


def pytest_collection_modifyitems(config, items) -> None:
    if not ON_POSTGRES:
        return
    once = pytest.mark.skip(reason="its name says the backend cannot matter or SQLite is the point: run on SQLite")
    for item in items:
        if ONE_BACKEND.search(item.name) or ONE_BACKEND.search(Path(str(item.fspath)).stem):
            item.add_marker(once)


def _reset_caches() -> None:
    from core.db import engine_for
    from core.settings import get_settings

    for url in list(_engines_seen):
        engine_for(url).dispose()
    engine_for.cache_clear()
    get_settings.cache_clear()


_engines_seen: set[str] = set()


@pytest.fixture(scope="session")
def _ledger_template(tmp_path_factory) -> str:
    """A migrated ledger made once: a SQLite file to copy, or the PostgreSQL database itself."""
    from core.db import migrate

    if ON_POSTGRES:
        engine = create_engine(SERVER_URL)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
        migrate(SERVER_URL)
        return SERVER_URL
    path = tmp_path_factory.mktemp("template") / "ledger.db"
    migrate(f"sqlite:///{path}")
    return str(path)


def _truncate_all(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'"))]
        conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def ledger(_ledger_template, tmp_path, monkeypatch):
    """An empty migrated ledger and a var/ folder of this test's own. Yields the Settings."""
    if ON_POSTGRES:
        _truncate_all(_ledger_template)
        url = _ledger_template
    else:
        shutil.copy(_ledger_template, tmp_path / "ledger.db")
        url = f"sqlite:///{tmp_path / 'ledger.db'}"
    monkeypatch.setenv("DUDAO_DATABASE_URL", url)
    monkeypatch.setenv("DUDAO_VAR_DIR", str(tmp_path / "var"))
    _engines_seen.add(url)
    _reset_caches()
    from core.settings import get_settings

    yield get_settings()
    from tasks.documents.filing import drain_pdfs

    drain_pdfs()  # no PDF of this test's is set after it, into a folder already gone; a failed one fails it
    _reset_caches()


@pytest.fixture
def seeded(ledger):
    """The ledger with the sample district (data/nanan.toml) loaded."""
    from core.db import session_scope
    from tasks.exchange.district_file import load_district, read_district_file

    with session_scope() as session:
        load_district(session, read_district_file(REPO / "data" / "nanan.toml"))
    return ledger


@pytest.fixture
def runtime(ledger):
    from rules.runtime import load_runtime

    return load_runtime()


@pytest.fixture(scope="session")
def prefect_harness():
    """One Prefect test server for the session (starting one costs ~10 s)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        from prefect.settings import PREFECT_API_URL

        yield PREFECT_API_URL.value()


_COMMANDS_SERVER: list = []  # [(process, API URL)] once started


def commands_prefect(env: dict) -> dict:
    """`env` for a command the test starts, given the API of one Prefect server for all such commands. Each
    command would otherwise start its own ephemeral server on the session's PREFECT_HOME, 8-10 s apiece; this
    one is started the same way (Prefect's ephemeral uvicorn command, services off) on the same store, once.
    A command given its own Prefect home or server keeps them."""
    if "PREFECT_API_URL" in env or env.get("PREFECT_HOME") != os.environ.get("PREFECT_HOME"):
        return env
    if not _COMMANDS_SERVER:
        _COMMANDS_SERVER.append(_start_commands_server())
    return {**env, "PREFECT_API_URL": _COMMANDS_SERVER[0][1]}


def _start_commands_server() -> tuple[subprocess.Popen, str]:
    import atexit

    import prefect

    from deployments.local_server import free_port, wait_healthy

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(Path(prefect.__file__).parent.parent), "--factory",
         "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port), "--log-level",
         "error", "--lifespan", "on"],
        env={**SESSION_ENV, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"})
    atexit.register(lambda: (process.terminate(), process.wait(10)))
    url = f"http://127.0.0.1:{port}/api"
    try:
        wait_healthy(url, process, timeout=180)
    except (RuntimeError, TimeoutError):
        process.kill()
        raise
    return process, url


def run_cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the installed `dudao` command in a subprocess with this test's settings."""
    full_env = commands_prefect({**os.environ, **(env or {})})
    return subprocess.run([str(Path(sys.executable).parent / "dudao"), *args], capture_output=True, text=True,
                          env=full_env, timeout=timeout, cwd=REPO)
