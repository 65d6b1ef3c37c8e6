"""The district in what Prefect shows: flow run names end with the district the ledger serves (· 江北区), so the
runs of several districts on one Prefect server tell apart, and the artifacts' titles name it."""

from collections.abc import Callable

from prefect.runtime import flow_run
from sqlalchemy.exc import SQLAlchemyError

from core.db import session_scope
from models import District


def ledger_district() -> str | None:
    """The name of the district the ledger serves; None before `dudao seed` has named it."""
    with session_scope() as session:
        row = session.get(District, 1)
        return row.name if row is not None else None


def district_suffix() -> str:
    """' · 江北区'; '' while the ledger names no district, or cannot be read: a run's name is no reason to stop
    the run, which meets the ledger itself soon enough and reports what is wrong with it."""
    try:
        name = ledger_district()
    except SQLAlchemyError:
        return ""
    return f" · {name}" if name else ""


def flow_run_name(template: str) -> Callable[[], str]:
    """A flow's `flow_run_name`: `template` filled with the run's parameters, then the district's suffix."""

    def name() -> str:
        return template.format(**flow_run.parameters) + district_suffix()

    return name
