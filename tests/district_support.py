"""Another district for the tests: the sample district file with every 南岸 made 江北 (units and offices
included), seeded, and the settings pointed at it (so the sender name is read from it too)."""

import email
import email.policy
from pathlib import Path

import pytest
from sqlmodel import select

from core.db import session_scope
from core.paths import REPO_ROOT
from core.settings import Settings, get_settings
from models import Document, Notice
from tasks.exchange.district_file import load_district, read_district_file

AUTHORITY = "江北区人民政府教育督导室"
SENDER = "江北区政府教育督导室"


def jiangbei_file(folder: Path) -> Path:
    path = folder / "jiangbei.toml"
    sample = (REPO_ROOT / "data" / "nanan.toml").read_text(encoding="utf-8")
    path.write_text(sample.replace("南岸", "江北"), encoding="utf-8")
    return path


@pytest.fixture
def jiangbei(ledger, tmp_path, monkeypatch) -> Settings:
    """The ledger seeded with 江北区; DUDAO_DISTRICT_PATH names its file."""
    path = jiangbei_file(tmp_path)
    monkeypatch.setenv("DUDAO_DISTRICT_PATH", str(path))
    get_settings.cache_clear()  # the ledger fixture clears it again when the test ends
    with session_scope() as session:
        load_district(session, read_district_file(path))
    return get_settings()


def documents(settings: Settings) -> list[tuple[str, str, str, str]]:
    """(kind, title, html, text) of every filed document: its file and its notice's text."""
    with session_scope() as session:
        rows = session.exec(select(Document.kind, Document.title, Document.path, Notice.body_text).join(
            Notice, Notice.document_id == Document.id).order_by(Document.id)).all()
    return [(kind, title, (settings.out_dir / path).read_text(encoding="utf-8"), text)
            for kind, title, path, text in rows]


def messages(settings: Settings) -> list[tuple[str, str]]:
    """(From display name, everything a reader sees: headers and each text part decoded) of each Maildir message."""
    out = []
    for path in sorted((settings.outbox_dir / "new").iterdir()):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        parts = [str(value) for _, value in message.items()]
        parts += [part.get_content() for part in message.walk() if part.get_content_maintype() == "text"]
        out.append((message["From"].addresses[0].display_name, "\n".join(parts)))
    return out
