"""A document's HTML takes its place only when the ledger commits and its PDF is set after, a ticket promising it
meanwhile; a batch that fails leaves nothing behind, neither a file nor a temporary one, and a re-run of the same
step writes nothing new."""

import json
from datetime import date

import pytest
from pypdf import PdfReader
from sqlmodel import select

from core.db import session_scope
from models import Document, Notice, Unit
from rules.runtime import load_runtime
from tasks.cycle.special_emergency import EmergencyInspectionInput, _report_upward, start_emergency
from tasks.documents import filing, pdf

DAY = date(2026, 5, 11)


def _files(out_dir):
    return sorted(p.relative_to(out_dir).as_posix() for p in out_dir.rglob("*") if p.is_file())


def _ticket(html, inspection):
    """The ticket its commit wrote, as a process killed before setting the PDF leaves it."""
    filing.ticket_of(html).write_text(json.dumps(
        {"key": f"inspection:{inspection.code}:emergency_report", "issued_on": DAY.isoformat()}), encoding="utf-8")


def _emergency(session):
    return start_emergency(session, EmergencyInspectionInput(unit="S001", reason="学生食物中毒事件"), load_runtime(), DAY)


def test_an_emergency_that_fails_before_its_commit_leaves_no_file(seeded):
    with pytest.raises(RuntimeError, match="the transaction fails"), session_scope() as session:
        _emergency(session)
        # its HTML and the ticket of its PDF are written under temporary names ...
        assert any(name.endswith(".html.part") for name in _files(seeded.out_dir))
        assert any(name.endswith(".pdf.part") for name in _files(seeded.out_dir))
        assert not any(name.endswith((".html", ".pdf")) for name in _files(seeded.out_dir))
        raise RuntimeError("the transaction fails")  # ... and the transaction is rolled back
    assert _files(seeded.out_dir) == []
    with session_scope() as session:
        assert session.exec(select(Document)).all() == []


def test_a_pdf_that_cannot_be_set_leaves_its_ticket_for_the_sweep(seeded):
    """The document is committed; its PDF failed after the commit, in a PDF worker (a folder stands where the PDF
    goes): the ticket stays, and the next sweep sets it."""
    with session_scope() as session:
        inspection = _emergency(session)
        name = f"2026/S001/inspection_{inspection.code}_emergency_report"
        (seeded.out_dir / f"{name}.pdf").mkdir(parents=True)
    with pytest.raises(OSError, match=f"inspection_{inspection.code}_emergency_report.pdf"):
        filing.drain_pdfs()
    assert _files(seeded.out_dir) == [f"2026/S001/.inspection_{inspection.code}_emergency_report.pdf.part",
                                      f"{name}.html"]
    (seeded.out_dir / f"{name}.pdf").rmdir()
    with session_scope() as session:
        assert filing.recover_files(session, seeded.out_dir) == {"placed": 0, "pdfs": 1, "removed": 0, "restored": 0, "missing": 0}
    assert _files(seeded.out_dir) == [f"{name}.html", f"{name}.pdf"]


def test_the_pdfs_are_set_in_worker_processes_and_a_killed_one_fails_only_its_pdf(seeded, monkeypatch):
    """The PDF is set by a worker process (this process cannot set one here); a worker killed before its next PDF
    fails only that PDF, whose ticket the sweep honours, and is replaced for the PDFs after."""
    import os
    import signal

    monkeypatch.setattr(filing, "PDF_WORKERS", 1)
    monkeypatch.setattr(filing, "_WORKERS", {})

    def not_here(*arguments):
        raise AssertionError("a PDF set in the committing process")

    monkeypatch.setattr(pdf, "typeset", not_here)
    with session_scope() as session:
        first = _emergency(session)
    filing.drain_pdfs()
    [worker] = filing.pdf_workers().processes
    assert worker.pid != os.getpid()
    assert len(list(seeded.out_dir.rglob("*.pdf"))) == 1
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()
    with session_scope() as session:
        second = _emergency(session)
    with pytest.raises(RuntimeError, match=f"PDF 生成进程 {worker.pid} 意外退出（-9）"):
        filing.drain_pdfs()
    html = seeded.out_dir / f"2026/S001/inspection_{second.code}_emergency_report.html"
    assert second.code != first.code and filing.ticket_of(html).is_file()
    filing.pdf_workers().shutdown()
    monkeypatch.undo()  # the sweep sets it here, in this process
    with session_scope() as session:
        assert filing.recover_files(session, seeded.out_dir) == {"placed": 0, "pdfs": 1, "removed": 0, "restored": 0, "missing": 0}
    assert not list(seeded.out_dir.rglob("*.part")) and len(list(seeded.out_dir.rglob("*.pdf"))) == 2


