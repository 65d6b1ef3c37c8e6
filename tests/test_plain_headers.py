"""Headers made without the email package's parse (the factory of tasks/mail/fast_path_headers.py) are the
package's headers: the same value, attributes and defects, folded to the same lines under any policy; Address
objects handed over split are the ones Address parses; the fast path's generator writes a text body's lines as
the standard one."""

import pickle
import random
from email import policy
from email.generator import BytesGenerator
from email.headerregistry import Address, HeaderRegistry
from email.message import Message
from io import BytesIO

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tasks.mail import fast_path_headers
from tasks.mail.fast_path import _SERIALISING, FastGenerator
from tasks.mail.fast_path_headers import RememberedHeaders, tree_deferred
from tasks.mail.messages import _address_object

STANDARD = HeaderRegistry()
POLICIES = [policy.SMTP, policy.default, policy.SMTPUTF8, policy.default.clone(max_line_length=None)]
_POLICY = st.one_of(st.sampled_from(POLICIES), st.integers(40, 140).map(lambda n: policy.SMTP.clone(max_line_length=n)))
_TEXT = st.text(st.sampled_from([*"aZ09 :;,.<>@\"()[]\\=?-_\t", "中", "（", "·", "\u00a0", "\u3000", "\x7f", "\udc80"]),
                max_size=90)
_ATEXT = "!#$%&'*+-/=?^_`{|}~aZ09"
_DOT_ATOM = st.lists(st.text(st.sampled_from(_ATEXT), min_size=1, max_size=8), min_size=1, max_size=4).map(".".join)
_BOUNDARY = st.one_of(
    st.integers(0, 2**63 - 1).map(lambda token: f"{'=' * 15}{token:019d}=="),  # as the generator draws them
    st.from_regex(r"\A[0-9A-Za-z=._-]{1,80}\Z"))
_SUBTYPE = st.one_of(st.sampled_from(["mixed", "alternative", "related"]), st.from_regex(r"\A[a-z][a-z0-9-]{0,70}\Z"))


def outcome(make):
    """What `make()` returns, or the type of what it raises: the package fails on some values and policies
    (its parser or folder raises), and ours must fail alike there."""
    try:
        return make()
    except Exception as exc:  # noqa: BLE001 - any error, compared by type
        return type(exc)


def assert_same_made(name, value, fold_policy) -> None:
    """Our factory and the package's make the same header from the value, or raise the same error."""
    standard = outcome(lambda: STANDARD(name, value))
    if isinstance(standard, type):
        assert outcome(lambda: RememberedHeaders()(name, value)) is standard
    else:
        assert_same_header(RememberedHeaders()(name, value), standard, fold_policy)


def assert_same_header(ours, standard, fold_policy) -> None:
    assert type(ours).__mro__[-4:] == type(standard).__mro__[-4:]  # the package's classes, ours in front
    assert (str(ours), ours.name, ours.max_count) == (str(standard), standard.name, standard.max_count)
    assert [type(d) for d in ours.defects] == [type(d) for d in standard.defects]
    for attribute in ("params", "maintype", "subtype", "content_type", "groups", "addresses"):
        if hasattr(standard, attribute):
            assert getattr(ours, attribute) == getattr(standard, attribute), attribute
    for each in (fold_policy, _SERIALISING["\r\n"]):
        assert outcome(lambda p=each: ours.fold(policy=p)) == outcome(lambda p=each: standard.fold(policy=p))


@settings(max_examples=400)
@given(st.sampled_from(["Subject", "X-Dudao-Key", "Comments", "X-a-long-header-name-of-forty-characters"]), _TEXT,
       _POLICY)
@example("X-Dudao-Key", "item:19:reminder:5:2026-05-10", policy.SMTP)
@example("Subject", "【整改提醒】南岸区第一中学", policy.SMTP)
def test_an_unstructured_header_is_the_packages(name, value, fold_policy):
    assert_same_made(name, value, fold_policy)


@settings(max_examples=300)
@given(st.one_of(st.from_regex(r"\A<[0-9a-f]{1,40}@[a-z0-9-]{1,20}(\.[a-z0-9-]{1,20}){0,3}>\Z"),
                 st.from_regex(r"\A<[ -~]{0,30}>?\Z")), _POLICY)
@example("<fe1378e399b883789058467ffbc53474@dudao.nanan.example.cn>", policy.SMTP)
def test_a_message_id_is_the_packages(value, fold_policy):
    assert_same_made("Message-ID", value, fold_policy)


@settings(max_examples=500)
@given(_SUBTYPE, _BOUNDARY, st.sampled_from(["Content-Type", "content-type"]), _POLICY)
@example("alternative", f"{'=' * 15}{42:019d}==", "Content-Type", policy.SMTP)  # two lines
@example("mixed", f"{'=' * 15}{42:019d}==", "Content-Type", policy.SMTP)  # 78 characters, one line
@example("mixed", f"{'=' * 15}{42:019d}==.0", "Content-Type", policy.SMTP)
@example("a", "7" * 65, "Content-Type", policy.SMTP)  # the parameter's line of 77 characters: quoted
@example("a", "7" * 66, "Content-Type", policy.SMTP)  # one more: RFC 2231 sections (the package)
def test_a_multipart_content_type_is_the_packages(subtype, boundary, name, fold_policy):
    value = f'multipart/{subtype}; boundary="{boundary}"'
    ours = RememberedHeaders()(name, value)
    assert isinstance(ours, fast_path_headers._PlainMultipart)  # made without a parse
    assert_same_header(ours, STANDARD(name, value), fold_policy)


