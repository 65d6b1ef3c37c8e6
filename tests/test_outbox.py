"""The outbox files papers in batches: each key once, across batches and within one, documents filed before
kept, and a batch that rolls back leaves no rows behind."""

from datetime import date

import pytest
from sqlmodel import delete, select

from core.db import session_scope
from core.settings import get_settings
from models import Document, Notice, Unit
from tasks.documents.filing import drain_pdfs
from tasks.documents.issuing import Paper, document_text, issue, issue_many

DAY = date(2026, 5, 15)


def papers(session, *keys: str) -> list[Paper]:
    units = session.exec(select(Unit).where(Unit.code.like("S%")).order_by(Unit.code)).all()
    return [Paper(key=key, kind="reminder", issued_on=DAY, unit=units[i % 3], context={
        "unit": units[i % 3], "inspection": {"code": f"2026-{i:03d}"}, "finding": {"text": f"问题{key}"},
        "deadline": date(2026, 6, 1), "workdays_left": 3}) for i, key in enumerate(keys)]


def rows(model) -> dict[str, object]:
    with session_scope() as session:
        found = session.exec(select(model)).all()
        session.expunge_all()
    return {row.key: row for row in found}


def test_each_key_is_issued_once_within_a_batch_and_across_batches(seeded):
    with session_scope() as session:
        first = issue_many(session, papers(session, "r:a", "r:b", "r:a"))
    assert first[0] is not None and first[1] is not None and first[2] is None
    notices, documents = rows(Notice), rows(Document)
    assert sorted(notices) == sorted(documents) == ["r:a", "r:b"]
    assert {n.id for n in notices.values()} == {first[0], first[1]}
    assert all(notices[k].document_id == documents[k].id for k in notices)
    assert "问题r:a" in notices["r:a"].body_html and "问题r:a" in notices["r:a"].body_text
    assert notices["r:a"].subject.startswith("【整改提醒】") and notices["r:a"].status == "pending"
    html = get_settings().out_dir / documents["r:b"].path
    assert "问题r:b" in html.read_text(encoding="utf-8")
    # its HTML and its PDF (set after the commit); no text file: the text is the notice's
    drain_pdfs()
    assert sorted(p.name for p in html.parent.iterdir()) == [html.name, html.with_suffix(".pdf").name]
    with session_scope() as session:
        assert document_text(session, documents["r:b"].id) == notices["r:b"].body_text

    with session_scope() as session:
        again = issue_many(session, papers(session, "r:a", "r:c", "r:b"))
    assert again[0] is None and again[2] is None and again[1] is not None
    assert sorted(rows(Notice)) == ["r:a", "r:b", "r:c"]


def test_a_document_filed_before_keeps_its_row_and_file_and_gets_its_notice(seeded):
    with session_scope() as session:
        issue_many(session, papers(session, "r:kept"))
    document = rows(Document)["r:kept"]
    path = get_settings().out_dir / document.path
    path.write_text("filed earlier", encoding="utf-8")  # must not be rewritten
    with session_scope() as session:
        session.exec(delete(Notice))  # as if the notice's row had never been written
    with session_scope() as session:
        notice = issue(session, papers(session, "r:kept")[0])
        assert notice is not None and notice.document_id == document.id
    assert sorted(rows(Document)) == ["r:kept"] and path.read_text(encoding="utf-8") == "filed earlier"


def test_a_batch_in_a_transaction_that_rolls_back_leaves_no_rows(seeded):
    with pytest.raises(RuntimeError), session_scope() as session:
        assert all(issue_many(session, papers(session, *(f"r:{i}" for i in range(1200)))))
        raise RuntimeError("the caller fails after filing")
    assert rows(Notice) == {} and rows(Document) == {}
    with session_scope() as session:  # and the same keys can be issued afterwards
        assert all(issue_many(session, papers(session, "r:0", "r:1199")))


def test_every_file_is_on_disk_when_the_transaction_commits_and_a_failed_write_fails_the_commit(seeded):
    from tasks.documents import filing

    # the PDFs lag behind the transaction: 300 of them are set by the PDF workers after it
    with session_scope() as session:
        issue_many(session, papers(session, *(f"r:{i}" for i in range(300))))
        documents = session.exec(select(Document)).all()
    paths = [get_settings().out_dir / d.path for d in documents]
    assert len(paths) == 300 and all(p.read_text(encoding="utf-8").startswith("<") for p in paths)
    assert all(filing.pdf_in_place(p).read_bytes().startswith(b"%PDF") for p in paths)
    with session_scope() as session:  # issue (one paper): its HTML is in place once the ledger commits
        issue(session, papers(session, "r:one")[0])
        document = session.exec(select(Document).where(Document.key == "r:one")).one()
        assert not (get_settings().out_dir / document.path).exists()  # not before: a rollback would orphan it
    assert (get_settings().out_dir / document.path).is_file()
    assert filing.pdf_in_place(get_settings().out_dir / document.path).read_bytes().startswith(b"%PDF")
    blocked = get_settings().out_dir / str(DAY.year) / "S002"
    blocked.rename(blocked.with_suffix(".moved"))
    blocked.write_text("a file where the unit's folder goes", encoding="utf-8")
    with pytest.raises(OSError), session_scope() as session:
        issue_many(session, papers(session, "r:new-a", "r:new-b", "r:new-c"))
    assert sorted(rows(Notice)) == sorted([f"r:{i}" for i in range(300)] + ["r:one"])  # the batch left no row
    assert not list(get_settings().out_dir.rglob("*.part"))  # nor a file, nor a ticket
