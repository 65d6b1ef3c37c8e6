"""How many PostgreSQL connections each of the portal's worker processes may keep.

The server refuses the connection past its max_connections ("too many clients already"), and every worker
has a pool of its own: so the workers' pools together must stay within what the server takes, less what the
flows, the sweep, Prefect and the operators need beside them. A request finding its worker's connections all
taken waits for one (the pool's timeout) instead of opening another."""

PORTAL_SHARE = 0.5  # of the server's connections, when no setting says how many the portal may hold
MAX_PER_WORKER = 20  # a worker's threadpool runs 40 handlers: beyond this they queue for the CPU, not the ledger


def portal_connections(server_limit: int, configured: int | None) -> int:
    """The connections the whole portal may hold: the setting, else PORTAL_SHARE of the server's limit (never
    more than the limit itself)."""
    return min(server_limit, configured if configured is not None else int(server_limit * PORTAL_SHARE))


def pool_per_worker(budget: int, workers: int) -> int:
    """Each worker's pool (no overflow beyond it): the budget shared evenly, so that workers × pool never
    exceeds it. 0 when there are more workers than connections: too many workers for this server."""
    return min(MAX_PER_WORKER, budget // workers)
