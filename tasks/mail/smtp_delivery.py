"""The outbox over SMTP: claim a group, build it, send it over the pooled connections, record as results come.

While one group is on the wire the next is claimed and built (in worker processes when the run is big),
so the connections stay busy; results are committed every FLUSH_SECONDS by a small timer task.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass

from models import Notice
from tasks.mail.build_workers import BuildWorkers
from tasks.mail.notice_build import MessageSpec, render_all, wire_message
from tasks.mail.outbox_claims import FLUSH_SECONDS, Recorder
from tasks.mail.smtp_sender import SmtpConfig, send_batch


@dataclass
class Group:
    """Claimed notices and their specs (from the claim step, run in a thread)."""

    notices: list[Notice]
    specs: list[MessageSpec]
    full: bool = False  # as many as the claim allowed: more may be due after these


ClaimNext = Callable[[int], Group]  # after_id -> the next claimed group (empty when none is due)


class Builder:
    """Builds a group's messages: in a thread when the run is one small group, else in worker processes
    (from the first full group on: building costs more CPU than sending, see bench/notices_outbox.py)."""

    def __init__(self) -> None:
        self.workers = BuildWorkers()

    async def build(self, group: Group) -> list[bytes | str]:
        specs = group.specs
        if self.workers.pool is None and not group.full:
            return await asyncio.to_thread(render_all, specs)
        parts = await asyncio.gather(*(asyncio.wrap_future(f) for f in self.workers.submit(render_all, specs)))
        return [item for part in parts for item in part]

    def close(self) -> None:
        self.workers.close()


async def _prepare(claim_next: ClaimNext, after_id: int, builder: Builder) -> tuple[Group, list]:
    claiming = asyncio.ensure_future(asyncio.to_thread(claim_next, after_id))
    try:
        group = await asyncio.shield(claiming)
    except asyncio.CancelledError:
        await claiming  # a claim being committed finishes first, so the run's release() comes after it
        raise
    return group, await builder.build(group)


async def _flush_every(recorder: Recorder) -> None:
    while True:
        await asyncio.sleep(FLUSH_SECONDS)
        recorder.flush()


def _ready(group: Group, built: list, recorder: Recorder) -> list:
    """The sendable (key, message) pairs; a message that cannot be built is recorded failed at once."""
    batch = []
    for notice, item in zip(group.notices, built, strict=True):
        if isinstance(item, str):
            recorder.add(notice.key, "permanent", item)
        else:
            batch.append((notice.key, wire_message(item)))
    return batch


async def send_outbox(claim_next: ClaimNext, config: SmtpConfig, recorder: Recorder) -> bool:
    """Send group after group until none is due. Returns True if it stopped early with notices left
    behind: a full group went out with nothing accepted and some transient failure (the server is down
    or refusing for now), so the rest waits for the next attempt."""
    builder = Builder()
    flusher = asyncio.create_task(_flush_every(recorder))
    upcoming = asyncio.create_task(_prepare(claim_next, 0, builder))
    try:
        while True:
            group, built = await upcoming
            if not group.notices:
                return False
            upcoming = asyncio.create_task(_prepare(claim_next, group.notices[-1].id, builder))
            before = dict(recorder.counts)
            await send_batch(_ready(group, built, recorder), config,
                             on_result=lambda r: recorder.add(r.key, r.status, r.reason))
            if recorder.counts["sent"] == before["sent"] and recorder.counts["transient"] > before["transient"]:
                return group.full
    finally:
        await _stop(upcoming, flusher)
        builder.close()


async def _stop(*tasks: asyncio.Task) -> None:
    for task in tasks:
        task.cancel()
        with suppress(asyncio.CancelledError, Exception):
            await task