def test_the_commit_does_not_wait_for_the_pdf_which_follows_it(seeded):
    """Setting a PDF holds no transaction: the commit returns while it is set, its ticket standing meanwhile (the
    PDF workers are held still until the commit has returned)."""
    import os
    import signal

    workers = filing.pdf_workers()
    for process in workers.processes:
        os.kill(process.pid, signal.SIGSTOP)
    try:
        with session_scope() as session:
            inspection = _emergency(session)
        html = seeded.out_dir / f"2026/S001/inspection_{inspection.code}_emergency_report.html"
        assert html.is_file() and filing.ticket_of(html).is_file() and not html.with_suffix(".pdf").exists()
    finally:
        for process in workers.processes:
            os.kill(process.pid, signal.SIGCONT)
    assert filing.pdf_in_place(html) == html.with_suffix(".pdf")
    assert not filing.ticket_of(html).exists()


def test_a_committed_document_has_its_html_and_pdf_once(seeded):
    with session_scope() as session:
        inspection = _emergency(session)
    filing.drain_pdfs()
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
    filing.drain_pdfs()
    assert {name: (seeded.out_dir / name).stat().st_mtime_ns for name in _files(seeded.out_dir)} == written


def test_a_pdf_set_again_elsewhere_is_the_same_bytes(seeded):
    """Whoever sets a PDF (the pool after the commit, a sweep, a process of its own) sets the same bytes, so a
    PDF set twice is harmless."""
    with session_scope() as session:
        inspection = _emergency(session)
    filing.drain_pdfs()
    html = seeded.out_dir / f"2026/S001/inspection_{inspection.code}_emergency_report.html"
    first = html.with_suffix(".pdf").read_bytes()
    key, day = f"inspection:{inspection.code}:emergency_report", DAY
    apart = pdf.typeset_apart(html.read_text(encoding="utf-8"), key, day)
    here = pdf.typeset(html.read_text(encoding="utf-8"), key, day)
    assert first == apart == here


def test_a_notice_built_while_its_files_are_being_put_in_place_waits_for_them(tmp_path):
    """Delivery in another process may claim a notice the moment its transaction commits, before the commit's
    rename has run and while its PDF is being set: the e-mail waits for both rather than going without them."""
    import threading

    from tasks.mail.notice_build import document_attachments

    html = tmp_path / "2026" / "S001" / "doc.html"
    html.parent.mkdir(parents=True)
    filing.part_of(html).write_bytes(b"<p>x</p>")
    filing.ticket_of(html).write_text('{"key": "k", "issued_on": "2026-05-11"}', encoding="utf-8")

    def commit_then_set():
        filing.part_of(html).replace(html)
        html.with_suffix(".pdf").write_bytes(b"%PDF-1.7\n")
        filing.ticket_of(html).unlink()

    timer = threading.Timer(0.2, commit_then_set)
    timer.start()
    files = document_attachments("督导报告", html)
    timer.join()
    assert [name for name, _, _ in files] == ["督导报告.html", "督导报告.pdf"]
    assert html.with_suffix(".pdf").read_bytes() == b"%PDF-1.7\n"  # waited for, not set again


def test_a_ticket_left_by_a_dead_process_is_honoured_by_whoever_waits(seeded):
    """The process that committed died before it set the PDF: one who needs it waits out its patience, then
    sets it (in a process of its own) and withdraws the ticket."""
    with session_scope() as session:
        inspection = _emergency(session)
    filing.drain_pdfs()
    html = seeded.out_dir / f"2026/S001/inspection_{inspection.code}_emergency_report.html"
    pdf = html.with_suffix(".pdf")
    expected = pdf.read_bytes()
    pdf.unlink()
    _ticket(html, inspection)
    assert filing.pdf_in_place(html, patience=0.1) == pdf
    assert pdf.read_bytes() == expected and not filing.ticket_of(html).exists()


