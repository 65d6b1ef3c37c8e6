"""Worker processes that build notice e-mails, for the SMTP path and the Maildir path alike.

Building a message with the email package costs milliseconds of CPU (bench/notices_outbox.py,
bench/year_province.py), more than sending or filing it, so a big delivery spreads it over worker processes.

Each worker is a fresh interpreter (tasks/mail/build_worker.py), not a fork: see there why. It starts with this
process's environment and working folder and loads only the building code. A thread here feeds each worker its
jobs one at a time; a worker that dies fails the job it had and is replaced for the next.
"""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future

from tasks.mail.build_worker import receive_bytes, send_bytes

SLICE = 25  # messages per worker job


class BuildWorkers:
    """A pool started on first use and kept for the rest of the run (`pool` is None until then)."""

    def __init__(self) -> None:
        self.pool: WorkerPool | None = None

    def submit(self, fn: Callable[..., list], items: Sequence, *args) -> list[Future]:
        """`fn(slice, *args)` for each SLICE of `items`, in order; each future gives a list. `fn` must be a
        module-level function (it is sent by name)."""
        if self.pool is None:
            self.pool = WorkerPool(max(1, min(4, os.cpu_count() or 1)))
        return [self.pool.submit(fn, items[i:i + SLICE], *args) for i in range(0, len(items), SLICE)]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()


class WorkerPool:
    """`size` worker processes, each fed by a thread of its own from one queue of jobs."""

    def __init__(self, size: int) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.processes = [_start() for _ in range(size)]
        self._threads = [threading.Thread(target=self._feed, args=(i,), name=f"build-worker-{i}", daemon=True)
                         for i in range(size)]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable, *args) -> Future:
        future: Future = Future()
        self._jobs.put((future, pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)))
        return future

    def _feed(self, index: int) -> None:
        while (job := self._jobs.get()) is not None:
            future, data = job
            if not future.set_running_or_notify_cancel():
                continue
            process = self.processes[index]
            try:
                send_bytes(process.stdin, data)
                ok, value = pickle.loads(receive_bytes(process.stdout))
            except (OSError, EOFError) as exc:  # the worker died (killed, out of memory): fail this job, go on
                code = _ended(process)
                future.set_exception(RuntimeError(f"邮件生成进程 {process.pid} 意外退出（{code}）：{exc!r}"))
                self.processes[index] = _start()
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

    def shutdown(self) -> None:
        """Cancel the jobs not started, let each worker finish the one it has, then end the workers."""
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                job[0].cancel()
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()
        for process in self.processes:
            process.stdin.close()  # the end of its input: the worker leaves
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stdout.close()


def _ended(process: subprocess.Popen) -> int:
    """The exit code of a worker whose pipe closed: it is ending, if not yet reaped (killed if it lingers)."""
    try:
        return process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        return process.wait()


def _start() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tasks.mail.build_worker"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, cwd=_repo_root())


def _repo_root() -> str:
    from core.settings import REPO_ROOT

    return str(REPO_ROOT)


def joined(futures: list[Future]) -> list:
    """The slices' results as one list, in order (raises what a worker raised)."""
    return [item for future in futures for item in future.result()]
