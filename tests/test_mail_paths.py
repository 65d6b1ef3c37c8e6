"""The two ways a notice's e-mail is built read back the same: the fast path (tasks/mail/fast_path.py, private
internals of the email package) and the standard one (DUDAO_MAIL_FAST_PATH=false, or a Python outside the
tested range: the package's own generation). Each message is parsed as a mail client would read it
(BytesParser, policy.default) and compared part by part: every header's decoded value and defects, the
recipients, content type, charset, decoded content and file name. The whole delivery into the Maildir works
with the fast path off, in this process and in the build workers."""

import logging
import random
import re
from dataclasses import replace
from email import policy
from email.parser import BytesParser

import pytest

from core.db import session_scope
from core.paths import REPO_ROOT
from core.settings import get_settings
from tasks.documents.letterhead import Letterhead
from tasks.documents.rendering import DOCUMENT_TITLES
from tasks.documents.rendering import render as render_document
from tasks.exchange.district_file import read_district_file
from tasks.mail import fast_path
from tasks.mail.notice_build import MessageSpec, attachment_name, fast_path_on, render
from tests.delivery_support import AS_OF, queue_notices

BOUNDARY = re.compile(rb"={15}\d{19}==(?:\.\d+)?")
# Folded by the email package alone, this To gets its second comma as an encoded word `=?utf-8?q?=2C?=` on
# CPython 3.11.0-3.11.8 and 3.12.0-3.12.2 (gh-100884), and a reader sees two recipients.
COMMA_CASE = ("OFFICE", "T10", "S050")
LONG_NAME = "重庆市南岸区南坪实验小学校教育集团（示例）"  # over 15 characters: several encoded words


@pytest.fixture
def choose_path(monkeypatch):
    """choose_path(True or False): the setting as DUDAO_MAIL_FAST_PATH would give it, read afresh."""

    def choose(on: bool) -> None:
        monkeypatch.setenv("DUDAO_MAIL_FAST_PATH", "true" if on else "false")
        get_settings.cache_clear()
        assert fast_path_on() is on

    yield choose
    get_settings.cache_clear()


def notices(folder) -> list[MessageSpec]:
    """Notices as the outbox writes them: a school's, copied to its superiors (Chinese names, one too long for
    one encoded word, one with a comma, one in ASCII), subjects of every document title, text and HTML of the
    real templates or text alone, the document attached as HTML (and PDF) or nothing."""
    units = {u.code: u for u in read_district_file(REPO_ROOT / "data" / "nanan.toml").units}
    schools = [u for u in units.values() if u.kind == "school"]
    others = [(u.name, u.email) for u in units.values() if u.kind != "school"]
    odd = [(LONG_NAME, "group@school.nanan.example.cn"), ("责任督学, 李老师", "li@edu.nanan.example.cn"),
           ("Wang, Head", "wang@nanan.example.cn")]
    rng, specs = random.Random(2026), []
    for i, title in enumerate([*DOCUMENT_TITLES.values(), "整改提醒/催办（第一次）" * 3]):
        school = schools[i % len(schools)]
        copied = rng.sample(others, i % 4) + ([odd[i % 3]] if i % 5 == 0 else [])
        html, text = _bodies(school, title, i)
        specs.append(MessageSpec(
            key=f"item:{i}:notice:1:{AS_OF}", sender="dudao@jdz.nanan.example.cn", sender_name="南岸区政府教育督导室",
            recipients=((school.name, school.email), *copied), subject=f"【{title}】{school.name}",
            text=text, html=None if i % 6 == 5 else html, attachments=_attached(folder, title, html, i),
            domain="dudao.nanan.example.cn"))
    comma = tuple((units[code].name, units[code].email) for code in COMMA_CASE)
    specs.append(replace(specs[0], key="item:comma", recipients=comma))
    specs.append(replace(specs[1], key="item:ascii", subject="Reminder: item 19", text="ASCII only\n",
                         html="<p>ASCII only</p>\n", recipients=(("Head", "head@s1.example.cn"),)))
    return specs