def test_files_left_by_a_kill_after_the_commit_are_recovered(seeded):
    """A process killed after its commit, before its rename and its PDF: the document is in the ledger, its HTML
    only under a temporary name, its PDF only a ticket. The next sweep puts the HTML in place and sets the PDF;
    a rolled-back batch's leftovers are removed once they are old enough not to belong to a transaction still
    running."""
    import os

    with session_scope() as session:
        inspection = _emergency(session)
    filing.drain_pdfs()
    files = _files(seeded.out_dir)
    html, pdf = (seeded.out_dir / name for name in files)
    expected = pdf.read_bytes()
    html.replace(filing.part_of(html))  # as the kill left them
    pdf.unlink()
    _ticket(html, inspection)
    stray = filing.part_of(seeded.out_dir / "2026" / "S002" / "rolled_back.html")
    stray.parent.mkdir(parents=True)
    stray.write_text("<html>", encoding="utf-8")
    young = filing.part_of(seeded.out_dir / "2026" / "S002" / "still_running.pdf")
    young.write_text("{}", encoding="utf-8")
    os.utime(stray, (1, 1))
    with session_scope() as session:
        assert filing.recover_files(session, seeded.out_dir) == {"placed": 1, "pdfs": 1, "removed": 1, "restored": 0, "missing": 0}
    assert _files(seeded.out_dir) == sorted(files + [young.relative_to(seeded.out_dir).as_posix()])
    assert pdf.read_bytes() == expected and inspection.code in files[0]
    with session_scope() as session:  # nothing more to do
        assert filing.recover_files(session, seeded.out_dir) == {"placed": 0, "pdfs": 0, "removed": 0, "restored": 0, "missing": 0}


def test_a_ticket_whose_html_was_deleted_has_it_written_again_from_the_ledger(seeded, caplog):
    """A process killed before it set a PDF, then the document's HTML deleted by hand: the sweep writes the HTML
    again from the document's notice (the same HTML, byte for byte) and sets the PDF. Where the ledger holds no
    copy, the ticket stays and the log names the document; the sweep goes on."""
    with session_scope() as session:
        inspection = _emergency(session)
    filing.drain_pdfs()
    html, pdf = (seeded.out_dir / name for name in _files(seeded.out_dir))
    original, expected = html.read_bytes(), pdf.read_bytes()
    html.unlink()
    pdf.unlink()
    _ticket(html, inspection)
    with session_scope() as session:
        assert filing.recover_files(session, seeded.out_dir) == {"placed": 0, "pdfs": 1, "removed": 0,
                                                                  "restored": 1, "missing": 0}
    assert html.read_bytes() == original and pdf.read_bytes() == expected
    assert not filing.ticket_of(html).exists()

    html.unlink()
    pdf.unlink()
    _ticket(html, inspection)
    with session_scope() as session:  # a document the ledger has no copy of
        for notice in session.exec(select(Notice).where(Notice.document_id.is_not(None))).all():
            notice.body_html = ""
    with session_scope() as session:
        assert filing.recover_files(session, seeded.out_dir) == {"placed": 0, "pdfs": 0, "removed": 0,
                                                                  "restored": 0, "missing": 1}
    assert filing.ticket_of(html).exists() and not html.exists() and not pdf.exists()
    assert f"inspection:{inspection.code}:emergency_report" in caplog.text and str(html) in caplog.text


def test_the_daily_sweep_recovers_them_first(seeded, prefect_harness):
    from flows.daily_sweep import daily_sweep

    with session_scope() as session:
        inspection = _emergency(session)
    filing.drain_pdfs()
    files = _files(seeded.out_dir)
    html, pdf = (seeded.out_dir / name for name in files)
    html.replace(filing.part_of(html))
    pdf.unlink()
    _ticket(html, inspection)
    daily_sweep(DAY)
    assert set(files) <= set(_files(seeded.out_dir))
    assert not any(name.endswith(".part") for name in _files(seeded.out_dir))
