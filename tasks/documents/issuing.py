"""Documents on disk and notices in the outbox, written in the caller's transaction.

Each has a deterministic key: writing the same key twice returns the first row and adds nothing, so a
re-run, a retry or a second sweep of the same day never issues a document or a notice twice. Rows are
written with Core statements, many papers at a time (`issue_many`): a sweep files thousands of documents,
and an ORM object and a flush per document cost more than rendering it.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select as select_core
from sqlmodel import Session

from core.settings import get_settings
from models import Document, Notice, Unit
from models.queries import insert_keyed
from rules.workdays import WorkdayCalendar
from tasks.channels.queue import Queued, queue_channel_messages
from tasks.documents.calendar_note import calendar_note, current_calendar
from tasks.documents.filing import file_document
from tasks.documents.letterhead import Letterhead, letterhead
from tasks.documents.rendering import DOCUMENT_TITLES, render
from tasks.mail.messages import message_id_for

_SAFE = re.compile(r"[^A-Za-z0-9_.-]")
_CHUNK = 500  # keys per IN list and rows per INSERT statement


@dataclass
class Paper:
    """What to issue: a document kind, its key, its context, and who it concerns."""

    key: str
    kind: str
    context: dict
    issued_on: date
    unit: Unit
    inspection_id: int | None = None
    item_id: int | None = None
    title: str = ""
    recipients: list[Unit] = field(default_factory=list)
    hold_until: date | None = None


def safe_name(key: str) -> str:
    """A file name from a key: no separators, no parent references."""
    return _SAFE.sub("_", key).strip("._") or "document"


def issue(session: Session, paper: Paper) -> Notice | None:
    """File the document and put its notice in the outbox, both once per key (None if issued before). Its HTML
    takes its place when the transaction commits, and its PDF is set after (tasks/documents/filing.py)."""
    notice_id = issue_many(session, [paper])[0]
    return None if notice_id is None else session.get(Notice, notice_id)


def was_issued(session: Session, key: str) -> bool:
    """Whether a notice of this key is in the ledger: a step that issues one paper a period asks this before
    it gathers the paper's context (a report's figures read the whole year, daily until the key is there)."""
    return bool(_existing(session.connection(), Notice, [key]))


def issue_many(session: Session, papers: list[Paper]) -> list[int | None]:
    """File each paper's document and queue its notice, once per key, in the caller's transaction.

    Returns the new notices' ids in the order of `papers`: None where the key was issued before (or earlier in
    `papers`). The batch costs one key lookup per _CHUNK papers and one multi-row INSERT each for documents and
    notices; per paper what is left is rendering. Each HTML is written while the transaction goes on, under a temporary
    name until the ledger commits, and its PDF is set after the commit (tasks/documents/filing.py): a committed
    document row has its files; a failed write fails the commit and leaves nothing."""
    connection = session.connection()
    fresh = _not_yet_issued(connection, papers)
    if not fresh:
        return [None] * len(papers)
    rendered, documents = _file_documents(session, fresh)
    settings = get_settings()
    rows = [_notice_row(paper, documents[paper.key], rendered[paper.key], settings.mail_domain) for paper in fresh]
    ids, first = _ids_by_key(session, Notice, rows), {id(paper) for paper in fresh}
    # channels beside e-mail (the policy's [channels]): queued with their notices, in the same transaction
    queue_channel_messages(session, [Queued(ids[p.key], p.kind, p.recipients or [p.unit]) for p in fresh])
    return [ids[paper.key] if id(paper) in first else None for paper in papers]


def document_text(session: Session, document_id: int) -> str | None:
    """The text version of a filed document: its notice's body (None for a document without one)."""
    return session.execute(select_core(Notice.body_text).where(Notice.document_id == document_id)
                           .order_by(Notice.id).limit(1)).scalar()


