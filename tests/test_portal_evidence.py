"""Evidence files with a rectification report on the portal: kept by content hash under var/evidence/, typed
by their content, size-limited, served back only to their unit and the office; a file of the wrong type under
an allowed name, an oversized one, and a path in a file name are handled with one Chinese line and nothing
written. Runs on SQLite and on PostgreSQL."""

import hashlib

import pytest
from sqlmodel import func, select

from core.db import session_scope
from core.settings import get_settings
from models import AuditEvent, Evidence, Submission
from portal.accounts import add_user
from tests.portal_support import THEIRS, client, csrf_of, make_world, signed_in

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def world(seeded):
    return make_world()


def _post(browser, item: int, files: list[tuple[str, bytes, str]], text: str = "已整改，附佐证材料。"):
    csrf = csrf_of(browser.get(f"/unit/items/{item}").text)
    return browser.post(f"/unit/items/{item}/report", data={"csrf": csrf, "text": text},
                        files=[("files", file) for file in files])


def _written() -> tuple[int, int, int, list]:
    with session_scope() as session:
        counts = [session.exec(select(func.count()).select_from(table)).one()
                  for table in (Submission, Evidence, AuditEvent)]
    folder = get_settings().var_dir / "evidence"
    return (*counts, sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else [])


def test_evidence_is_kept_by_hash_and_served_only_to_its_unit_and_the_office(world):
    browser = signed_in()
    answer = _post(browser, world.item, [("整改台账.pdf", PDF, "application/pdf"), ("现场照片.png", PNG, "image/png")])
    assert answer.status_code == 200 and "整改报告已报送" in answer.text
    assert "整改台账.pdf" in answer.text and "现场照片.png" in answer.text
    digest = hashlib.sha256(PDF).hexdigest()
    stored = get_settings().var_dir / "evidence" / digest[:2] / digest
    assert stored.read_bytes() == PDF
    with session_scope() as session:
        rows = session.exec(select(Evidence).order_by(Evidence.id)).all()
        event = session.exec(select(AuditEvent).where(AuditEvent.event == "evidence")).one()
    assert [(row.name, row.media_type, row.uploaded_by) for row in rows] == [
        ("整改台账.pdf", "application/pdf", "S001"), ("现场照片.png", "image/png", "S001")]
    assert digest in event.detail and event.actor == "S001"
    served = browser.get(f"/unit/evidence/{rows[0].id}")
    assert served.status_code == 200 and served.content == PDF
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"].startswith("attachment;")
    assert "sandbox" in served.headers["content-security-policy"]
    assert signed_in(THEIRS).get(f"/unit/evidence/{rows[0].id}").status_code == 404
    assert client().get(f"/unit/evidence/{rows[0].id}").status_code == 401
    with session_scope() as session:
        add_user(session, "wang.li", "王丽", "a long enough password", "office", actor="operator")
    office = client()
    csrf = csrf_of(office.get("/office/signin").text)
    office.post("/office/signin", data={"csrf": csrf, "username": "wang.li", "password": "a long enough password"})
    assert office.get(f"/office/evidence/{rows[1].id}").content == PNG
    submission = rows[0].submission_id
    assert f'href="/office/evidence/{rows[0].id}"' in office.get(f"/office/submissions/{submission}").text


@pytest.mark.parametrize("name, data, message", [
    ("整改报告.pdf", b"<html><script>alert(1)</script></html>", "的内容不是可接受的类型"),
    ("照片.jpg", b"MZ\x90\x00 an executable", "的内容不是可接受的类型"),
    ("照片.pdf", PNG, "的文件名与内容不符（内容为 PNG 图片）"),
    ("空.pdf", b"", "是空文件"),
])
def test_a_file_of_the_wrong_type_is_refused_and_nothing_is_written(world, name, data, message):
    browser = signed_in()
    before = _written()
    answer = _post(browser, world.item, [("台账.pdf", PDF, "application/pdf"), (name, data, "application/pdf")])
    assert answer.status_code == 409 and message in answer.text
    assert _written() == before


def test_an_oversized_file_is_refused_and_nothing_is_written(world, monkeypatch):
    monkeypatch.setenv("DUDAO_PORTAL_EVIDENCE_MAX_MB", "1")
    get_settings.cache_clear()
    browser = signed_in()
    before = _written()
    answer = _post(browser, world.item, [("大文件.pdf", PDF + b"0" * (1024 * 1024), "application/pdf")])
    assert answer.status_code == 409 and "附件“大文件.pdf”超过 1 MB。" in answer.text
    assert _written() == before
    too_big = PDF + b"0" * (6 * 1024 * 1024)  # over what a whole report may weigh: refused before parsing
    answer = _post(browser, world.item, [("更大.pdf", too_big, "application/pdf")])
    assert answer.status_code == 413 and "未作任何处理" in answer.text
    assert _written() == before


def test_a_path_in_a_file_name_is_only_a_name(world):
    browser = signed_in()
    answer = _post(browser, world.item, [("../../../etc/cron.d/证明.pdf", PDF, "application/pdf"),
                                         ("C:\\temp\\..\\..\\照片.png", PNG, "image/png")])
    assert answer.status_code == 200
    with session_scope() as session:
        names = session.exec(select(Evidence.name).order_by(Evidence.id)).all()
    assert names == ["证明.pdf", "照片.png"]
    files = [p for p in get_settings().var_dir.rglob("*") if p.is_file() and "evidence" in p.parts]
    assert {p.name for p in files} == {hashlib.sha256(PDF).hexdigest(), hashlib.sha256(PNG).hexdigest()}


def test_too_many_files_are_refused(world):
    browser = signed_in()
    before = _written()
    answer = _post(browser, world.item, [(f"{n}.pdf", PDF + bytes([n]), "application/pdf") for n in range(6)])
    assert answer.status_code == 409 and "附件最多 5 个（现有 6 个）。" in answer.text
    assert _written() == before
