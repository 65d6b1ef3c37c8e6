"""Where an operator opens what an artifact names: a document's link, and the keys artifacts go under."""

from pathlib import Path
from urllib.parse import quote

from core.settings import get_settings
from models import Document


def document_link(document: Document) -> str:
    """Where an operator opens a document: the served folder when configured, else the file itself."""
    settings = get_settings()
    if settings.documents_url:
        return f"{settings.documents_url.rstrip('/')}/{quote(document.path)}"
    return Path(settings.out_dir / document.path).resolve().as_uri()


def artifact_key(*parts: str) -> str:
    """Artifact keys allow lowercase letters, digits and dashes only."""
    text = "-".join(parts).lower()
    return "".join(c if c.isascii() and c.isalnum() else "-" for c in text).strip("-")
