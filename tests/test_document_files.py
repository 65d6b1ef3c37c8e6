"""A document's files (HTML and PDF) take their place only when the ledger commits; a batch that fails leaves
nothing behind, neither a file nor a temporary one, and a re-run of the same step writes nothing new."""

from datetime import date

import pytest
from pypdf import PdfReader
from sqlmodel import select

from core.db import session_scope
from models import Document, Unit
from rules.runtime import load_runtime
from tasks.cycle.special_emergency import EmergencyInspectionInput, _report_upward, start_emergency
from tasks.documents import filing

DAY = date(2026, 5, 11)


def _files(out_dir):
    return sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file())


def _emergency(session):
    return start_emergency(session, EmergencyInspectionInput(unit="S001", reason="学生食物中毒事件"), load_runtime(), DAY)


def test_an_emergency_that_fails_before_its_commit_leaves_no_file(seeded):
    with pytest.raises(RuntimeError, match="the transaction fails"), session_scope() as session:
        _emergency(session)
        filing.wait_for_documents(session)  # its files are written (under temporary names) ...
        assert any(name.endswith(".part") for name in _files(seeded.out_dir))
        assert not any(name.endswith((".html", ".pdf")) for name in _files(seeded.out_dir))
        raise RuntimeError("the transaction fails")  # ... and the transaction is rolled back
    assert _files(seeded.out_dir) == []
    with session_scope() as session:
        assert session.exec(select(Document)).all() == []


def test_a_pdf_that_cannot_be_written_fails_the_commit_and_leaves_nothing(seeded, monkeypatch):
    def broken(html, key, issued_on):
        raise OSError("disk full")

    monkeypatch.setattr(filing, "typeset", broken)
    with pytest.raises(OSError, match="disk full"), session_scope() as session:
        _emergency(session)
    assert _files(seeded.out_dir) == []
    with session_scope() as session:
        assert session.exec(select(Document)).all() == []


def test_a_committed_document_has_its_html_and_pdf_once(seeded):
    with session_scope() as session:
        inspection = _emergency(session)
    files = _files(seeded.out_dir)
    assert files == [f"2026/S001/inspection_{inspection.code}_emergency_report.{suffix}" for suffix in ("html", "pdf")]
    pdf = seeded.out_dir / files[1]
    reader = PdfReader(pdf)
    assert f"inspection:{inspection.code}:emergency_report" in reader.metadata["/Keywords"]
    assert "学生食物中毒事件" in "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    written = {name: (seeded.out_dir / name).stat().st_mtime_ns for name in files}
    with session_scope() as session:  # the same step again: the document is keyed, nothing is written
        again = session.get(type(inspection), inspection.id)
        _report_upward(session, again, session.get(Unit, again.unit_id), "学生食物中毒事件", DAY)
    assert {name: (seeded.out_dir / name).stat().st_mtime_ns for name in _files(seeded.out_dir)} == written


def test_a_notice_built_while_its_files_are_being_put_in_place_waits_for_them(tmp_path):
    """Delivery in another process may claim a notice the moment its transaction commits, before the commit's
    renames have run: the e-mail waits for the files rather than going without its document."""
    import threading

    from tasks.mail.notice_build import document_attachments

    html = tmp_path / "2026" / "S001" / "doc.html"
    html.parent.mkdir(parents=True)
    for path, content in ((html, b"<p>x</p>"), (html.with_suffix(".pdf"), b"%PDF-1.7\n")):
        filing.part_of(path).write_bytes(content)
    timer = threading.Timer(0.2, lambda: [filing.part_of(p).replace(p) for p in (html, html.with_suffix(".pdf"))])
    timer.start()
    files = document_attachments("督导报告", html)
    timer.join()
    assert [name for name, _, _ in files] == ["督导报告.html", "督导报告.pdf"]


def test_files_left_by_a_kill_between_the_commit_and_the_renames_are_recovered(seeded):
    """A process killed after its commit, before its renames: the documents are in the ledger, their files only
    under temporary names. The next sweep puts them in place; a rolled-back batch's leftovers are removed once
    they are old enough not to belong to a transaction still running."""
    import os

    with session_scope() as session:
        inspection = _emergency(session)
    files = _files(seeded.out_dir)
    for name in files:  # as the kill left them
        final = seeded.out_dir / name
        final.replace(filing.part_of(final))
    stray = filing.part_of(seeded.out_dir / "2026" / "S002" / "rolled_back.html")
    stray.parent.mkdir(parents=True)
    stray.write_text("<html>", encoding="utf-8")
    young = filing.part_of(seeded.out_dir / "2026" / "S002" / "still_running.pdf")
    young.write_bytes(b"%PDF")
    os.utime(stray, (1, 1))
    with session_scope() as session:
        assert filing.recover_files(session, seeded.out_dir) == {"placed": 2, "removed": 1}
    assert _files(seeded.out_dir) == sorted(files + [young.relative_to(seeded.out_dir).as_posix()])
    assert (seeded.out_dir / files[1]).read_bytes().startswith(b"%PDF") and inspection.code in files[0]
    with session_scope() as session:  # nothing more to do
        assert filing.recover_files(session, seeded.out_dir) == {"placed": 0, "removed": 0}


def test_the_daily_sweep_recovers_them_first(seeded, prefect_harness):
    from flows.daily_sweep import daily_sweep

    with session_scope() as session:
        _emergency(session)
    files = _files(seeded.out_dir)
    for name in files:
        final = seeded.out_dir / name
        final.replace(filing.part_of(final))
    daily_sweep(DAY)
    assert set(files) <= set(_files(seeded.out_dir))
    assert not any(name.endswith(".part") for name in _files(seeded.out_dir))
