"""build_message and message_id_for: structure, Chinese headers that round-trip, refused input."""

import re
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from core.errors import InputError
from tasks.mail.messages import Attachment, build_message, message_id_for, safe_filename

NOTICE_HTML = "<h1>督导通知书</h1><p>请于十月三十一日前完成自评。</p>"


def notice(**overrides) -> EmailMessage:
    fields = {
        "key": "notice:2026-017:notify:1",
        "sender": "dudao@edu.example.cn",
        "sender_name": "区教育督导室",
        "recipients": [
            ("第一中学 王校长", "head@school1.example.cn"),
            ("责任督学, 李老师", "li@edu.example.cn"),
        ],
        "subject": "关于开展2026年度学校综合督导评估工作的通知",
        "text": "各校：\n请于十月三十一日前完成自评。\n",
        "html": "<p>各校：</p><p>请于十月三十一日前完成自评。</p>\n",
        "attachments": [Attachment("督导通知书（2026）.html", NOTICE_HTML.encode(), "text/html")],
        "domain": "edu.example.cn",
    }
    return build_message(**{**fields, **overrides})


def received(message: EmailMessage) -> EmailMessage:
    """What a receiver parses from the bytes sent over SMTP."""
    return message_from_bytes(message.as_bytes(policy=policy.SMTP), policy=policy.default)


def test_chinese_headers_bodies_and_attachment_round_trip():
    got = received(notice())
    assert got["Subject"] == "关于开展2026年度学校综合督导评估工作的通知"
    assert (got["From"].addresses[0].display_name, got["From"].addresses[0].addr_spec) == (
        "区教育督导室",
        "dudao@edu.example.cn",
    )
    assert [(a.display_name, a.addr_spec) for a in got["To"].addresses] == [
        ("第一中学 王校长", "head@school1.example.cn"),
        ("责任督学, 李老师", "li@edu.example.cn"),
    ]
    assert got.get_body(("plain",)).get_content() == "各校：\n请于十月三十一日前完成自评。\n"
    assert got.get_body(("html",)).get_content() == "<p>各校：</p><p>请于十月三十一日前完成自评。</p>\n"
    [attachment] = got.iter_attachments()
    assert attachment.get_filename() == "督导通知书（2026）.html"
    assert attachment.get_content_type() == "text/html"
    assert attachment.get_content() == NOTICE_HTML


def test_headers_are_ascii_on_the_wire_and_filename_uses_rfc2231():
    raw = notice().as_bytes(policy=policy.SMTP)
    raw.decode("ascii")  # 7-bit clean: no relay needs 8BITMIME or SMTPUTF8
    # RFC 2231: filename*=utf-8''... (split into filename*0*=, filename*1*= when long)
    assert re.search(rb"filename\*(0\*)?=utf-8''%E7%9D%A3%E5%AF%BC", raw)


def test_mime_structure_follows_the_parts_given():
    assert notice().get_content_type() == "multipart/mixed"
    alternative = notice(attachments=())
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.iter_parts()] == ["text/plain", "text/html"]
    assert notice(attachments=(), html=None).get_content_type() == "text/plain"


def test_message_id_is_deterministic_and_carries_the_key():
    first, again = notice(), notice()
    assert (
        first["Message-ID"]
        == again["Message-ID"]
        == message_id_for("notice:2026-017:notify:1", "edu.example.cn")
    )
    assert first["X-Dudao-Key"] == "notice:2026-017:notify:1"
    assert notice(key="notice:2026-017:notify:2")["Message-ID"] != first["Message-ID"]


def test_message_id_format():
    message_id = message_id_for("k", "edu.example.cn")
    assert message_id.startswith("<") and message_id.endswith("@edu.example.cn>")
    assert len(message_id.split("@")[0]) == 33  # "<" + 32 hex digits
    int(message_id[1:33], 16)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"subject": "通知\r\nBcc: victim@example.com"}, "subject"),
        ({"sender_name": "督导室\nBcc: x@y.cn"}, "sender name"),
        ({"recipients": [("王\r校长", "head@school1.example.cn")]}, "recipients[0] name"),
        ({"recipients": [("王", "head@school1.example.cn\nBcc: x@y.cn")]}, "recipients[0]"),
        ({"sender": "dudao@edu.example.cn\r\nBcc: x@y.cn"}, "sender"),
        ({"key": "k\nBcc: x@y.cn"}, "key"),
        ({"attachments": [Attachment("a\r\n.html", b"x", "text/html")]}, "attachments[0] filename"),
    ],
)
def test_header_injection_is_refused_naming_the_field(overrides, field):
    with pytest.raises(InputError, match=r"换行符") as caught:
        notice(**overrides)
    assert str(caught.value).startswith(field)


@pytest.mark.parametrize(
    "address",
    ["no-at.example.cn", "a@b@example.cn", "wang xiao@example.cn", "wang@exa mple.cn", "@example.cn", ""],
)
def test_malformed_addresses_are_refused(address):
    with pytest.raises(InputError, match=r"recipients\[0\]"):
        notice(recipients=[("王", address)])


def test_other_bad_input_is_refused():
    with pytest.raises(InputError, match="收件人为空"):
        notice(recipients=[])
    with pytest.raises(InputError, match="key 为空"):
        notice(key="")
    with pytest.raises(InputError, match="域名"):
        notice(domain="evil.cn>\r\nBcc: x@y.cn")
    with pytest.raises(InputError, match="mime_type"):
        notice(attachments=[Attachment("a.html", b"x", "text/html\r\nX: y")])


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\督导报告.pdf", "督导报告.pdf"),
        ("..", "attachment"),
        ("reports/", "attachment"),
        ("a..b.pdf", "a.b.pdf"),
        ("..hidden", "hidden"),
        ("整改\x00通知.docx", "整改通知.docx"),
    ],
)
def test_attachment_filenames_are_reduced_to_a_safe_basename(given, safe):
    assert safe_filename(given) == safe
    [attachment] = received(
        notice(attachments=[Attachment(given, b"%PDF", "application/pdf")])
    ).iter_attachments()
    assert attachment.get_filename() == safe
