"""After a simulated half year every document filed has its PDF beside its HTML, and every notice delivered to
the Maildir carries its document's PDF as an attachment that opens (pypdf reads it) and names its key."""

import mailbox
from datetime import date
from email import message_from_bytes, policy
from io import BytesIO

from pypdf import PdfReader
from sqlmodel import select

from core.db import session_scope
from models import Document, Notice
from tasks.mail.delivery import deliver_batch_to_maildir
from tests.test_simulation import _simulate

UNTIL = date(2026, 6, 30)


def test_every_document_of_a_simulated_half_year_has_its_pdf_and_every_notice_carries_it_sqlite_only(seeded):
    _simulate(2026, 5, UNTIL)
    deliver_batch_to_maildir(UNTIL)
    with session_scope() as session:
        documents = session.exec(select(Document)).all()
        keys = {n.message_id: (n.key, n.document_id) for n in session.exec(select(Notice)).all()}
    assert len(documents) > 100 and len({d.kind for d in documents}) >= 8
    for document in documents:
        html = seeded.out_dir / document.path
        assert html.is_file() and html.with_suffix(".pdf").read_bytes().startswith(b"%PDF"), document.key
    assert not list(seeded.out_dir.rglob("*.part"))
    box = mailbox.Maildir(seeded.outbox_dir, factory=None, create=False)
    messages = [message_from_bytes(m.as_bytes(), policy=policy.default) for m in box]
    assert len(messages) == len(keys)
    for message in messages:
        key, document_id = keys[message["Message-ID"]]
        pdfs = [a for a in message.iter_attachments() if a.get_content_type() == "application/pdf"]
        assert (len(pdfs) == 1) == (document_id is not None), key
        for attachment in pdfs:
            reader = PdfReader(BytesIO(attachment.get_content()))
            assert len(reader.pages) >= 1 and reader.pages[0].extract_text().strip(), key
            assert key in reader.metadata["/Keywords"]
