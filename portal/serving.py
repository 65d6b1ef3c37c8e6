"""Running the portal under uvicorn with N worker processes (`dudao portal serve --workers N`).

Before any worker starts: the signing secret exists (made here once, so no two workers each make their own)
and, on PostgreSQL, each worker's connection pool is sized so that all of them together stay within the
connections the server allows (rules/connection_budget.py). The workers read the pool's size from the
environment they inherit. Each worker builds the application, then freezes what it has built so far out of
the garbage collector's sight: a collection then walks only what a request makes, not the whole application."""

import gc
import os

from fastapi import FastAPI

from core.db import get_engine, server_connection_limit
from core.errors import InputError
from core.lang import say
from core.settings import get_settings
from rules.connection_budget import pool_per_worker, portal_connections
from tasks.access.secret import portal_secret

# How long a browser's idle connection is kept. uvicorn's 5 s is shorter than a person reads a page: the
# connection was closed just as the next click went out on it, and the page failed (bench/portal_load.py
# --mode people). Longer than a reverse proxy's own idle timeout (nginx: 60 s), so the proxy closes first.
KEEP_ALIVE_SECONDS = 65


def worker_app() -> FastAPI:
    """The application of one worker (uvicorn's factory)."""
    from portal.app import create_app

    app = create_app()
    get_engine()  # its pool made now, before the first requests' threads
    gc.collect()
    gc.freeze()
    return app


def size_pools(workers: int) -> int | None:
    """Each worker's PostgreSQL pool, put into the environment the workers inherit; None on SQLite."""
    settings = get_settings()
    limit = server_connection_limit(settings.ledger_url)
    if limit is None:
        return None
    budget = portal_connections(limit, settings.portal_db_connections)
    pool = pool_per_worker(budget, workers)
    if pool < 1:
        raise InputError(say(f"PostgreSQL 留给门户的连接数（{budget}）少于工作进程数（{workers}），"
                             "请减少 --workers 或调高 DUDAO_PORTAL_DB_CONNECTIONS",
                             f"{budget} PostgreSQL connections for the portal are fewer than its {workers} "
                             "workers: lower --workers or raise DUDAO_PORTAL_DB_CONNECTIONS"))
    os.environ.update({"DUDAO_DB_POOL_SIZE": str(pool), "DUDAO_DB_MAX_OVERFLOW": "0"})
    get_settings.cache_clear()  # a single worker runs in this very process: it must see the pool too
    return pool


def serve(host: str, port: int, workers: int) -> None:
    """Serve until stopped (size_pools first, on PostgreSQL)."""
    import uvicorn

    portal_secret()  # made now if there is none, before the workers race to make it
    uvicorn.run("portal.serving:worker_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", proxy_headers=False, timeout_keep_alive=KEEP_ALIVE_SECONDS)
