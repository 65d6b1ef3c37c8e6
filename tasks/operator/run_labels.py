"""Tags on the running flow run (year, kind, unit), so operators filter the runs list by them. A flow's
tags are fixed when the run is created; a flow that only learns its unit from the ledger adds them here."""

from prefect import get_client
from prefect.context import FlowRunContext


def add_run_tags(tags: list[str]) -> list[str]:
    """Add `tags` to the current flow run (outside a flow run: nothing). Returns the run's tags."""
    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        return []
    run = context.flow_run
    merged = sorted(set(run.tags) | {t for t in tags if t})
    with get_client(sync_client=True) as client:
        client.update_flow_run(run.id, tags=merged)
    return merged