@pytest.mark.parametrize("value", ['multipart/mixed; boundary="a b"', 'multipart/Mixed; boundary="x"',
                                   'multipart/mixed; boundary=x', 'text/plain; boundary="x"',
                                   'multipart/mixed; boundary="x"; charset="utf-8"'])
def test_another_content_type_is_parsed(value):
    ours = RememberedHeaders()("Content-Type", value)
    assert not isinstance(ours, fast_path_headers._Plain)
    assert_same_header(ours, STANDARD("Content-Type", value), policy.SMTP)


_NAME = st.text(st.sampled_from([*"aZ ,.\"\\<>()", "王", "（", "·", "\udc80"]), max_size=40)


@settings(max_examples=300)
@given(st.lists(st.tuples(_NAME, _DOT_ATOM, _DOT_ATOM), min_size=1, max_size=4), _POLICY,
       st.sampled_from(["To", "From", "Cc", "Resent-To"]))
def test_an_address_header_set_from_addresses_is_the_packages(parts, fold_policy, name):
    addresses = [Address(display_name, local, host) for display_name, local, host in parts]
    value = addresses[0] if len(addresses) == 1 else addresses
    ours = RememberedHeaders()(name, value)
    escaped = any("\udc80" in display_name for display_name, _, _ in parts)
    assert tree_deferred(ours) != escaped  # made when folded (at once if the value is sanitized)
    assert_same_made(name, value, fold_policy)
    assert outcome(lambda: ours.fold(policy=fold_policy)) == outcome(lambda: ours.fold(policy=fold_policy))


def test_an_address_header_of_a_string_is_parsed_at_once():
    ours = RememberedHeaders()("To", "王校长 <a@s.cn>, 李 <b@s.cn>")
    assert not tree_deferred(ours)
    assert_same_header(ours, STANDARD("To", "王校长 <a@s.cn>, 李 <b@s.cn>"), policy.SMTP)


def test_headers_made_without_a_parse_pickle_and_fold_the_same():
    factory = RememberedHeaders()
    for name, value in [("Content-Type", 'multipart/alternative; boundary="==42=="'), ("X-Dudao-Key", "item:1"),
                        ("To", [Address("王校长", "a", "s.cn"), Address("Li", "b", "s.cn")])]:
        header = factory(name, value)
        assert pickle.loads(pickle.dumps(header)).fold(policy=policy.SMTP) == header.fold(policy=policy.SMTP)


@settings(max_examples=500)
@given(st.one_of(_DOT_ATOM, st.text(st.sampled_from([*_ATEXT, ".", "@", " ", '"']), max_size=12)),
       st.one_of(_DOT_ATOM, st.from_regex(r"\A[a-z0-9.-]{0,12}\Z")))
@example("a..b", "s.cn")
@example(".a", "s.cn")
@example("a", "s..cn")
def test_an_address_handed_over_split_is_the_one_address_parses(local, host):
    _address_object.cache_clear()
    addr_spec = f"{local}@{host}"
    try:
        parsed = Address("王校长", addr_spec=addr_spec)
    except Exception as exc:  # noqa: BLE001 - whatever Address raises, ours must raise too
        with pytest.raises(type(exc)):
            _address_object("王校长", addr_spec)
        return
    ours = _address_object("王校长", addr_spec)
    assert (ours.display_name, ours.username, ours.domain, ours.addr_spec, str(ours)) == \
        (parsed.display_name, parsed.username, parsed.domain, parsed.addr_spec, str(parsed))


@settings(max_examples=300)
@given(st.text(st.sampled_from([*"ab =", "\r", "\n", "\udc80"]), max_size=60))
@example("")
@example("a\r\nb\rc\nd\n")
@example("no line end")
def test_the_generator_writes_a_texts_lines_as_the_standard_one(lines):
    """A body without headers: flattened, the blank line, then the lines as the generator writes them."""
    written = []
    for generator in (BytesGenerator, FastGenerator):
        message = Message()
        message.set_payload(lines)
        out = BytesIO()
        generator(out, policy=policy.SMTP).flatten(message)
        written.append(out.getvalue())
    assert written[0] == written[1]


def test_a_boundary_colliding_with_the_text_still_gives_the_packages_header(monkeypatch):
    monkeypatch.setattr(random, "randrange", lambda *_: 42)
    part = Message()
    part.set_payload(f"--{'=' * 15}{42:019d}==\n")
    message = Message()
    message["Content-Type"] = "multipart/alternative"
    message.attach(part)
    FastGenerator(BytesIO(), policy=policy.default).flatten(message)  # draws the boundary, checks the part
    boundary = message.get_boundary()
    value = f'multipart/alternative; boundary="{boundary}"'
    assert boundary.endswith("==.0")
    assert_same_header(RememberedHeaders()("Content-Type", value), STANDARD("Content-Type", value), policy.SMTP)
