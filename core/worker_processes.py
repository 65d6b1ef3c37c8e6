"""Worker processes fed over pipes: `WorkerPool(size, preload)` here, each worker `python -m
core.worker_processes PRELOAD`.

A worker is a fresh interpreter, not a fork of the process that feeds it: a fork shares the parent's pages until
either side writes one, and a parent that goes on simulating or sweeping writes nearly all of them (reading a
Python object writes its reference count), so each forked worker came to hold a copy of the parent — 400 MB of
the 940 MB a 3,000-school year peaked at. A worker holds only the module it preloads and what its jobs load.

Jobs and answers are pickles after their length, on the worker's standard input and output: a job is
`(function, arguments)` (the function sent by name, so it must be module-level), an answer `(True, result)` or
`(False, exception)`. A thread here feeds each worker its jobs one at a time; a worker that dies fails only the
job it had and is replaced for the next. A worker leaves at the end of its input, which is also what it sees
when its parent dies, however it died; `renew_after` jobs retires it for a fresh one, which bounds what a
native library holding memory from job to job (Typst does) can gather.
"""

from __future__ import annotations

import ctypes.util
import functools
import importlib
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import BinaryIO

_LENGTH = struct.Struct("!Q")


class WorkerPool:
    """`size` worker processes that preload `preload` (a module name), each fed by a thread of its own from one
    queue of jobs; each is replaced by a fresh one after `renew_after` jobs (never, when None)."""

    def __init__(self, size: int, preload: str, renew_after: int | None = None, what: str = "工作进程",
                 grow_at: int | None = None) -> None:
        """With `grow_at`, one worker starts at once and another (up to `size`) each time more than `grow_at`
        jobs wait: a command that files three documents starts one process, not one a core."""
        self.size, self.preload, self.renew_after, self.what, self.grow_at = size, preload, renew_after, what, grow_at
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._growing = threading.Lock()
        self.started = 0  # workers started in all, the renewed and the replaced included
        self.processes: list[subprocess.Popen] = []
        self._threads: list[threading.Thread] = []
        for _ in range(size if grow_at is None else 1):
            self._add_worker()

    def _add_worker(self) -> None:
        self.processes.append(self._start())
        index = len(self._threads)
        thread = threading.Thread(target=self._feed, args=(index,), name=f"worker-{self.preload}-{index}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def submit(self, fn: Callable, *args) -> Future:
        future: Future = Future()
        self._jobs.put((future, pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)))
        if self.grow_at is not None and len(self._threads) < self.size and self._jobs.qsize() > self.grow_at:
            with self._growing:
                if len(self._threads) < self.size:
                    self._add_worker()
        return future

    def _feed(self, index: int) -> None:
        done = 0
        while (job := self._jobs.get()) is not None:
            future, data = job
            if not future.set_running_or_notify_cancel():
                continue
            if self.renew_after is not None and done >= self.renew_after:
                _retire(self.processes[index])
                self.processes[index], done = self._start(), 0
            process = self.processes[index]
            try:
                send_bytes(process.stdin, data)
                ok, value = pickle.loads(receive_bytes(process.stdout))
            except (OSError, EOFError) as exc:  # the worker died (killed, out of memory): fail this job, go on
                code = _ended(process)
                future.set_exception(RuntimeError(f"{self.what} {process.pid} 意外退出（{code}）：{exc!r}"))
                self.processes[index], done = self._start(), 0
                continue
            done += 1
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
            _retire(process)

    def _start(self) -> subprocess.Popen:
        from core.paths import REPO_ROOT

        self.started += 1
        return subprocess.Popen([sys.executable, "-m", "core.worker_processes", self.preload],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=str(REPO_ROOT),
                                env=worker_environment())


# The C library's malloc costs a Typst compile an eighth of its time (perf on a PDF worker: malloc, free and
# their consolidation); with jemalloc preloaded the same PDFs take 6-9% less CPU and a little less memory. A
# worker is a fresh interpreter started here, so it can be given another allocator; what it starts (a very
# large document's typesetting) inherits it. The year's own process is started by its user and keeps the C
# library's.
def worker_environment() -> dict[str, str]:
    """The workers' environment: this process's, with jemalloc preloaded where the system has it and the
    worker_allocator setting allows."""
    from core.settings import get_settings

    environment = dict(os.environ)
    if get_settings().worker_allocator == "jemalloc" and (library := jemalloc_path()) is not None:
        preloaded = environment.get("LD_PRELOAD", "").split()
        if library not in preloaded:
            environment["LD_PRELOAD"] = " ".join([library, *preloaded])
    return environment


@functools.cache
def jemalloc_path() -> str | None:
    """The system's jemalloc as the dynamic linker finds it (its name, e.g. libjemalloc.so.2), or None when the
    system has none: a worker then keeps the C library's allocator."""
    return ctypes.util.find_library("jemalloc")


def _retire(process: subprocess.Popen) -> None:
    """Close a worker's input (it leaves when it has read to the end) and wait for it; kill one that lingers."""
    if not process.stdin.closed:
        process.stdin.close()
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


def send(stream: BinaryIO, value: object) -> None:
    send_bytes(stream, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def send_bytes(stream: BinaryIO, data: bytes) -> None:
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def receive_bytes(stream: BinaryIO) -> bytes:
    """The next message's pickle, or EOFError at the end of the stream."""
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError
    size = _LENGTH.unpack(head)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return data


def _answer(job: bytes) -> tuple[bool, object]:
    try:
        function, arguments = pickle.loads(job)
        return True, function(*arguments)
    except Exception as exc:  # the caller's future raises it
        try:
            pickle.dumps(exc)
        except Exception:
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        return False, exc


def main(preload: str) -> None:
    jobs, answers = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to the standard error, never into the answers
    importlib.import_module(preload)  # the jobs' code, loaded before the first job arrives
    while True:
        try:
            job = receive_bytes(jobs)
        except EOFError:
            return
        try:
            send(answers, _answer(job))
        except BrokenPipeError:  # the parent is gone: nobody waits for the answer
            return


if __name__ == "__main__":
    main(sys.argv[1])
