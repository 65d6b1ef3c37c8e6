"""Build one notice e-mail: text + HTML alternatives, attachments, a Message-ID derived from the outbox key.

Plain functions: no Prefect, no database. The standard library does the MIME work; this module only
checks what it is handed (header injection, malformed addresses, unsafe file names) and fixes the
identity headers so that the same outbox row always yields the same Message-ID.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy

from core.errors import InputError

# RFC 2045 token characters, for "type/subtype".
_MIME_TYPE = re.compile(r"^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+$")
_DOMAIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$")
# Printable ASCII minus the characters that have a meaning in an address header.
_ADDRESS_PART = re.compile(r"^[!#-'*+\-./0-9=?A-Z^-~]+$")
# RFC 5322 dot-atom-text: atext (the above but '.') in runs joined by single dots.
_DOT_ATOM = re.compile(r"[!#-'*+\-/0-9=?A-Z^-~]+(?:\.[!#-'*+\-/0-9=?A-Z^-~]+)*")
_FALLBACK_FILENAME = "attachment"


@dataclass(frozen=True)
class Attachment:
    """A file carried by a notice, e.g. the rendered 督导通知书 as ``text/html``."""

    filename: str
    content: bytes
    mime_type: str


def message_id_for(key: str, domain: str) -> str:
    """Return the deterministic Message-ID ``<sha256(key)[:32]@domain>`` of an outbox key."""
    _check_header("key", key)
    if not _DOMAIN.match(domain):
        raise InputError(f"域名 {domain!r} 不是主机名")
    return f"<{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@{domain}>"


def build_message(
    *,
    key: str,
    sender: str,
    sender_name: str,
    recipients: Sequence[tuple[str, str]],
    subject: str,
    text: str,
    html: str | None,
    attachments: Sequence[Attachment] = (),
    domain: str,
    email_policy: EmailPolicy = policy.default,
) -> EmailMessage:
    """Build a notice e-mail ready for ``send_batch``.

    Args:
        key: the outbox key; gives the Message-ID and the ``X-Dudao-Key`` header.
        sender, sender_name: envelope/From address and its (Chinese) display name.
        recipients: ``(display name, address)`` pairs for the To header.
        subject, text, html: the rendered notice; ``html=None`` sends text only.
        attachments: files to attach; names are reduced to a safe basename.
        domain: right-hand side of the Message-ID.
        email_policy: the policy the message is built under (tasks/mail/notice_build.py chooses it).

    Returns:
        multipart/alternative (text + HTML), wrapped in multipart/mixed when there are attachments.

    Raises:
        InputError: a header value with CR/LF, a malformed address, an empty key or recipient list.
    """
    if not key:
        raise InputError("key 为空")
    message = EmailMessage(policy=email_policy)
    message["Subject"] = _check_header("subject", subject)
    message["From"] = _address("sender", sender_name, sender)
    message["To"] = _recipient_addresses(recipients)
    message["Message-ID"] = message_id_for(key, domain)
    message["X-Dudao-Key"] = key
    _set_body(message, text, html)
    for index, attachment in enumerate(attachments):
        _attach(message, index, attachment)
    return message


def safe_filename(filename: str) -> str:
    """Reduce a file name to a basename with no path separators, no '..' and no control characters."""
    name = re.split(r"[/\\]", filename)[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    name = re.sub(r"\.{2,}", ".", name).strip().lstrip(".")
    return name or _FALLBACK_FILENAME


def _check_header(field: str, value: str) -> str:
    """Refuse CR or LF in a header value: it would let the value start a header of its own.

    Also any other line break (VT, FF, NEL, U+2028...) and the RFC 2047 marker '=?': the email package
    decodes an encoded word on assignment, so '=?utf-8?q?=0D=0ABcc:...?=' would smuggle in a CR/LF.
    """
    if "\r" in value or "\n" in value:
        raise InputError(f"{field} 含有换行符（CR 或 LF）")
    if (value and value.splitlines() != [value]) or "=?" in value:
        raise InputError(f"{field} 含有换行符或编码字标记“=?”")
    return value


def _check_address(field: str, address: str) -> str:
    """Refuse an address that is not exactly ``local@domain`` in printable ASCII without spaces."""
    _check_header(field, address)
    if address.count("@") != 1:
        raise InputError(f"{field} {address!r} 须恰好含有一个“@”")
    local, _, host = address.partition("@")
    if not _ADDRESS_PART.match(local) or not _DOMAIN.match(host):
        raise InputError(f"{field} {address!r} 不是有效地址（含空格或禁用字符）")
    return address


def _address(field: str, display_name: str, address: str) -> Address:
    _check_header(f"{field} name", display_name)
    return _address_object(display_name, _check_address(field, address))


@functools.lru_cache(maxsize=1024)
def _address_object(display_name: str, addr_spec: str) -> Address:
    """Address parses its addr_spec (~20 µs) and is immutable: the sender's is made once, not per notice.

    Most recipients are new at province scale: an addr_spec of two dot-atoms, whose parse gives back the two
    parts as they are, is handed over already split; any other is parsed (and refused) by Address as before.
    """
    local, _, host = addr_spec.partition("@")
    if _DOT_ATOM.fullmatch(local) and _DOT_ATOM.fullmatch(host):
        return Address(display_name=display_name, username=local, domain=host)
    return Address(display_name=display_name, addr_spec=addr_spec)


def _recipient_addresses(recipients: Sequence[tuple[str, str]]) -> list[Address]:
    if not recipients:
        raise InputError("收件人为空")
    return [_address(f"recipients[{i}]", name, addr) for i, (name, addr) in enumerate(recipients)]


def _set_body(message: EmailMessage, text: str, html: str | None) -> None:
    # Base64 for non-ASCII bodies: 7-bit safe on any relay and a third the size of quoted-printable for CJK.
    message.set_content(text, subtype="plain", cte=None if text.isascii() else "base64")
    if html is not None:
        message.add_alternative(html, subtype="html", cte=None if html.isascii() else "base64")


def _attach(message: EmailMessage, index: int, attachment: Attachment) -> None:
    field = f"attachments[{index}]"
    _check_header(f"{field} filename", attachment.filename)
    if not _MIME_TYPE.match(attachment.mime_type):
        raise InputError(f"{field} mime_type {attachment.mime_type!r} 不是 type/subtype 形式")
    maintype, subtype = attachment.mime_type.lower().split("/")
    params = {"charset": "utf-8"} if maintype == "text" and _is_utf8(attachment.content) else {}
    # The email package writes a non-ASCII filename as RFC 2231 (filename*=utf-8''...).
    message.add_attachment(
        attachment.content, maintype, subtype, filename=safe_filename(attachment.filename), params=params
    )


def _is_utf8(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
