"""Worker processes (core/worker_processes.py; the mail's build workers, the PDF workers) are fresh interpreters
fed over pipes, not forks of the process that feeds them: they hold none of its objects; a worker's exception is
raised by its job's future; a worker that dies fails only the job it had and is replaced; a worker is renewed
after its share of jobs; a worker leaves when its parent is killed; a worker allocates with jemalloc unless the
setting says the system's."""

import gc
import os
import signal
import subprocess
import sys
import time

import pytest

from core.settings import get_settings
from core.worker_processes import WorkerPool, jemalloc_path
from tasks.mail.build_workers import BuildWorkers, joined


def _objects_here(items: list) -> list[int]:
    return [len(gc.get_objects()) for _ in items]


def _refuse(items: list) -> list:
    raise ValueError(f"拒绝 {len(items)} 项")


def _die(items: list) -> list:
    os._exit(3)


def _pids(items: list) -> list[int]:
    time.sleep(0.2)  # long enough for every worker to take a job
    return [os.getpid() for _ in items]


def test_a_worker_holds_none_of_the_parents_objects():
    ballast = [[i] for i in range(300_000)]  # what a long year leaves in the delivering process
    workers = BuildWorkers()
    try:
        counts = joined(workers.submit(_objects_here, [0, 1, 2]))
    finally:
        workers.close()
    assert max(counts) < len(gc.get_objects()) - len(ballast)
    assert all(process.returncode == 0 for process in workers.pool.processes)  # each left at the end of its input


def test_a_workers_exception_is_raised_by_the_future_and_a_dead_worker_is_replaced():
    workers = BuildWorkers()
    try:
        [refused] = workers.submit(_refuse, [1, 2])
        with pytest.raises(ValueError, match="拒绝 2 项"):
            refused.result()
        died = workers.submit(_die, [1])
        with pytest.raises(RuntimeError, match="意外退出（3）"):
            joined(died)
        assert joined(workers.submit(sorted, [3, 1, 2] * 5)) == [1] * 5 + [2] * 5 + [3] * 5  # one slice
    finally:
        workers.close()


def test_a_worker_is_renewed_after_its_share_of_jobs():
    pool = WorkerPool(1, "os", renew_after=2)
    try:
        pids = [pool.submit(os.getpid).result() for _ in range(5)]
    finally:
        pool.shutdown()
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4] and os.getpid() not in pids
    assert pool.started == 3 and all(process.returncode == 0 for process in pool.processes)


def _libraries() -> set[str]:
    """The shared libraries mapped into this process."""
    with open("/proc/self/maps") as maps:
        return {os.path.basename(line.split()[-1]) for line in maps if ".so" in line}


@pytest.mark.parametrize("allocator", ["jemalloc", "system"])
def test_a_worker_allocates_with_jemalloc_unless_told_the_systems(allocator, monkeypatch):
    assert jemalloc_path() is not None, "libjemalloc2 is missing: `make deps-system` installs it"
    monkeypatch.setenv("DUDAO_WORKER_ALLOCATOR", allocator)
    get_settings.cache_clear()
    pool = WorkerPool(1, "os")
    try:
        libraries = pool.submit(_libraries).result()
    finally:
        pool.shutdown()
        get_settings.cache_clear()
    assert ("libjemalloc.so.2" in libraries) is (allocator == "jemalloc")
    assert "libjemalloc.so.2" not in _libraries()  # this process keeps its own


def test_a_growing_pool_starts_one_worker_and_another_only_when_jobs_wait():
    pool = WorkerPool(2, "time", grow_at=3)
    try:
        assert pool.submit(os.getpid).result() and len(pool.processes) == 1
        assert [pool.submit(time.sleep, 0.05) for _ in range(3)] and len(pool.processes) == 1
        waited = [pool.submit(time.sleep, 0.05) for _ in range(10)]
        assert len(pool.processes) == 2
        assert all(future.result() is None for future in waited)
    finally:
        pool.shutdown()


PARENT = """
import sys, time
from core.settings import get_settings
from core.worker_processes import WorkerPool, jemalloc_path
from tasks.mail.build_workers import BuildWorkers, joined
from tests.test_worker_processes import _pids
workers = BuildWorkers()
print(*sorted(set(joined(workers.submit(_pids, list(range(100)))))), flush=True)
time.sleep(60)
"""


def test_the_workers_leave_when_their_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    try:
        pids = [int(p) for p in parent.stdout.readline().split()]
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    assert pids and os.getpid() not in pids
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in pids)


def _alive(pid: int) -> bool:
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
