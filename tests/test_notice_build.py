"""notice_build.render on the fast path (tasks/mail/fast_path.py) gives the bytes the standard `email`
package gives (policy.default built, policy.SMTP serialised), byte for byte once the random boundaries are
drawn the same — but for a To and a Subject of Chinese text, folded as plain encoded words
(tasks/mail/encoded_words.py), which parse back to the same values; the remembered headers and the quicker
boundary check change nothing."""

import random
import re
from email import policy
from email.generator import BytesGenerator
from email.message import Message
from email.parser import BytesParser
from io import BytesIO

import pytest

import tasks.mail.messages
from core.settings import get_settings
from tasks.mail.fast_path import BUILD, FastGenerator
from tasks.mail.notice_build import MessageSpec, build, fast_path_on, render

TOKEN = 42
BOUNDARY = f"{'=' * 15}{TOKEN:019d}=="


@pytest.fixture(autouse=True)
def fast_path(monkeypatch):
    """The setting as by default (the environment might say otherwise), read afresh."""
    monkeypatch.setenv("DUDAO_MAIL_FAST_PATH", "true")
    get_settings.cache_clear()
    assert fast_path_on()
    yield
    get_settings.cache_clear()


def spec(tmp_path, **overrides) -> MessageSpec:
    document = tmp_path / "整改提醒.html"
    document.write_text("<h1>整改提醒</h1>" + "<p>请于2026年6月1日前报送整改报告。</p>" * 60, encoding="utf-8")
    pdf = tmp_path / "整改提醒.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    fields = {
        "key": "item:19:reminder:5:2026-05-10", "sender": "dudao@jdz.nanan.example.cn",
        "sender_name": "南岸区政府教育督导室",
        "recipients": (("第一中学 王校长", "head@school1.example.cn"), ("责任督学, 李老师", "li@edu.example.cn")),
        "subject": "【整改提醒】南岸区第一中学校舍安全隐患整改（第一次）" * 2, "text": "区交通局：\n\n    请抓紧落实。\n" * 8,
        "html": "<p>区交通局：</p>\n" * 30,
        "attachments": (("整改提醒.html", str(document), "text/html"), ("整改提醒.pdf", str(pdf), "application/pdf")),
        "domain": "dudao.nanan.example.cn",
    }
    return MessageSpec(**{**fields, **overrides})


def standard_bytes(message_spec: MessageSpec) -> bytes:
    """The same message built and serialised by the standard library alone."""
    message = build(message_spec, policy.default)
    assert message.policy is policy.default
    return message.as_bytes(policy=policy.SMTP)


def same_message(ours: bytes, standard: bytes) -> None:
    """Byte for byte, except the To and Subject lines, which must parse back to the same values."""
    assert _without_to_and_subject(ours) == _without_to_and_subject(standard)
    parsed = [BytesParser(policy=policy.default).parsebytes(raw) for raw in (ours, standard)]
    for name in ("To", "Subject"):
        assert parsed[0][name] == parsed[1][name]
    assert [(a.display_name, a.addr_spec) for a in parsed[0]["To"].addresses] == \
        [(a.display_name, a.addr_spec) for a in parsed[1]["To"].addresses]


def _without_to_and_subject(raw: bytes) -> bytes:
    head, _, body = raw.partition(b"\r\n\r\n")
    return re.sub(rb"^(To|Subject): .*\r\n(?:[ \t].*\r\n)*", b"", head + b"\r\n", flags=re.M) + body


def drawn_from(monkeypatch, tokens) -> None:
    """Boundaries from a fixed sequence of tokens instead of random ones (both paths draw the same)."""
    sequence = iter(tokens)
    monkeypatch.setattr(random, "randrange", lambda *_: next(sequence))


@pytest.mark.parametrize("overrides", [
    {},
    {"attachments": ()},
    {"html": None, "attachments": ()},
    {"html": None},
    {"text": "ASCII only\n", "html": "<p>ASCII only</p>\n", "subject": "ASCII subject"},
    {"recipients": (("区交通局", "d15@nanan.example.cn"),)},
])
def test_render_is_the_standard_librarys_bytes(tmp_path, monkeypatch, overrides):
    message_spec = spec(tmp_path, **overrides)
    for _ in range(2):  # the second time every header comes from the remembered ones
        drawn_from(monkeypatch, range(1000, 1010))
        ours = render(message_spec)
        drawn_from(monkeypatch, range(1000, 1010))
        same_message(ours, standard_bytes(message_spec))


def test_ascii_names_and_subject_are_the_standard_librarys_bytes_exactly(tmp_path, monkeypatch):
    message_spec = spec(tmp_path, subject="Reminder: item 19", recipients=(("Wang, Head", "head@s1.example.cn"),))
    drawn_from(monkeypatch, range(1000, 1010))
    ours = render(message_spec)
    drawn_from(monkeypatch, range(1000, 1010))
    assert ours == standard_bytes(message_spec)


@pytest.mark.parametrize("text", [f"a line that is the boundary:\n--{BOUNDARY}\n", f"inside a line: x--{BOUNDARY}--\n"])
def test_a_text_holding_the_boundary_gives_the_standard_librarys_bytes(tmp_path, monkeypatch, text):
    message_spec = spec(tmp_path, text=text)
    drawn_from(monkeypatch, [TOKEN] * 4)
    ours = render(message_spec)
    drawn_from(monkeypatch, [TOKEN] * 4)
    same_message(ours, standard_bytes(message_spec))


@pytest.mark.parametrize(("text", "flatten_policy", "chosen"), [
    ("no boundary here\n", policy.default, BOUNDARY),
    (f"x--{BOUNDARY}--\n", policy.default, BOUNDARY),  # a substring, not a delimiter line
    (f"--{BOUNDARY}\n", policy.default, f"{BOUNDARY}.0"),
    (f"--{BOUNDARY}\n--{BOUNDARY}.0--\n", policy.default, f"{BOUNDARY}.1"),
    # The standard check misses a delimiter line ending in CRLF ('$' stops before LF only), so a message
    # serialised with CRLF never changes its boundary; the quicker check keeps that, as it must.
    (f"--{BOUNDARY}\n", policy.SMTP, BOUNDARY),
])
def test_the_boundary_is_checked_against_the_parts_as_the_standard_library_does(
        monkeypatch, text, flatten_policy, chosen):
    """A multipart of one part holding `text`: flattening draws its boundary, checked against the part."""
    flattened = []
    for generator in (FastGenerator, BytesGenerator):
        part, message = Message(), Message()
        part.set_payload(text)
        message["Content-Type"] = "multipart/mixed"
        message.attach(part)
        drawn_from(monkeypatch, [TOKEN])
        out = BytesIO()
        generator(out, policy=flatten_policy).flatten(message)
        flattened.append((message.get_boundary(), out.getvalue()))
    assert flattened[0] == flattened[1]
    assert flattened[0][0] == chosen


def test_a_remembered_header_is_the_one_made_for_that_name_and_value():
    factory = BUILD.header_factory
    first = factory("Content-Type", 'text/html; charset="utf-8"')
    assert factory("Content-Type", 'text/html; charset="utf-8"') is first
    assert factory("content-type", 'text/html; charset="utf-8"').name == "content-type"  # folds with its own name
    assert factory("Content-Type", 'text/plain; charset="utf-8"').content_type == "text/plain"
    assert factory("To", tasks.mail.messages._address_object("王校长", "a@s.cn")).addresses[0].display_name == "王校长"
    assert factory("To", tasks.mail.messages._address_object("李校长", "a@s.cn")).addresses[0].display_name == "李校长"
