"""Worker processes that build notice e-mails, for the SMTP path and the Maildir path alike.

Building a message with the email package costs milliseconds of CPU (bench/notices_outbox.py,
bench/year_province.py), more than sending or filing it, so a big delivery spreads it over worker processes.

Each worker is a fresh interpreter (core/worker_processes.py), not a fork: see there why. It starts with this
process's environment and working folder and preloads only the building code (tasks/mail/maildir.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future

from core.worker_processes import WorkerPool

SLICE = 25  # messages per worker job


class BuildWorkers:
    """A pool started on first use and kept for the rest of the run (`pool` is None until then)."""

    def __init__(self) -> None:
        self.pool: WorkerPool | None = None

    def submit(self, fn: Callable[..., list], items: Sequence, *args) -> list[Future]:
        """`fn(slice, *args)` for each SLICE of `items`, in order; each future gives a list. `fn` must be a
        module-level function (it is sent by name)."""
        if self.pool is None:
            self.pool = WorkerPool(max(1, min(4, os.cpu_count() or 1)), "tasks.mail.maildir", what="邮件生成进程")
        return [self.pool.submit(fn, items[i:i + SLICE], *args) for i in range(0, len(items), SLICE)]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


def joined(futures: list[Future]) -> list:
    """The slices' results as one list, in order (raises what a worker raised)."""
    return [item for future in futures for item in future.result()]
