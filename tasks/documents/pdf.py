"""PDFs of official documents: the filed HTML set by Typst in the 公文 layout (templates/print/gongwen.typ,
tasks/documents/typesetting.py), PDF/A-2b with the document's title, 发文字号, date and key in its metadata,
fonts embedded (Debian's Noto CJK, found by Typst's own font search).

Every document filed gets its PDF where it is filed, set after its commit (tasks/documents/filing.py); the
same HTML gives the same bytes in any process. `dudao pdf` renders one again from its HTML, and writes the demo's samples. About 4-5 ms of one core a document (bench/render_pdfs.py, where
WeasyPrint, the engine before, took about 300 ms).
"""

import os
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import InputError

if TYPE_CHECKING:  # the ledger is imported where it is read: a typesetting child process needs none of it (1 s)
    from sqlmodel import Session

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


_LOCAL = threading.local()  # one Typst compiler a thread: each keeps its fonts loaded between documents
STANDARD = "a-2b"


def _compiler():
    compiler = getattr(_LOCAL, "compiler", None)
    if compiler is None:
        import typst  # imported here: only processes that write PDFs load the engine and scan the fonts

        from tasks.documents import print_fonts
        from tasks.documents.typesetting import LAYOUT_DIR

        derived = print_fonts.available()
        compiler = _LOCAL.compiler = typst.Compiler(
            root=str(LAYOUT_DIR), font_paths=[str(print_fonts.FONT_DIR)] if derived else [],
            sys_inputs={"print-fonts": "derived" if derived else "noto"})
    return compiler


# A document this large (the province's annual plan lists every target: 8.7 MB of HTML for 30,000 schools) is
# set in a process of its own. Typst's memo cache is one per process and never shrinks: after that plan the
# process held 4.5 GB and every later document took ten times as long (40 ms instead of 4). Smaller lists keep
# memory too: a 3,000-school year's routine-visit shortfall (327,000 characters) grew its PDF worker from 111 to
# 371 MB for good. Every other document of that year is under 30,000 characters.
LARGE_HTML = 100_000
# ... and, when its tables' markup is longer than this, in parts of about this length (at most a quarter more:
# tasks/documents/typst_source.markup_parts), split around tables and between a long table's chunks of whole rows,
# each part in a process of its own, joined after. Typst keeps every page of a compile in memory (about 1 MB a
# page), and the plan's 4,924 pages took 4.5 GB set at once. A part's process peaks at ~125 MB for 60,000
# characters of the plan, ~160 MB of a routine-visit shortfall list (~190 and ~245 MB at 120,000), beside the
# year's other processes when the province's lists are set. A process costs 0.13 s to start, and each part
# embeds its own subset of the fonts (the 3,000-school plan: 1.45 MB in parts of 60,000, 1.31 MB of 120,000).
CHARACTERS_A_PART = 60_000


def typeset(html: str, key: str, issued_on: date) -> bytes:
    """The PDF of a document from its HTML. Typst releases the GIL while it compiles, so threads render in
    parallel. A compile error is a bug in the layout, never in a user's text (every text is a string literal)."""
    if len(html) > LARGE_HTML:
        return typeset_apart(html, key, issued_on)
    return _typeset_here(html, key, issued_on)


def _typeset_here(html: str, key: str, issued_on: date) -> bytes:
    from tasks.documents.typst_source import markup

    return _compile(markup(html, key, issued_on))


def _compile(source: str) -> bytes:
    # No tagged structure: PDF/A-2b asks for none, and tagging cost a tenth of a document's compile.
    return _compiler().compile(source.encode("utf-8"), format="pdf", pdf_standards=STANDARD, pdf_tags=False)


def typeset_apart(html: str, key: str, issued_on: date) -> bytes:
    """`python -m tasks.documents.pdf KEY DATE CHARACTERS_A_PART`: the HTML on its standard input, the PDF on its
    output."""
    return _child([key, issued_on.isoformat(), str(CHARACTERS_A_PART)], html, f"PDF of {key}")


