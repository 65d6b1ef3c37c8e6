"""The PDF of each published 督导报告 on the public site, reports/<code>.pdf beside the report's page.

The filed PDF is the official document, and the public may read it only as redacted as the site's pages
(rules/redaction.py: marked student names, ID numbers, unlisted phone numbers). Where redaction changes nothing
in the filed HTML the filed PDF is copied as it is; otherwise the redacted HTML is set again
(tasks/documents/pdf.typeset), so the public PDF never says more than the page.
"""

import shutil
from pathlib import Path

from sqlmodel import Session, select

from core.settings import get_settings
from models import Document
from rules.redaction import redact
from tasks.documents.filing import pdf_in_place
from tasks.documents.issuing import safe_name
from tasks.documents.pdf import typeset, write_atomically
from tasks.publication.records import PublicReport


def report_documents(session: Session, reports: list[PublicReport]) -> dict[str, Document]:
    """Report code -> its filed 督导报告, for the reports whose HTML and PDF are on disk (a PDF still being set
    after its commit is waited for)."""
    keys = {f"inspection:{r.code}:report": r.code for r in reports}
    found: dict[str, Document] = {}
    out_dir = get_settings().out_dir
    for document in session.exec(select(Document).where(Document.key.in_(list(keys)))).all():
        html = out_dir / document.path
        if html.is_file() and pdf_in_place(html) is not None:
            found[keys[document.key]] = document
    return found


def write_report_pdfs(folder: Path, documents: dict[str, Document], allowed_phones: list[str]) -> int:
    """reports/<code>.pdf for each report with a filed PDF; returns how many were set again redacted."""
    out_dir, reset = get_settings().out_dir, 0
    for code, document in documents.items():
        source = out_dir / document.path
        target = folder / "reports" / f"{safe_name(code)}.pdf"
        html = source.read_text(encoding="utf-8")
        public = redact(html, allowed_phones=allowed_phones)
        if public == html:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source.with_suffix(".pdf"), target)
        else:
            write_atomically(target, typeset(public, document.key, document.issued_on))
            reset += 1
    return reset
