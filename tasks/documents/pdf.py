"""PDFs of filed official documents, rendered on demand with WeasyPrint (never inside the daily sweep).

The filed HTML already carries the 公文 layout (templates/base.html, print rules in `@page`); WeasyPrint finds
Debian's Noto CJK fonts through fontconfig. One document takes about 0.3 s of one core, so PDFs are made
when someone asks for them (`dudao pdf`) and for the demo's samples.
"""

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from core.errors import InputError
from models import Document

SAMPLES = "samples"


@dataclass(frozen=True)
class PdfRun:
    """What a batch produced and how fast."""

    paths: list[Path]
    seconds: float

    @property
    def per_second(self) -> float:
        return len(self.paths) / self.seconds if self.seconds else 0.0


def write_pdf(html: str, target: Path, base_url: Path | None = None) -> Path:
    """Render one HTML document to a PDF file."""
    from weasyprint import HTML  # imported here: loading it costs ~1 s that only PDF commands should pay

    target.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=html, base_url=str(base_url or target.parent)).write_pdf(target)
    return target


def html_path(document: Document, out_dir: Path) -> Path:
    path = out_dir / document.path
    if not path.is_file():
        raise InputError(f"document {document.id} ({document.key}): its HTML file {path} is missing")
    return path


def pdf_for(document: Document, out_dir: Path) -> Path:
    """The document's PDF beside its HTML file (rendered again each time: the HTML is the record)."""
    source = html_path(document, out_dir)
    return write_pdf(source.read_text(encoding="utf-8"), source.with_suffix(".pdf"), source.parent)


def render_batch(documents: list[Document], out_dir: Path) -> PdfRun:
    """PDFs for a batch of documents, timed."""
    started = time.perf_counter()
    paths = [pdf_for(document, out_dir) for document in documents]
    return PdfRun(paths, time.perf_counter() - started)


def select_documents(session: Session, *, kind: str | None = None, year: int | None = None,
                     ids: list[int] | None = None) -> list[Document]:
    """Documents by id, or by kind and year of issue."""
    query = select(Document).order_by(Document.id)
    if ids:
        query = query.where(Document.id.in_(ids))
    if kind:
        query = query.where(Document.kind == kind)
    documents = [d for d in session.exec(query).all() if year is None or d.issued_on.year == year]
    missing = set(ids or []) - {d.id for d in documents}
    if missing:
        raise InputError(f"no document with id {', '.join(map(str, sorted(missing)))} in the ledger")
    return documents


def sample_documents(session: Session, year: int, out_dir: Path) -> list[Document]:
    """One document of each kind issued in the year: the richest of its kind (the longest HTML file)."""
    chosen: dict[str, tuple[int, Document]] = {}
    for document in select_documents(session, year=year):
        size = html_path(document, out_dir).stat().st_size
        if document.kind not in chosen or size > chosen[document.kind][0]:
            chosen[document.kind] = (size, document)
    return [chosen[kind][1] for kind in sorted(chosen)]


def write_samples(documents: list[Document], out_dir: Path) -> PdfRun:
    """var/out/samples/<kind>.html and .pdf: one rendered sample of each document kind."""
    started = time.perf_counter()
    folder = out_dir / SAMPLES
    paths = []
    for document in documents:
        source = html_path(document, out_dir)
        target = folder / f"{document.kind}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        paths.append(write_pdf(source.read_text(encoding="utf-8"), target.with_suffix(".pdf"), folder))
    return PdfRun(paths, time.perf_counter() - started)