def _child(arguments: list[str], text: str, what: str) -> bytes:
    from core.paths import REPO_ROOT

    done = subprocess.run([sys.executable, "-m", "tasks.documents.pdf", *arguments], input=text.encode("utf-8"),
                          capture_output=True, cwd=REPO_ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{what}: the typesetting process failed: {done.stderr.decode()[-2000:]}")
    return done.stdout


def _typeset_in_parts(html: str, key: str, issued_on: date, characters_a_part: int) -> bytes:
    """In typeset_apart's child: the document at once, or, past CHARACTERS_A_PART of a table, part by part (each
    compiled in a process of its own, its pages numbered on from the last part's), the parts joined into one."""
    from tasks.documents.typst_source import markup_parts

    parts = markup_parts(html, key, issued_on, characters_a_part)
    if len(parts.bodies) == 1:
        return _compile(parts.source(0, 1))
    from tasks.documents.pdf_join import join_pdfs, page_count

    pdfs, first_page = [], 1
    for index in range(len(parts.bodies)):
        pdfs.append(_child(["--source"], parts.source(index, first_page), f"PDF of {key}, part {index + 1}"))
        first_page += page_count(pdfs[-1])
    return join_pdfs(pdfs)


def write_atomically(target: Path, content: bytes) -> Path:
    """Write beside the target under a temporary name, then rename: a reader never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.part")
    try:
        part.write_bytes(content)
        part.replace(target)
    finally:
        part.unlink(missing_ok=True)
    return target


def write_pdf(html: str, target: Path, key: str, issued_on: date) -> Path:
    """Render one HTML document to a PDF file (its key and date go into the PDF's metadata)."""
    return write_atomically(target, typeset(html, key, issued_on))


def set_pdf(pdf: Path, ticket: Path, html: str | None, key: str, issued_on: date, apart: bool = False) -> Path:
    """Set a filed document's PDF from its HTML (None: read from the file beside the PDF, where it was filed),
    write it whole, then withdraw the ticket that promised it (tasks/documents/filing.py). Run in the PDF
    workers, or in the caller's process by a sweep."""
    if html is None:
        html = pdf.with_suffix(".html").read_text(encoding="utf-8")
    write_atomically(pdf, (typeset_apart if apart else typeset)(html, key, issued_on))
    ticket.unlink(missing_ok=True)
    return pdf


def html_path(document: "Document", out_dir: Path) -> Path:
    path = out_dir / document.path
    if not path.is_file():
        raise InputError(f"文书 {document.id}（{document.key}）：其 HTML 文件 {path} 不存在")
    return path


def pdf_for(document: "Document", out_dir: Path) -> Path:
    """The document's PDF beside its HTML file (rendered again each time: the HTML is the record)."""
    source = html_path(document, out_dir)
    return write_pdf(source.read_text(encoding="utf-8"), source.with_suffix(".pdf"), document.key,
                     document.issued_on)


def render_batch(documents: "list[Document]", out_dir: Path) -> PdfRun:
    """PDFs for a batch of documents, timed."""
    started = time.perf_counter()
    paths = [pdf_for(document, out_dir) for document in documents]
    return PdfRun(paths, time.perf_counter() - started)


def select_documents(session: "Session", *, kind: str | None = None, year: int | None = None,
                     ids: list[int] | None = None) -> "list[Document]":
    """Documents by id, or by kind and year of issue."""
    from sqlmodel import select

    from models import Document

    query = select(Document).order_by(Document.id)
    if ids:
        query = query.where(Document.id.in_(ids))
    if kind:
        query = query.where(Document.kind == kind)
    documents = [d for d in session.exec(query).all() if year is None or d.issued_on.year == year]
    missing = set(ids or []) - {d.id for d in documents}
    if missing:
        raise InputError(f"台账中没有 id 为 {'、'.join(map(str, sorted(missing)))} 的文书")
    return documents


def sample_documents(session: "Session", year: int, out_dir: Path) -> "list[Document]":
    """One document of each kind issued in the year: the richest of its kind (the longest HTML file)."""
    chosen: dict[str, tuple[int, Document]] = {}
    for document in select_documents(session, year=year):
        size = html_path(document, out_dir).stat().st_size
        if document.kind not in chosen or size > chosen[document.kind][0]:
            chosen[document.kind] = (size, document)
    return [chosen[kind][1] for kind in sorted(chosen)]


def write_samples(documents: "list[Document]", out_dir: Path) -> PdfRun:
    """var/out/samples/<kind>.html and .pdf: one rendered sample of each document kind."""
    started = time.perf_counter()
    folder = out_dir / SAMPLES
    paths = []
    for document in documents:
        source = html_path(document, out_dir)
        target = folder / f"{document.kind}.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        paths.append(write_pdf(source.read_text(encoding="utf-8"), target.with_suffix(".pdf"), document.key,
                               document.issued_on))
    return PdfRun(paths, time.perf_counter() - started)


if __name__ == "__main__":  # typeset_apart's child: a document (KEY DATE CHARACTERS), or one part's source (--source)
    given = sys.stdin.buffer.read().decode("utf-8")
    sys.stdout.buffer.write(_compile(given) if sys.argv[1] == "--source" else
                            _typeset_in_parts(given, sys.argv[1], date.fromisoformat(sys.argv[2]), int(sys.argv[3])))
