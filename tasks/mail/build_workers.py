"""Worker processes that build notice e-mails, for the SMTP path and the Maildir path alike.

Building a message with the email package costs milliseconds of CPU (bench/notices_outbox.py,
bench/year_province.py), more than sending or filing it, so a big delivery spreads it over forked workers.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor

SLICE = 25  # messages per worker-process task
PARENT_CHECK_SECONDS = 0.5


class BuildWorkers:
    """A pool forked on first use and kept for the rest of the run."""

    def __init__(self) -> None:
        self.pool: ProcessPoolExecutor | None = None

    def submit(self, fn: Callable[..., list], items: Sequence, *args) -> list[Future]:
        """`fn(slice, *args)` for each SLICE of `items`, in order; each future gives a list."""
        if self.pool is None:
            self.pool = _forked_pool()
        return [self.pool.submit(fn, items[i:i + SLICE], *args) for i in range(0, len(items), SLICE)]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def _forked_pool() -> ProcessPoolExecutor:
    """The workers, forked now. fork: a worker starts in milliseconds and never re-runs the caller's main
    module; it only builds MIME from plain values (and files it, for the Maildir) and leaves through os._exit,
    touching nothing else it inherited (no database connection, no Prefect client).

    The fork happens with the collector's objects frozen (`gc.freeze`, as the gc docs advise before a fork
    without exec): a worker's collections then skip the hundreds of thousands of objects it inherited, instead
    of walking them — and copying every page they touch. It cut the workers' CPU by a third (a province:1000
    half year: 11.1 -> 7.1 s, page faults 86k -> 28k). The parent unfreezes at once."""
    workers = max(1, min(4, os.cpu_count() or 1))
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                               initializer=_exit_with_parent, initargs=(os.getpid(),))
    gc.freeze()
    try:
        pool.submit(int).result()  # with fork, the pool starts all its workers at the first task
    finally:
        gc.unfreeze()
    return pool


def _exit_with_parent(parent: int) -> None:
    """In a worker: leave once the parent is gone (killed with SIGKILL, say), instead of waiting forever
    for work that will not come; a message being built then is finished or dropped, never filed twice."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def joined(futures: list[Future]) -> list:
    """The slices' results as one list, in order (raises what a worker raised)."""
    return [item for future in futures for item in future.result()]