SAMPLE_LETTERHEAD = Letterhead("南岸区", "南岸", "南岸区人民政府教育督导室")


def _bodies(school, title: str, i: int) -> tuple[str, str]:
    context = {"title": title, "doc_no": f"南岸督提〔2026〕{i + 1}号", "issued_on": AS_OF,
               "unit": {"name": school.name, "code": school.code}, "inspection": {"code": f"2026-ZH-{i:05d}"},
               "finding": {"text": "校舍安全隐患未按期整改到位"}, "deadline": AS_OF, "workdays_left": 3}
    return render_document("reminder", context, SAMPLE_LETTERHEAD)


def _attached(folder, title: str, html: str, i: int) -> tuple[tuple[str, str, str], ...]:
    if i % 4 == 3:
        return ()
    document = folder / f"notice-{i}.html"
    document.write_text(html, encoding="utf-8")
    files = [(attachment_name(title, ".html"), str(document), "text/html")]
    if i % 2 == 0:
        pdf = document.with_suffix(".pdf")
        pdf.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
        files.append((attachment_name(title, ".pdf"), str(pdf), "application/pdf"))
    return tuple(files)


def read_back(raw: bytes) -> list[dict]:
    """What a reader gets from the message, part by part."""
    return [_part(part) for part in BytesParser(policy=policy.default).parsebytes(raw).walk()]


def _part(part) -> dict:
    seen = {"headers": [(name, str(value), [type(d) for d in value.defects]) for name, value in part.items()],
            "type": part.get_content_type(), "charset": part.get_content_charset(),
            "filename": part.get_filename(), "defects": [type(d) for d in part.defects]}
    if "To" in part:
        seen["to"] = [(a.display_name, a.addr_spec) for a in part["To"].addresses]
    if not part.is_multipart():
        seen["content"] = part.get_content()
    return seen


def _spaceless(recipients) -> list[tuple[str, str]]:
    return [(name.replace(" ", ""), address) for name, address in recipients]


def rendered(choose, on: bool, spec: MessageSpec, monkeypatch, linesep: str = "\r\n") -> bytes:
    """The message of `spec` on one path, its MIME boundaries drawn from the same tokens on either."""
    choose(on)
    tokens = iter(range(7000, 7010))
    monkeypatch.setattr(random, "randrange", lambda *_: next(tokens))
    return render(spec, linesep)


def test_both_paths_read_back_the_same(tmp_path, choose_path, monkeypatch):
    specs = notices(tmp_path)
    assert len(specs) == len(DOCUMENT_TITLES) + 3 and sum(len(s.recipients) > 2 for s in specs) >= 5
    fast_renders, fast_render = [], fast_path.render
    monkeypatch.setattr(fast_path, "render", lambda message, *linesep: fast_renders.append(1) or fast_render(message, *linesep))
    for spec in specs:
        fast, standard = (rendered(choose_path, on, spec, monkeypatch) for on in (True, False))
        fast_parts, standard_parts = read_back(fast), read_back(standard)
        assert fast_parts == standard_parts, spec.key
        top = fast_parts[0]  # every recipient, as given (the package's parser puts a space between the words
        # of a name too long for one: RFC 2047 says drop it, mail clients do)
        assert _spaceless(top["to"]) == _spaceless(spec.recipients)
        assert dict((name, value) for name, value, _ in top["headers"])["Subject"] == spec.subject
        attached = [p["filename"] for p in fast_parts if p["filename"]]
        assert attached == [name for name, _, _ in spec.attachments]
    assert len(fast_renders) == len(specs)  # once a notice: the standard path never took it


