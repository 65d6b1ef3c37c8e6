"""A very large document's parts joined into one PDF (tasks/documents/pdf._typeset_in_parts): each part's page
count, so the next part numbers its pages on, and the join, which keeps the first part's PDF/A catalogue."""

import io
import re

# Typst writes one flat page tree, its root a plain object (no object streams): "<</Type/Pages/Count 18/Kids[...".
_PAGE_TREE = re.compile(rb"/Type\s*/Pages\s*/Count\s+(\d+)")


def page_count(pdf: bytes) -> int:
    """How many pages a PDF of Typst's has, read off its page tree's root without a PDF library; any other PDF
    (more than one page tree node, or keys in another order) is read with pypdf."""
    found = _PAGE_TREE.findall(pdf)
    if len(found) == 1:
        return int(found[0])
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def join_pdfs(pdfs: list[bytes]) -> bytes:
    """The parts' pages in one PDF, which keeps the first part's catalogue entries that make it PDF/A (its XMP
    metadata and output intent) and its document information (title, 发文字号, key, date). pypdf is imported
    only here: its import holds 32 MB, which sat beside every part's process while it was read to count pages."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    parts = [PdfReader(io.BytesIO(pdf)) for pdf in pdfs]
    writer = PdfWriter()
    for part in parts:
        writer.append(part)
    first = parts[0]
    catalog = first.trailer["/Root"]
    for name in ("/Metadata", "/OutputIntents", "/Lang"):
        if name in catalog:
            writer.root_object[NameObject(name)] = catalog.raw_get(name).clone(writer)
    if first.metadata:
        writer.add_metadata(dict(first.metadata))
    joined = io.BytesIO()
    writer.write(joined)
    return joined.getvalue()
