"""A filed document's files on disk: its HTML, put in place when the ledger commits, and its PDF, set after.

The HTML is written while the transaction goes on, under a temporary name beside its place (`.<name>.part`),
and renamed into place by the commit; a rollback removes it. So a committed document has its HTML, and a batch
that failed leaves nothing behind.

Its PDF takes 4-5 ms of a core to set (Typst), more than all the rest of filing a document: set inside the
transaction it held the ledger's write lock that long for every document. So the transaction writes only a
*ticket* beside the HTML (`.<name>.pdf.part`, the document's key and date in it), and the commit hands the PDF
to the PDF workers, up to a process a core (core/worker_processes.py), each writing its PDF whole under a temporary
name, renaming it, then removing the ticket. Processes, not threads of this one: Typst keeps native memory from
compile to compile that no collection gives back (after one 327,000-character list a process held 260 MB more
for good), so it is kept out of the year's process, and a worker is renewed after PDF_RENEW_AFTER documents;
and the year's own work keeps its core while the PDFs are set beside it. The ticket is the promise of a PDF:
whoever needs the PDF (a notice's attachment, the public site) waits while it stands (`pdf_in_place`); one left
by a process killed before it could set its PDF is kept until that PDF is set, by the next sweep
(`recover_files`) or by whoever waits for it longer than its patience. The PDF of the same document is the
same bytes whoever sets it, so setting it twice is harmless.
"""

import atexit
import json
import logging
import os
import threading
import time
from concurrent.futures import Future, wait
from datetime import date
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import select

from core.worker_processes import WorkerPool
from models import Document, Notice
from tasks.documents.pdf import set_pdf, write_atomically

logger = logging.getLogger(__name__)
_FILED = "dudao.filed_documents"  # session.info: [(html part, html path, ticket, key, date)]
# A worker is renewed after this many PDFs, a bound on what Typst keeps whatever keeps it (a worker held a steady
# 108 MB over 6,000 ordinary documents; a start costs about a second).
PDF_RENEW_AFTER = 20_000
PDF_WORKERS = max(1, os.cpu_count() or 1)
# One worker starts with the first PDF, another (up to PDF_WORKERS) whenever more than this many wait: a command
# that files a few documents starts one process (a start costs ~0.6 s of a core), a year one a core.
PDF_GROW_AT = 20
_WORKERS: dict[int, WorkerPool] = {}  # by process id: a forked child starts its own
# At most this many PDFs wait to be set: a committer that finds the backlog full waits for room, so a year
# that files documents faster than the cores set them keeps its memory bounded (each waiting PDF holds its HTML).
PDF_BACKLOG = 2000
_ROOM = threading.BoundedSemaphore(PDF_BACKLOG)
_PENDING: set[Future] = set()
_PENDING_LOCK = threading.Lock()


def part_of(path: Path) -> Path:
    """The temporary name a file is written under until the ledger commits (for a PDF: its ticket)."""
    return path.with_name(f".{path.name}.part")


def ticket_of(html: Path) -> Path:
    """The ticket that promises the PDF of the document filed at `html`."""
    return part_of(html.with_suffix(".pdf"))


def file_document(session: OrmSession, path: Path, html: str, key: str, issued_on: date) -> None:
    """Write the document's HTML under its temporary name and the ticket of its PDF, for this transaction."""
    ticket = ticket_of(path)
    # known to the transaction before a byte is written: a write that fails (a full disk) leaves no file behind.
    # Not the HTML itself: a busy day files thousands, and the PDF worker reads each from its file.
    session.info.setdefault(_FILED, []).append((part_of(path), path, ticket, key, issued_on))
    path.parent.mkdir(parents=True, exist_ok=True)
    part_of(path).write_text(html, encoding="utf-8")
    ticket.write_text(json.dumps({"key": key, "issued_on": issued_on.isoformat()}), encoding="utf-8")


@event.listens_for(OrmSession, "after_commit")
def _documents_after_commit(session: OrmSession) -> None:
    """The rows are in the ledger: each HTML takes its place (a rename in the same folder), then its PDF is
    queued to be set."""
    filed = session.info.pop(_FILED, [])
    for part, final, *_ in filed:
        try:
            part.replace(final)
        except FileNotFoundError:  # put in place meanwhile by recover_files in another process
            if not final.exists():
                raise
    for _, final, ticket, key, issued_on in filed:
        _queue_pdf(final.with_suffix(".pdf"), ticket, key, issued_on)


@event.listens_for(OrmSession, "after_rollback")
def _documents_after_rollback(session: OrmSession) -> None:
    """The batch is undone: remove what it wrote."""
    for part, _, ticket, *_ in session.info.pop(_FILED, []):
        part.unlink(missing_ok=True)
        ticket.unlink(missing_ok=True)


def pdf_workers() -> WorkerPool:
    """This process's PDF workers, started on first use."""
    pid = os.getpid()
    if pid not in _WORKERS:
        _WORKERS.clear()  # a parent's pool, inherited by a fork: its threads and pipes are not this process's
        _WORKERS[pid] = WorkerPool(PDF_WORKERS, "tasks.documents.pdf", PDF_RENEW_AFTER, what="PDF 生成进程",
                                   grow_at=PDF_GROW_AT)
    return _WORKERS[pid]


@atexit.register
def close_pdf_workers() -> None:
    """The PDFs queued are set, then the workers end; at exit too (a ticket left would wait for the next sweep).
    A forked child that started no workers of its own waits for nothing: its parent's futures are not its own."""
    if (workers := _WORKERS.pop(os.getpid(), None)) is not None:
        wait(_pending())
        workers.shutdown()


