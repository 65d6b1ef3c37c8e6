"""Issue 20 item 11: a `dudao sweep` run while a large import runs printed ~150 lines of Prefect tracebacks
("Error flushing 1 events") though it succeeded. The cause: the command's temporary Prefect server is stopped
while its task-run recorder is still writing, and Prefect logs the cancelled write at ERROR. Exactly that record
is filtered (core.prefect_logging); a flush failing otherwise, and a dropped event, still show.

The logging is configured as every dudao process (and the Prefect server it starts, which inherits the
environment) configures it: `import dudao`, then Prefect's own setup_logging. No ledger: the backend cannot
matter."""

import os
import subprocess
import sys

SCRIPT = r"""
import asyncio, logging
import dudao  # configure_prefect(): Prefect's home and its logging file
from prefect.logging.configuration import setup_logging

setup_logging()  # what Prefect's server process does when it starts
log = logging.getLogger("prefect.server.services.task_run_recorder")
for exc, message in [(asyncio.CancelledError("Cancelled via cancel scope"), "Error flushing 1 events (1 to retry, 0 dropped)"),
                     (RuntimeError("database is locked"), "Error flushing 2 events (2 to retry, 0 dropped)"),
                     (asyncio.CancelledError(), "Error flushing 3 events (0 to retry, 3 dropped)")]:
    try:
        raise exc
    except BaseException:
        log.error(message, exc_info=True)
log.error("Dropping event 1234 after 4 failed attempts")
"""


def _run(tmp_path, **extra) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_LOGGING_SETTINGS_PATH"}
    env.update(DUDAO_VAR_DIR=str(tmp_path / "var"), **extra)
    env.pop("PREFECT_HOME", None)
    return subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=120)


def test_the_shutdown_flush_traceback_is_silenced_and_real_failures_still_show(tmp_path):
    result = _run(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Error flushing 1 events" not in result.stderr and "Cancelled via cancel scope" not in result.stderr
    assert "Error flushing 2 events" in result.stderr and "database is locked" in result.stderr
    assert "Error flushing 3 events (0 to retry, 3 dropped)" in result.stderr
    assert "Dropping event 1234" in result.stderr


def test_an_operators_own_logging_file_is_left_alone(tmp_path):
    own = tmp_path / "own-logging.yml"
    own.write_text("version: 1\nincremental: false\ndisable_existing_loggers: false\n"
                   "handlers: {err: {class: logging.StreamHandler, stream: 'ext://sys.stderr'}}\n"
                   "root: {level: WARNING, handlers: [err]}\n", encoding="utf-8")
    result = _run(tmp_path, PREFECT_LOGGING_SETTINGS_PATH=str(own))
    assert result.returncode == 0, result.stderr
    assert "Error flushing 1 events" in result.stderr  # their file, their choice
    assert not (tmp_path / "var" / "prefect" / "logging.yml").exists()
