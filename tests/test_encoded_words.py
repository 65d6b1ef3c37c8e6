"""The To and Subject folded as plain encoded words (tasks/mail/encoded_words.py) read back as they were given: by
an RFC 2047 reader always, by the email package's parser for every subject, every address and every name
written in one word. Lines are ASCII, at most 78 characters, and no encoded word splits a character."""

import base64
import re
from email import policy
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tasks.mail.encoded_words import encoded_words, fold_addresses, fold_subject

# What tasks/mail/messages.py lets through: printable, no line break, no '=?'.
_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=120).filter(
    lambda s: "=?" not in s and s.splitlines() == [s] and s.strip() == s)
_NAME = _TEXT.filter(lambda s: not s.isascii())
_ADDRESS = st.from_regex(r"\A[a-z0-9][a-z0-9._+-]{0,20}@[a-z0-9]{1,12}\.example\.cn\Z")
_WORD = re.compile(r"=\?utf-8\?b\?([A-Za-z0-9+/=]*)\?=")


def parsed(header_lines: str, name: str):
    return BytesParser(policy=policy.default).parsebytes((header_lines + "\r\n").encode("ascii"))[name]


def standard(name: str, value) -> str:
    """The header as the email package folds it (policy.SMTP)."""
    message = EmailMessage(policy=policy.default)
    message[name] = value
    return message.as_bytes(policy=policy.SMTP).decode("ascii").partition("\r\n\r\n")[0] + "\r\n"


def well_formed(folded: str) -> None:
    assert folded.isascii() and folded.endswith("\r\n")
    for line in folded[:-2].split("\r\n"):
        assert 0 < len(line) <= 78
    for word in _WORD.findall(folded):
        base64.b64decode(word).decode("utf-8")  # whole characters in every word: strict decoding holds


@settings(max_examples=300, deadline=None)
@given(subject=_NAME)
@example(subject="【整改提醒】南岸区第一中学校舍安全隐患整改（第一次）" * 4)
@example(subject="a 区 b  c")
@example(subject="😀" * 40)
def test_a_subject_parses_back_as_the_package_folds_it(subject):
    folded = fold_subject("Subject", subject, "\r\n")
    well_formed(folded)
    assert parsed(folded, "Subject") == parsed(standard("Subject", subject), "Subject") == subject


@settings(max_examples=300, deadline=None)
@given(addresses=st.lists(st.tuples(_NAME, _ADDRESS), min_size=1, max_size=6))
@example(addresses=[("责任督学, 李老师", "li@edu.example.cn"), ('第一中学 "王" <校长>', "head@s1.example.cn")])
@example(addresses=[("重庆市南岸区" * 12, "a@b.example.cn")])
# 45 bytes: one word. The package splits the second and third in two, and its parser reads back a space there.
@example(addresses=[("重庆市南岸区人民政府教育督导室", "a@b.example.cn")] * 3)
# The package writes the comma after the second address as an encoded word: its parser then reads two addresses.
@example(addresses=[("鸡冠石阳光小学（示例）·S22406", "s022406@province.example.cn"),
                    ("区住房城乡建委·D601", "d00601@province.example.cn"), ("区科技局·D931", "d00931@province.example.cn")])
def test_recipients_read_back_as_they_were_given(addresses):
    folded = fold_addresses("To", addresses, "\r\n")
    well_formed(folded)
    value = folded.partition(": ")[2]
    # A reader that follows RFC 2047 (the package's older decoder does) reads every name and address.
    assert str(make_header(decode_header(value))) == ", ".join(f"{name} <{addr}>" for name, addr in addresses)
    # The package's parser reads every address, and each name written in one word exactly.
    read = parsed(folded, "To").addresses
    assert [a.addr_spec for a in read] == [addr for _, addr in addresses]
    for (name, _), address in zip(addresses, read, strict=True):
        if len(name.encode()) <= 45:
            assert address.display_name == name


def test_ascii_is_left_to_the_package():
    assert fold_subject("Subject", "Reminder", "\r\n") is None
    assert fold_addresses("To", [("区教委", "a@b.cn"), ("Wang, Li", "c@d.cn")], "\r\n") is None
    assert fold_addresses("To", [("", "a@b.cn")], "\r\n") is None


def test_the_packages_folding_loses_a_recipient_where_ours_does_not():
    """CPython's gh-100884 (3.11.0-3.11.8, 3.12.0-3.12.2, unless a distribution patched it): the package writes
    the comma between these addresses as an encoded word, and reads back two recipients; ours, three always."""
    names = [("鸡冠石阳光小学（示例）·S22406", "s022406@province.example.cn"),
             ("区住房城乡建委·D601", "d00601@province.example.cn"), ("区科技局·D931", "d00931@province.example.cn")]
    folded = standard("To", [Address(n, addr_spec=a) for n, a in names])
    assert len(parsed(folded, "To").addresses) == (2 if "=?utf-8?q?=2C?=" in folded else 3)
    ours = fold_addresses("To", names, "\r\n")
    assert "=?utf-8?q?=2C?=" not in ours and len(parsed(ours, "To").addresses) == 3


def test_an_address_too_long_for_a_line_is_left_to_the_package():
    assert fold_addresses("To", [("区教委", "x" * 80 + "@b.cn")], "\r\n") is None


def test_words_hold_at_most_42_bytes_and_never_half_a_character():
    words = encoded_words("区" * 15)  # 45 bytes: 14 characters (42 bytes) and then one
    assert [base64.b64decode(_WORD.match(w).group(1)).decode() for w in words] == ["区" * 14, "区"]
    assert all(len(w) <= 68 for w in encoded_words("😀a" * 50))