def _queue_pdf(pdf: Path, ticket: Path, key: str, issued_on: date) -> None:
    _ROOM.acquire()
    future = pdf_workers().submit(set_pdf, pdf, ticket, None, key, issued_on)  # the worker reads the HTML
    with _PENDING_LOCK:
        _PENDING.add(future)
    future.add_done_callback(_settled)


def _settled(future: Future) -> None:
    _ROOM.release()
    if future.exception() is not None:  # the ticket stays: the next sweep sets the PDF again
        logger.error("PDF 未能生成（下次巡查时重试）：%s", future.exception())
    else:
        with _PENDING_LOCK:
            _PENDING.discard(future)


def drain_pdfs() -> int:
    """Wait until every PDF this process queued is set; raise the first that failed (its ticket is left for the
    sweep). Returns how many were waited for."""
    waited: set[Future] = set()
    while running := [f for f in _pending() if not f.done()]:
        for future in running:
            future.exception()
        waited.update(running)
    failed = [f for f in _pending() if f.exception() is not None]
    with _PENDING_LOCK:
        _PENDING.difference_update(failed)
    if failed:
        raise failed[0].exception()
    return len(waited)


def _pending() -> list[Future]:
    with _PENDING_LOCK:
        return list(_PENDING)


def pdf_in_place(html: Path, patience: float = 60.0) -> Path | None:
    """The PDF of the document filed at `html`, once it is set: while its ticket stands the PDF is being set
    (here or in another process), so wait; a ticket still there after `patience` seconds was left by a process
    that died, so set the PDF here (in a process of its own: the caller may be a forked worker, where Typst's
    threads are not safe). None for a document filed before PDFs were made, or whose HTML is not in place."""
    pdf, ticket = html.with_suffix(".pdf"), ticket_of(html)
    deadline = time.monotonic() + patience
    while ticket.is_file() and time.monotonic() < deadline:
        time.sleep(0.01)
    if html.is_file():
        _set_from_ticket(html, ticket, apart=True)
    return pdf if pdf.is_file() else None


def _set_from_ticket(html: Path, ticket: Path, apart: bool) -> bool:
    """Set the PDF a ticket promises; False when the ticket is gone (its PDF was set meanwhile)."""
    try:
        promised = json.loads(ticket.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    set_pdf(html.with_suffix(".pdf"), ticket, None, promised["key"], date.fromisoformat(promised["issued_on"]),
            apart=apart)  # set_pdf reads the HTML beside the PDF, as for the workers
    return True


# A temporary file younger than this may belong to a transaction still running in another process.
STRAY_AFTER_SECONDS = 3600


def recover_files(session: OrmSession, out_dir: Path, now: float | None = None) -> dict[str, int]:
    """Finish what a process killed after its commit left. An HTML still under its temporary name whose document
    is in the ledger takes its place; then each ticket of a filed document has its PDF set (a process killed
    before it set it). A temporary file or ticket whose document is not in the ledger (a rolled-back batch
    killed before it could clean up) is removed once it is an hour old, so a transaction still running elsewhere
    keeps its files. A ticket whose HTML was deleted meanwhile has it written again from the ledger (its
    notice's HTML is the document's), or, where the ledger has no copy, is left and named in the log. Returns
    how many HTML files were placed, PDFs set, leftovers removed, HTML files restored and HTML files missing."""
    now = time.time() if now is None else now
    counts = {"placed": 0, "pdfs": 0, "removed": 0, "restored": 0, "missing": 0}
    parts = sorted((p for p in out_dir.rglob(".*.part") if p.is_file()) if out_dir.is_dir() else [],
                   key=lambda p: p.name.endswith(".pdf.part"))  # the HTML first: a PDF is set from it
    html_of = {part: part.with_name(part.name[1:-len(".part")]).with_suffix(".html") for part in parts}
    relative = {html.relative_to(out_dir).as_posix() for html in html_of.values()}
    filed_paths = set(session.exec(select(Document.path).where(Document.path.in_(relative))).all()) if parts else set()
    for part in parts:
        final = part.with_name(part.name[1:-len(".part")])
        html = html_of[part]
        if html.relative_to(out_dir).as_posix() not in filed_paths:
            if now - part.stat().st_mtime > STRAY_AFTER_SECONDS:
                part.unlink(missing_ok=True)
                counts["removed"] += 1
        elif final.suffix == ".pdf":
            if not html.is_file():
                found = _restore_html(session, html, out_dir)
                counts["restored" if found else "missing"] += 1
                if not found:
                    continue
            counts["pdfs"] += _set_from_ticket(html, part, apart=False)
        elif final.exists():
            part.unlink(missing_ok=True)
            counts["removed"] += 1
        else:
            part.replace(final)
            counts["placed"] += 1
    return counts


def _restore_html(session: OrmSession, html: Path, out_dir: Path) -> bool:
    """Write a filed document's deleted HTML again from its notice, which carries the same HTML; False, with the
    document named in the log, when no notice does (its PDF then waits for the file to be put back)."""
    relative = html.relative_to(out_dir).as_posix()
    document = session.exec(select(Document).where(Document.path == relative)).first()
    text = session.exec(select(Notice.body_html).where(Notice.document_id == document.id)).first()
    if not text:
        logger.error("公文 %s 的 HTML 文件 %s 已被删除，台账中也没有其副本：PDF 无法生成。请把该文件放回原处。",
                     document.key, html)
        return False
    write_atomically(html, text.encode("utf-8"))
    logger.warning("公文 %s 的 HTML 文件 %s 已被删除：已按台账中的通知正文重新写出。", document.key, html)
    return True
