"""Our loggers in a run's logs: when PREFECT_LOGGING_EXTRA_LOGGERS names them (`dudao serve` does), Prefect
attaches its API handler to them, and here they take PREFECT_LOGGING_LEVEL (they would otherwise inherit
the root logger's WARNING). `core` runs this when first imported, so every flow-run process does it."""

import logging
import os

OUR_LOGGERS = ("dudao", "core", "rules", "tasks", "flows", "deployments")


def level_our_loggers() -> None:
    """Our loggers named as Prefect's extra loggers take Prefect's level (no-op in a plain CLI process)."""
    extra = {n.strip() for n in os.environ.get("PREFECT_LOGGING_EXTRA_LOGGERS", "").split(",")}
    level = os.environ.get("PREFECT_LOGGING_LEVEL", "").upper()
    if level not in logging.getLevelNamesMapping():
        return
    for name in OUR_LOGGERS:
        if name in extra:
            logging.getLogger(name).setLevel(level)
