"""The build workers are forked with the parent's objects frozen for the collector (tasks/mail/build_workers.py): a
worker's collections skip what it inherited, and the parent collects as before."""

import gc

from tasks.mail.build_workers import BuildWorkers, joined


def _frozen_here(items: list) -> list[int]:
    return [gc.get_freeze_count() for _ in items]


def test_workers_start_with_the_inherited_objects_frozen_and_the_parent_unfrozen():
    inherited = len(gc.get_objects())
    workers = BuildWorkers()
    try:
        counts = joined(workers.submit(_frozen_here, [0, 1, 2]))
    finally:
        workers.close()
    assert min(counts) >= inherited // 2  # the worker's collector leaves (most of) this process's objects alone
    assert gc.get_freeze_count() == 0
