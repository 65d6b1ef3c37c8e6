"""A filed document's files on disk: its HTML and its PDF, written while the transaction goes on and put in
place only once the ledger has committed.

Each file is first written under a temporary name beside its place (`.<name>.part`) by a pool of writer threads
(rendering a PDF is Typst's compiled code, which releases the GIL: the threads render on every core while the
transaction goes on). Before the commit every write must have ended well (a failed one fails the commit); after
it each file is renamed into place; after a rollback the temporary files are removed. So a committed document
has its HTML and PDF, and a batch that failed leaves nothing behind: no empty or half-written file.
"""

import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import date
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import select

from models import Document
from tasks.documents.pdf import typeset

_WRITES = "dudao.document_writes"  # session.info: (future, [(temporary, final) paths]) of the transaction
_WORKERS = max(1, os.cpu_count() or 1)
_WRITER = ThreadPoolExecutor(_WORKERS, thread_name_prefix="document-writer")


def part_of(path: Path) -> Path:
    """The temporary name a file is written under until the ledger commits."""
    return path.with_name(f".{path.name}.part")


def file_document(session: OrmSession, path: Path, html: str, key: str, issued_on: date) -> None:
    """Queue the document's HTML at `path` and its PDF beside it (same name, .pdf), for this transaction."""
    pairs = [(part_of(path), path), (part_of(path.with_suffix(".pdf")), path.with_suffix(".pdf"))]
    future = _WRITER.submit(_write, pairs, html, key, issued_on)
    session.info.setdefault(_WRITES, []).append((future, pairs))


def wait_for_documents(session: OrmSession) -> None:
    """Block until every file this session queued is written under its temporary name; raise the first failed
    write (after all have ended: none goes on behind the rollback that follows)."""
    failed = [error for future, _ in session.info.get(_WRITES, []) if (error := _outcome(future)) is not None]
    if failed:
        raise failed[0]


@event.listens_for(OrmSession, "before_commit")
def _documents_before_commit(session: OrmSession) -> None:
    wait_for_documents(session)


@event.listens_for(OrmSession, "after_commit")
def _documents_after_commit(session: OrmSession) -> None:
    """The rows are in the ledger: each file takes its place (a rename in the same folder)."""
    for _, pairs in session.info.pop(_WRITES, []):
        for part, final in pairs:
            try:
                part.replace(final)
            except FileNotFoundError:  # put in place meanwhile by recover_files in another process
                if not final.exists():
                    raise


@event.listens_for(OrmSession, "after_rollback")
def _documents_after_rollback(session: OrmSession) -> None:
    """The batch is undone: let its writes end, then remove what they wrote (their errors are moot)."""
    for future, pairs in session.info.pop(_WRITES, []):
        _outcome(future)
        for part, _ in pairs:
            part.unlink(missing_ok=True)


def _outcome(future: Future) -> BaseException | None:
    return future.exception()


def _write(pairs: list[tuple[Path, Path]], html: str, key: str, issued_on: date) -> None:
    """The HTML, then the PDF set from it, each under its temporary name. The text version of a document lives
    in the ledger (its notice's `body_text`), so it gets no file of its own."""
    (html_part, _), (pdf_part, _) = pairs
    html_part.parent.mkdir(parents=True, exist_ok=True)
    html_part.write_text(html, encoding="utf-8")
    pdf_part.write_bytes(typeset(html, key, issued_on))


# A temporary file younger than this may belong to a transaction still running in another process.
STRAY_AFTER_SECONDS = 3600


def recover_files(session: OrmSession, out_dir: Path, now: float | None = None) -> dict[str, int]:
    """Finish what a process killed between its commit and its renames left: a temporary file whose document is
    in the ledger (its write had ended well before the commit) takes its place; one whose document is not (a
    rolled-back batch killed before it could clean up) is removed once it is an hour old, so a transaction still
    running elsewhere keeps its files. Returns how many were put in place and removed."""
    now = time.time() if now is None else now
    placed = removed = 0
    parts = [p for p in out_dir.rglob(".*.part") if p.is_file()] if out_dir.is_dir() else []
    for part in parts:
        final = part.with_name(part.name[1:-len(".part")])
        html = final.with_suffix(".html").relative_to(out_dir).as_posix()
        filed = session.exec(select(Document.id).where(Document.path == html)).first() is not None
        if filed and not final.exists():
            part.replace(final)
            placed += 1
        elif (filed or now - part.stat().st_mtime > STRAY_AFTER_SECONDS):
            part.unlink(missing_ok=True)
            removed += 1
    return {"placed": placed, "removed": removed}
