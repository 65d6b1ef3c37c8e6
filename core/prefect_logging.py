"""Prefect's logging configuration, with one harmless message filtered out.

When a command ends, Prefect stops the temporary (ephemeral) API server it started for the command's flow runs
(`SubprocessASGIServer.stop` sends SIGTERM). If the server's task-run recorder is at that moment writing the
last task-run events into Prefect's own database — which happens when the machine is busy, e.g. a `dudao sweep`
while a large `dudao import` runs — the shutdown cancels that write and Prefect logs
"Error flushing N events (N to retry, 0 dropped)" at ERROR with the CancelledError's traceback: ~150 lines on
the operator's terminal for a command that succeeded (issue 20 item 11). Nothing of ours is lost: the ledger
committed before the flow returned; only Prefect's record of the last task runs of a run that already ended
is cut short. Prefect's maintainers treat such shutdown cancellations as purposeful and their logging as noise
(PrefectHQ/prefect#9148, #15033).

So the filter drops exactly that record: that logger, that message with "0 dropped", raised by a cancellation.
A flush failing for any other reason, and any event Prefect gives up on ("Dropping event …"), still shows.

Prefect takes a logging file whole (PREFECT_LOGGING_SETTINGS_PATH replaces its default rather than merging),
so the file written here is Prefect's own default with the filter added; it is rewritten when Prefect's changes.
A second filter, on Prefect's console handler only, serves the command line: a `dudao` command that runs a flow
reports a failure as one line (dudao/cli.py), so Prefect's console copy of the flow's and tasks' ERROR records
(with their tracebacks, ~100 lines for a full disk) is dropped there. The records still reach the run's logs
through Prefect's API handler, and `dudao serve` (DUDAO_PREFECT_CONSOLE=serve) and workers print them as usual.

This module must not import prefect: it runs before Prefect's first import, and in Prefect's server process.
"""

import asyncio
import importlib.util
import logging
import os
from pathlib import Path

RECORDER_LOGGER = "prefect.server.services.task_run_recorder"
FILTER_NAME = "dudao_shutdown_flush"


class ShutdownFlushNoise(logging.Filter):
    """False for the task-run recorder's "Error flushing … 0 dropped" caused by a cancellation (shutdown)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name != RECORDER_LOGGER or not record.exc_info or record.exc_info[0] is None:
            return True
        message = record.getMessage()
        cancelled = issubclass(record.exc_info[0], asyncio.CancelledError)
        return not (cancelled and message.startswith("Error flushing") and "0 dropped" in message)


CONSOLE_FILTER_NAME = "dudao_command_run_failures"
RUN_LOGGERS = ("prefect.flow_runs", "prefect.task_runs")


class CommandRunFailureEcho(logging.Filter):
    """False, in a command-line process, for a flow or task run's ERROR record on the console."""

    def filter(self, record: logging.LogRecord) -> bool:
        if os.environ.get("DUDAO_PREFECT_CONSOLE") != "command" or record.levelno < logging.ERROR:
            return True
        return not record.name.startswith(RUN_LOGGERS)


def _prefect_default() -> Path | None:
    """Prefect's own logging.yml, found without importing prefect."""
    spec = importlib.util.find_spec("prefect")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "logging" / "logging.yml"
    return path if path.is_file() else None


def logging_config_text(default_yaml: str) -> str:
    """Prefect's default configuration with the filter on the task-run recorder's logger."""
    import yaml

    config = yaml.safe_load(default_yaml)
    config.setdefault("filters", {})[FILTER_NAME] = {"()": f"{__name__}.ShutdownFlushNoise"}
    config.setdefault("loggers", {})[RECORDER_LOGGER] = {"level": "NOTSET", "filters": [FILTER_NAME]}
    config["filters"][CONSOLE_FILTER_NAME] = {"()": f"{__name__}.CommandRunFailureEcho"}
    console = config.get("handlers", {}).get("console")
    if console is not None:
        console.setdefault("filters", []).append(CONSOLE_FILTER_NAME)
    return yaml.safe_dump(config, allow_unicode=True, sort_keys=False)


def write_logging_config(home: Path) -> Path | None:
    """The configuration file in Prefect's home, (re)written when it differs; None if Prefect is not found."""
    default = _prefect_default()
    if default is None:
        return None
    text = logging_config_text(default.read_text(encoding="utf-8"))
    path = home / "logging.yml"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        from core.atomic import atomic_file  # two commands starting at once each write it whole

        with atomic_file(path) as temp:
            temp.write_text(text, encoding="utf-8")
    return path
