"""Prefect's own settings for this application, set before Prefect is imported.

The embedded default keeps Prefect's local store under var/prefect (a user's own Prefect home is left
alone) and sends no analytics. Anything set in the environment wins.
"""

import os

from core.settings import get_settings


def configure_prefect() -> None:
    """Set Prefect's defaults for this process (call before the first `import prefect`)."""
    if "PREFECT_HOME" not in os.environ:
        home = get_settings().var_dir / "prefect"
        home.mkdir(parents=True, exist_ok=True)  # Prefect makes only the last folder: var/ may not exist yet
        os.environ["PREFECT_HOME"] = str(home)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    # The local server's first start migrates its database; on a busy 2-core machine that can take
    # longer than Prefect's default of 20 s.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
