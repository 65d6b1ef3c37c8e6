"""The public site: only released and published reports, personal data redacted, covert inspections hidden
before their visit, whatever a unit wrote escaped — on the site and in the e-mail the unit receives."""

import email
import email.policy
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import select

from core.db import session_scope
from core.errors import InputError
from models import Inspection, Notice
from tasks.mail.delivery import deliver_batch_to_maildir
from tasks.publication.site import build_site
from tasks.roster.public_contacts import listed_contacts, read_contacts
from tests.conftest import run_cli
from tests.publication_world import plan, rectify, release_and_publish, visit_and_issue

D = date.fromisoformat
SCRIPT = "<script>alert('x')</script>"
AS_OF = D("2026-12-31")


def _site_text(folder: Path) -> str:
    """Every file of the site as text: the pages as written, the reports' PDFs as a reader extracts them."""
    return "\n".join(_pdf_text(p) if p.suffix == ".pdf" else p.read_text(encoding="utf-8")
                     for p in sorted(folder.rglob("*")) if p.is_file())


def _pdf_text(path: Path) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(path).pages))


def _build(out: Path, as_of: date = AS_OF):
    with session_scope() as session:
        return build_site(session, out, as_of, listed_contacts(session, read_contacts()))


@pytest.fixture
def world(seeded, runtime):
    """S001 released and published (hostile and personal text in it), S002 issued but never released,
    S003 covert with its visit still to come."""
    with session_scope() as session:
        shown = plan(session, "S001", "2026-ZH-001", D("2026-04-14"))
        issued = visit_and_issue(session, runtime, shown, [
            ("学校管理", f"家长反映{SCRIPT}，联系人13812345678，学生【学生：王小明】身份证500108200801011234"),
            ("课程教学", "挂牌督学电话023-6299 0101 已公开，校办电话023-6299 0188"),
        ])
        rectify(session, runtime, shown, f"已整改。{SCRIPT}<b>加粗</b> & 附件", issued + timedelta(days=10))
        release_and_publish(session, runtime, shown, D("2026-06-10"))
        hidden = plan(session, "S002", "2026-ZH-002", D("2026-04-15"))
        visit_and_issue(session, runtime, hidden, [("学校管理", "未公开报告的问题UNRELEASED")])
        plan(session, "S003", "2026-AF-001", D("2027-03-02"), covert=True, kind="covert", theme="暗访主题COVERT")
    return runtime


def test_only_released_reports_appear_and_unit_text_is_escaped(world, tmp_path):
    result = _build(tmp_path / "site")
    site = _site_text(tmp_path / "site")
    assert result.reports == 1
    assert (tmp_path / "site" / "reports" / "2026-ZH-001.html").is_file()
    assert not (tmp_path / "site" / "reports" / "2026-ZH-002.html").exists()
    assert "UNRELEASED" not in site and "S002" not in site
    assert "COVERT" not in site and "2026-AF-001" not in site
    pages = "\n".join(p.read_text(encoding="utf-8") for p in (tmp_path / "site").rglob("*.html"))
    assert "<script" not in pages.lower()  # (the PDF shows it as the text it is)
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in pages  # a finding and the unit's report, as text
    assert "&lt;b&gt;加粗&lt;/b&gt; &amp; 附件" in site


def test_personal_data_is_redacted_but_the_listed_inspectors_contact_stays(world, tmp_path):
    _build(tmp_path / "site")
    page = (tmp_path / "site" / "reports" / "2026-ZH-001.html").read_text(encoding="utf-8")
    for personal in ("13812345678", "王小明", "500108200801011234", "6299 0188"):
        assert personal not in page
    assert "王某" in page and "［电话已隐去］" in page and "［身份证号已隐去］" in page
    assert "023-6299 0101" in page
    assert "023-6299 0101" in (tmp_path / "site" / "inspectors.html").read_text(encoding="utf-8")


def test_a_published_report_links_its_pdf_redacted_as_its_page(world, tmp_path, ledger):
    _build(tmp_path / "site")
    page = (tmp_path / "site" / "reports" / "2026-ZH-001.html").read_text(encoding="utf-8")
    assert 'href="2026-ZH-001.pdf"' in page
    public = _pdf_text(tmp_path / "site" / "reports" / "2026-ZH-001.pdf")
    filed = _pdf_text(next((ledger.out_dir / "2026" / "S001").glob("*2026-ZH-001_report.pdf")))
    assert "13812345678" in filed and "督导报告" in public  # the official document says all; the public one not
    for personal in ("13812345678", "王小明", "500108200801011234", "62990188"):
        assert personal not in public
    assert "王某" in public and "［电话已隐去］" in public and "023-62990101" in public
    assert not (tmp_path / "site" / "reports" / "2026-ZH-002.pdf").exists()


