"""Hostile content from units: markup in the unit's name, its head's name, finding text and area, and the
rectification submission, followed through documents (HTML and PDF), the Maildir e-mail and the public
site — always escaped. Header injection in e-mail fields and path traversal in file names, fuzzed."""

import os
import subprocess
from datetime import timedelta
from email import message_from_bytes, policy
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape
from sqlmodel import select

from core.db import session_scope
from core.errors import InputError
from models import Inspection, RectificationItem, Unit
from rules.runtime import load_runtime
from tasks.cycle.responses import FindingInput, record_visit, release_report, submit_rectification
from tasks.documents.issuing import safe_name
from tasks.exchange.district_file import load_district, read_district_file
from tasks.mail.delivery import deliver_pending_now
from tasks.mail.messages import build_message, safe_filename
from tasks.sweep import sweep_day
from tests.conftest import REPO, run_cli
from tests.figures import tally

FUZZ = settings(max_examples=int(os.environ.get("DUDAO_FUZZ_EXAMPLES", "200")), deadline=None,
                derandomize=bool(os.environ.get("CI")))
MARKUP = {
    "unit name": '<script>alert("unit")</script>育才小学',
    "head name": '"><img src=x onerror=alert(2)>',
    "finding text": "<iframe src=javascript:alert(3)></iframe>食堂台账缺失",
    "finding area": "<b onmouseover=alert(4)>安全</b>",
    "submission": "<svg onload=alert(5)>已整改",
}


def _hostile_district(tmp_path) -> Path:
    text = (REPO / "data" / "nanan.toml").read_text(encoding="utf-8")
    text = text.replace('name = "南坪育才小学（示例）"', f"name = '{MARKUP['unit name']}'", 1)
    text = text.replace('principal = { name = "赵秀"', f"principal = {{ name = '{MARKUP['head name']}'", 1)
    path = tmp_path / "hostile.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _run_hostile_inspection(tmp_path):
    """S001 (hostile names) from notice to published report, with hostile findings and a hostile submission."""
    from tests.fault_driver import prepare

    prepare()
    rt = load_runtime()
    with session_scope() as session:
        load_district(session, read_district_file(_hostile_district(tmp_path)))
        inspection = session.exec(select(Inspection).join(Unit).where(Unit.code == "S001")).one()
        ins_id, notice_on, visit_on = inspection.id, inspection.notice_on, inspection.visit_on
    _sweep(notice_on, rt)
    with session_scope() as session:
        finding = FindingInput(MARKUP["finding area"], MARKUP["finding text"])
        record_visit(session, session.get(Inspection, ins_id), [finding], visit_on, rt, actor="inspector")
    issue_day = _sweep_until(lambda i: i.issued_on is not None, ins_id, visit_on, rt)
    with session_scope() as session:
        item = session.exec(select(RectificationItem).where(RectificationItem.inspection_id == ins_id)).one()
        submit_rectification(session, item, MARKUP["submission"], issue_day, actor="S001")
        release_report(session, session.get(Inspection, ins_id), issue_day, actor="operator")
    _sweep(issue_day, rt)
    deliver_pending_now(issue_day)
    return issue_day


def _sweep(day, rt) -> None:
    with session_scope() as session:
        sweep_day(session, day, rt)


def _sweep_until(done, ins_id: int, day, rt):
    for _ in range(60):
        day += timedelta(days=1)
        _sweep(day, rt)
        with session_scope() as session:
            if done(session.get(Inspection, ins_id)):
                return day
    raise AssertionError("the inspection never reached the stage")


def _html_outputs(folder: Path) -> dict[str, str]:
    """HTML files, and the HTML parts and attachments of e-mails."""
    texts = {}
    for path in folder.rglob("*"):
        if path.suffix in (".html", ".xml"):
            texts[str(path)] = path.read_text(encoding="utf-8")
        elif path.is_file() and "outbox" in path.parts and "new" in path.parts:
            message = message_from_bytes(path.read_bytes(), policy=policy.default)
            for n, part in enumerate(message.walk()):
                if part.get_content_type() == "text/html":
                    texts[f"{path}#{n}"] = part.get_content() if isinstance(part.get_content(), str) \
                        else part.get_content().decode("utf-8")
    return texts


def test_markup_from_units_is_escaped_in_documents_mail_site_and_pdf(seeded, tmp_path):
    day = _run_hostile_inspection(tmp_path)
    env = {"DUDAO_DATABASE_URL": seeded.ledger_url, "DUDAO_VAR_DIR": str(seeded.var_dir)}
    site = run_cli("publish", "--out", str(tmp_path / "site"), "--as-of", day.isoformat(), env=env)
    assert site.returncode == 0, site.stderr[-1500:]
    outputs = {**_html_outputs(seeded.var_dir), **_html_outputs(tmp_path / "site")}
    tally("hostile.markup.outputs_scanned", len(outputs) * len(MARKUP))
    for field, markup in MARKUP.items():
        raw = [source for source, body in outputs.items() if markup in body]
        assert raw == [], f"{field} reached HTML unescaped in {raw[:3]}"
    for field in ("unit name", "finding text"):
        escaped = str(escape(MARKUP[field]))
        assert any(escaped[:20] in body for body in outputs.values()), f"{field} never reached an HTML output"
        assert any(escaped[:20] in body for source, body in outputs.items() if "outbox" in source)
    assert any("&lt;script&gt;" in body for source, body in outputs.items() if "/site/" in source)
    _pdf_shows_markup_as_text(seeded, env)


def _pdf_shows_markup_as_text(seeded, env) -> None:
    """Escaped markup renders as visible text in the PDF (unescaped, it would vanish into tags)."""
    with session_scope() as session:
        from models import Document

        document = session.exec(select(Document).where(Document.kind == "report").join(
            Unit, Document.unit_id == Unit.id).where(Unit.code == "S001")).one()
    result = run_cli("pdf", str(document.id), env=env)
    assert result.returncode == 0, result.stderr[-1500:]
    pdf = (seeded.out_dir / document.path).with_suffix(".pdf")
    shown = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    tally("hostile.markup.pdf_checked")
    assert "<iframe" in "".join(shown.split()) or "iframe" in shown


@FUZZ
@given(subject=st.text(max_size=80), name=st.text(max_size=40))
def test_no_header_can_be_injected_through_subject_or_names(subject, name):
    tally("hostile.email.headers")
    try:
        message = build_message(key="inspection:2026-ZH-001:notice", sender="dudao@jdz.nanan.example.cn",
                                sender_name="南岸区政府教育督导室", recipients=[(name, "s001@school.example.cn")],
                                subject=subject, text="正文", html="<p>正文</p>", domain="dudao.example.cn")
        parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    except InputError:
        return
    expected = {"Subject", "From", "To", "Message-ID", "X-Dudao-Key", "MIME-Version", "Content-Type"}
    assert set(parsed.keys()) == expected
    assert " ".join(str(parsed["Subject"]).split()) == " ".join(subject.split())
    assert [a.addr_spec for a in parsed["To"].addresses] == ["s001@school.example.cn"]


@FUZZ
@given(name=st.text(max_size=60))
def test_file_names_never_leave_their_folder(name):
    tally("hostile.paths", 2)
    root = Path("/srv/dudao/out/2026")
    for safe in (safe_name(name), safe_filename(name)):
        assert safe and "/" not in safe and "\\" not in safe and safe not in (".", "..")
        assert (root / safe).resolve().parent == root
        assert all(ch.isprintable() for ch in safe)