def test_both_paths_give_the_parts_the_notice_was_made_of(tmp_path, choose_path, monkeypatch):
    spec = notices(tmp_path)[0]  # text, HTML, the document as HTML and PDF
    for on in (True, False):
        parts = read_back(rendered(choose_path, on, spec, monkeypatch))
        assert [(p["type"], p["charset"]) for p in parts] == [
            ("multipart/mixed", None), ("multipart/alternative", None), ("text/plain", "utf-8"),
            ("text/html", "utf-8"), ("text/html", "utf-8"), ("application/pdf", None)]
        assert parts[2]["content"] == spec.text and parts[3]["content"] == spec.html
        assert parts[5]["content"] == (tmp_path / "notice-0.pdf").read_bytes()


def test_a_maildir_file_is_the_wire_message_with_lf_line_ends_on_both_paths(tmp_path, choose_path, monkeypatch):
    """The Maildir's bytes are made with LF line ends (not converted after): the same bytes as the wire's, every
    CRLF an LF, headers folded at the same places."""
    for spec in notices(tmp_path):
        for on in (True, False):
            wire = rendered(choose_path, on, spec, monkeypatch)
            filed = rendered(choose_path, on, spec, monkeypatch, "\n")
            assert b"\r" not in filed and filed.count(b"\n") == wire.count(b"\r\n") > 20, (spec.key, on)
            assert filed == wire.replace(b"\r\n", b"\n"), (spec.key, on)


def test_outside_the_tested_pythons_the_fast_path_is_off_and_says_why(choose_path, monkeypatch, caplog):
    with caplog.at_level(logging.WARNING, logger="tasks.mail.fast_path"):
        tested = [fast_path.tested_on(v) for v in [(3, 11), (3, 13), (3, 10), (3, 14)]]
    assert tested == [True, True, False, False]
    assert [r.getMessage() for r in caplog.records] == [
        f"mail fast path off: Python {v} is outside the tested 3.11 to 3.13; notices are built by the email "
        "package's own generation" for v in ("3.10", "3.14")]
    choose_path(True)
    monkeypatch.setattr(fast_path, "ON_TESTED_PYTHON", False)
    assert not fast_path_on()


@pytest.mark.parametrize(("batch", "in_process_max"), [(10, 5), (100, 100)], ids=["workers", "this process"])
def test_the_maildir_delivery_with_the_fast_path_off(seeded, choose_path, monkeypatch, batch, in_process_max):
    """Built and filed by the build workers, or in this process: each file is the standard path's message
    (the workers start with this process's environment, so they read the same choice), and in this process
    the fast path is never taken."""
    from tasks.mail import build_workers, delivery
    from tasks.mail.maildir import _name

    choose_path(False)
    queued = queue_notices(24)
    started, pool = [], build_workers.WorkerPool
    monkeypatch.setattr(build_workers, "WorkerPool", lambda *args, **kwargs: started.append(1) or pool(*args, **kwargs))
    monkeypatch.setattr(fast_path, "render", _refused)
    monkeypatch.setattr(delivery, "BATCH", batch)
    monkeypatch.setattr(delivery, "IN_PROCESS_MAX", in_process_max)
    assert delivery.deliver_batch_to_maildir(AS_OF) == {"sent": 24, "transient": 0, "permanent": 0}
    assert len(started) == (batch < 24)
    settings = get_settings()
    with session_scope() as session:
        for notice in queued:
            [spec] = delivery.specs_for(session, [notice], settings)  # the portal link too
            filed = (settings.outbox_dir / "new" / _name(notice.key)).read_bytes()
            assert _numbered(filed) == _numbered(render(spec).replace(b"\r\n", b"\n"))
            message = read_back(filed)[0]
            assert message["to"] == list(spec.recipients)
            assert dict((n, v) for n, v, _ in message["headers"])["Subject"] == notice.subject


def _refused(message) -> bytes:
    raise AssertionError("the fast path was taken although it is off")


def _numbered(raw: bytes) -> bytes:
    """The bytes with each random MIME boundary replaced by its number in order of appearance."""
    seen: dict[bytes, bytes] = {}
    return BOUNDARY.sub(lambda m: seen.setdefault(m.group(0), b"BOUNDARY-%d" % len(seen)), raw)
