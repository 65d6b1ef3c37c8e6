"""Documents on disk and notices in the outbox, written in the caller's transaction.

Each has a deterministic key: writing the same key twice returns the first row and adds nothing, so a
re-run, a retry or a second sweep of the same day never issues a document or a notice twice.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from dudao.settings import get_settings
from models import Document, Notice, Unit
from tasks.messages import message_id_for
from tasks.rendering import DOCUMENT_TITLES, render

_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


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


def issue_document(session: Session, paper: Paper) -> tuple[Document, str, str]:
    """Render and file a document (once per key). Returns the row, its HTML and its text."""
    title = paper.title or DOCUMENT_TITLES[paper.kind]
    doc_no = paper.context.get("doc_no", "")
    html, text = render(paper.kind, {"title": title, "doc_no": doc_no, "issued_on": paper.issued_on,
                                     **paper.context})
    existing = session.exec(select(Document).where(Document.key == paper.key)).first()
    if existing is not None:  # filed earlier (a step repeated after a failed delivery)
        return existing, html, text
    relative = Path(str(paper.issued_on.year)) / safe_name(paper.unit.code) / f"{safe_name(paper.key)}.html"
    _write(get_settings().out_dir / relative, html, text)
    document = Document(key=paper.key, kind=paper.kind, title=title, path=str(relative),
                        inspection_id=paper.inspection_id, item_id=paper.item_id, unit_id=paper.unit.id,
                        issued_on=paper.issued_on)
    session.add(document)
    session.flush()
    return document, html, text


def _write(path: Path, html: str, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    path.with_suffix(".txt").write_text(text, encoding="utf-8")


def issue(session: Session, paper: Paper) -> Notice | None:
    """File the document and put its notice in the outbox, both once per key (None if issued before)."""
    if session.exec(select(Notice.id).where(Notice.key == paper.key)).first() is not None:
        return None
    document, html, text = issue_document(session, paper)
    recipients = paper.recipients or [paper.unit]
    notice = Notice(
        key=paper.key, kind=paper.kind, subject=f"【{document.title}】{paper.unit.name}",
        recipients=json.dumps([[u.name, u.email] for u in recipients], ensure_ascii=False),
        body_text=text, body_html=html, document_id=document.id, inspection_id=paper.inspection_id,
        item_id=paper.item_id, unit_id=paper.unit.id, created_on=paper.issued_on, hold_until=paper.hold_until,
        message_id=message_id_for(paper.key, get_settings().mail_domain),
    )
    session.add(notice)
    return notice