def test_the_email_to_the_unit_carries_the_same_text_escaped(world, tmp_path, ledger):
    with session_scope() as session:
        notice = session.exec(select(Notice).where(Notice.key == "inspection:2026-ZH-001:report")).one()
        assert "<script" not in notice.body_html.lower()
        assert "&lt;script&gt;" in notice.body_html
        session.expunge(notice)
    deliver_batch_to_maildir(AS_OF, ledger)
    messages = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                for p in (ledger.outbox_dir / "new").iterdir()]
    report = next(m for m in messages if m["Subject"] == notice.subject)
    html = report.get_body(preferencelist=("html",)).get_content()
    assert "<script" not in html.lower()
    assert "&lt;script&gt;" in html


def test_a_covert_inspection_appears_only_once_published_after_its_visit(world, tmp_path):
    with session_scope() as session:
        covert = session.exec(select(Inspection).where(Inspection.code == "2026-AF-001")).one()
        issued = visit_and_issue(session, world, covert, [("校园安全", "暗访发现的问题")])
        release_and_publish(session, world, covert, issued)
    assert "COVERT" not in _site_text(_build(tmp_path / "before", D("2027-03-01")).out)
    assert "COVERT" in _site_text(_build(tmp_path / "after", AS_OF.replace(year=2027)).out)


def test_the_site_links_only_to_its_own_pages_and_the_feed_is_atom(world, tmp_path):
    out = _build(tmp_path / "site").out
    for page in out.rglob("*.html"):
        for href in re.findall(r'href="([^"]+)"', page.read_text(encoding="utf-8")):
            if not href.startswith("mailto:"):
                assert not href.startswith(("/", "http")), (page, href)
                assert (page.parent / href).resolve().is_file(), (page, href)
    feed = ET.parse(out / "feed.xml").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    entries = feed.findall(f"{atom}entry")
    assert [e.find(f"{atom}link").get("href") for e in entries] == ["reports/2026-ZH-001.html"]
    assert entries[0].find(f"{atom}updated").text == "2026-06-10T00:00:00+08:00"


def test_publish_refuses_a_folder_it_did_not_build_and_rebuilds_its_own(world, tmp_path):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("not ours")
    with pytest.raises(InputError, match="不是 `dudao publish` 生成的网站"):
        _build(foreign)
    assert (foreign / "keep.txt").read_text() == "not ours"
    out = tmp_path / "site"
    _build(out, D("2026-06-09"))
    assert not (out / "reports" / "2026-ZH-001.html").exists()  # released on 06-10: not public yet
    _build(out)
    assert (out / "reports" / "2026-ZH-001.html").is_file()


def test_release_and_publish_commands(world, tmp_path):
    done = run_cli("release", "2026-ZH-002", "--as-of", "2026-07-01")
    assert done.returncode == 0, done.stderr
    assert "released on 2026-07-01" in done.stdout
    again = run_cli("release", "2026-ZH-002", "--as-of", "2026-07-02")
    assert "already released on 2026-07-01" in again.stdout
    missing = run_cli("release", "2026-ZH-999")
    assert missing.returncode == 2 and "台账中没有督导“2026-ZH-999”" in missing.stderr
    unvisited = run_cli("release", "2026-AF-001")
    assert unvisited.returncode == 2 and "尚未下达报告" in unvisited.stderr
    built = run_cli("publish", "--out", str(tmp_path / "site"), "--as-of", "2026-12-31")
    assert built.returncode == 0, built.stderr
    assert "1 published report(s)" in built.stdout  # released, but the sweep has not published it yet
    with session_scope() as session:
        from tasks.cycle.due_steps import publish_due

        publish_due(session, D("2026-07-02"), world)
    rebuilt = run_cli("publish", "--out", str(tmp_path / "site"), "--as-of", "2026-12-31")
    assert "2 published report(s)" in rebuilt.stdout
    assert "UNRELEASED" in _site_text(tmp_path / "site")