def _not_yet_issued(connection, papers: list[Paper]) -> list[Paper]:
    """The papers whose notice key is new, each key once (its first paper)."""
    issued = _existing(connection, Notice, [paper.key for paper in papers])
    fresh = {}
    for paper in papers:
        if paper.key not in issued:
            fresh.setdefault(paper.key, paper)
    return list(fresh.values())


def _existing(connection, model, keys: list[str]) -> dict[str, tuple]:
    """key -> (id,) for notices, (id, title) for documents: the rows that already hold one of `keys`."""
    table = model.__table__
    columns = [table.c.key, table.c.id] + ([table.c.title] if "title" in table.c else [])
    found: dict[str, tuple] = {}
    for start in range(0, len(keys), _CHUNK):
        for row in connection.execute(select_core(*columns).where(table.c.key.in_(keys[start:start + _CHUNK]))):
            found[row[0]] = tuple(row[1:])
    return found


def _render(paper: Paper, district: Letterhead, calendar: WorkdayCalendar) -> tuple[str, str, str]:
    """(title, html, text) of the paper's document."""
    title = paper.title or DOCUMENT_TITLES[paper.kind]
    html, text = render(paper.kind, {"title": title, "doc_no": paper.context.get("doc_no", ""),
                                     "issued_on": paper.issued_on, **paper.context,
                                     "calendar_note": calendar_note(paper.context, calendar)}, district)
    return title, html, text


def _file_documents(session: Session, papers: list[Paper]) -> tuple[dict, dict[str, tuple[int, str]]]:
    """Render every paper: key -> (title, html, text); and key -> (document id, title). Documents filed before
    keep their row and files (a step repeated after a failed delivery); each other one is filed as soon as it is
    rendered (its HTML, and the ticket of its PDF: tasks/documents/filing.py), and its row is inserted."""
    documents = {key: (found[0], found[1]) for key, found in
                 _existing(session.connection(), Document, [paper.key for paper in papers]).items()}
    out_dir, rows, rendered, district = get_settings().out_dir, [], {}, letterhead(session)
    calendar = current_calendar()  # once a batch: a file check per document would cost (see rendering.py)
    for paper in papers:
        rendered[paper.key] = title, html, _ = _render(paper, district, calendar)
        if paper.key in documents:
            continue
        relative = Path(str(paper.issued_on.year)) / safe_name(paper.unit.code) / f"{safe_name(paper.key)}.html"
        file_document(session, out_dir / relative, html, paper.key, paper.issued_on)
        rows.append({"key": paper.key, "kind": paper.kind, "title": title, "path": str(relative),
                     "inspection_id": paper.inspection_id, "item_id": paper.item_id, "unit_id": paper.unit.id,
                     "issued_on": paper.issued_on})
    titles = {row["key"]: row["title"] for row in rows}
    documents.update({key: (id_, titles[key]) for key, id_ in _ids_by_key(session, Document, rows).items()})
    return rendered, documents


def _notice_row(paper: Paper, document: tuple[int, str], rendered: tuple[str, str, str], domain: str) -> dict:
    document_id, title = document
    _, html, text = rendered
    recipients = paper.recipients or [paper.unit]
    return {
        "key": paper.key, "kind": paper.kind, "subject": f"【{title}】{paper.unit.name}",
        "recipients": json.dumps([[u.name, u.email] for u in recipients], ensure_ascii=False),
        "body_text": text, "body_html": html, "document_id": document_id, "inspection_id": paper.inspection_id,
        "item_id": paper.item_id, "unit_id": paper.unit.id, "created_on": paper.issued_on,
        "hold_until": paper.hold_until, "status": "pending", "attempts": 0, "last_error": "",
        "message_id": message_id_for(paper.key, domain),
    }


def _ids_by_key(session: Session, model, rows: list[dict]) -> dict[str, int]:
    """INSERT the rows (multi-row statements, models/queries.insert_keyed) and return key -> new id."""
    return insert_keyed(session, model, rows)
