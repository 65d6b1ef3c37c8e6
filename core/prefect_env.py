"""Prefect's own settings for this application, set before Prefect is imported.

The embedded default keeps Prefect's local store under var/prefect (a user's own Prefect home is left
alone) and sends no analytics. Anything set in the environment wins.

Logging: a CLI command logs at WARNING (its output is its own lines); `dudao serve` switches to INFO and names
our loggers (`dudao.*`, `tasks.*`, `rules.*`, …) in PREFECT_LOGGING_EXTRA_LOGGERS, so what the calendar, the
SMTP sender or a flow says in a run reaches that run's logs in the UI. The flow runs it starts inherit that
environment; importing `core` there sets our loggers to Prefect's level (they would otherwise inherit the
root logger's WARNING).
"""

import os
from pathlib import Path

from core.prefect_logging import write_logging_config
from core.run_logging import OUR_LOGGERS, level_our_loggers
from core.settings import get_settings

_DEFAULTED: set[str] = set()


def _default(name: str, value: str) -> None:
    if name not in os.environ:
        os.environ[name] = value
        _DEFAULTED.add(name)


def configure_prefect() -> None:
    """Set Prefect's defaults for this process (call before the first `import prefect`)."""
    if "PREFECT_HOME" not in os.environ:
        home = get_settings().var_dir / "prefect"
        home.mkdir(parents=True, exist_ok=True)  # Prefect makes only the last folder: var/ may not exist yet
        os.environ["PREFECT_HOME"] = str(home)
    if "PREFECT_LOGGING_SETTINGS_PATH" not in os.environ:  # an operator's own logging file wins
        _quiet_shutdown_flush(Path(os.environ["PREFECT_HOME"]))
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    _default("PREFECT_LOGGING_LEVEL", "WARNING")
    _default("DUDAO_PREFECT_CONSOLE", "command")  # see core.prefect_logging.CommandRunFailureEcho
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    # The local server's first start migrates its database; on a busy 2-core machine that can take
    # longer than Prefect's default of 20 s.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")


def _quiet_shutdown_flush(home: Path) -> None:
    """Prefect's logging with its harmless shutdown-flush traceback filtered out (see core.prefect_logging)."""
    try:
        home.mkdir(parents=True, exist_ok=True)
        path = write_logging_config(home)
    except (OSError, ValueError):  # an unwritable home: Prefect's default logging, noise included
        return
    if path is not None:
        os.environ["PREFECT_LOGGING_SETTINGS_PATH"] = str(path)


def configure_serving() -> None:
    """Served and deployed runs log at INFO (unless the operator chose a level), ours included."""
    if "PREFECT_LOGGING_LEVEL" in _DEFAULTED or "PREFECT_LOGGING_LEVEL" not in os.environ:
        os.environ["PREFECT_LOGGING_LEVEL"] = "INFO"
    os.environ["DUDAO_PREFECT_CONSOLE"] = "serve"  # run failures are printed on the console too
    named = [n for n in os.environ.get("PREFECT_LOGGING_EXTRA_LOGGERS", "").split(",") if n.strip()]
    os.environ["PREFECT_LOGGING_EXTRA_LOGGERS"] = ",".join(dict.fromkeys([*named, *OUR_LOGGERS]))
    level_our_loggers()
