"""A notice row becomes the bytes of its e-mail: text + HTML, the official document attached (HTML, and the
PDF when one was written beside it), the deterministic Message-ID.

No database and no Prefect here: a `MessageSpec` is a small picklable value, so a big delivery can build
its messages in worker processes while the event loop sends (the email package costs milliseconds of CPU
per message; see bench/notices_outbox.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy
from email.generator import NLCRE, BytesGenerator
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import EmailPolicy
from io import BytesIO
from pathlib import Path

from core.errors import InputError
from tasks.mail.encoded_words import fold_addresses, fold_subject
from tasks.mail.mail_policy import BUILD
from tasks.mail.messages import Attachment, build_message, safe_filename

_UNSAFE_IN_NAME = re.compile(r"[/\\\x00-\x1f\x7f\u2028\u2029]|=\?")
_WIRE_PARSER = BytesParser(policy=policy.compat32)
_FOLDED_MAX = 4096


class _RememberedFolding(EmailPolicy):
    """policy.SMTP that remembers folded header lines: a header's folded form depends only on its name and
    value, and most lines repeat from notice to notice (From, MIME-Version, each part's Content-Type and
    transfer encoding, the attachment's name), while folding one costs ~0.1 ms in the email package."""

    def fold_binary(self, name: str, value) -> bytes:
        folded = _encoded(name, value, self.linesep) if self.max_line_length == 78 and not self.utf8 else None
        if folded is not None:
            return folded.encode("ascii")
        key = (name, str(value), self.linesep, self.max_line_length, self.utf8, self.cte_type)
        folded = _FOLDED.get(key)
        if folded is None:
            folded = super().fold_binary(name, value)
            if len(_FOLDED) >= _FOLDED_MAX:
                _FOLDED.clear()
            _FOLDED[key] = folded
        return folded


_FOLDED: dict[tuple, bytes] = {}


def _encoded(name: str, value, linesep: str) -> str | None:
    """To and Subject of Chinese text as plain encoded words (tasks/mail/encoded_words.py); None for the package."""
    lowered = name.lower()
    if lowered == "subject" and isinstance(value, str):
        return fold_subject(name, str(value), linesep)
    if lowered == "to" and hasattr(value, "addresses"):
        return fold_addresses(name, [(a.display_name, a.addr_spec) for a in value.addresses], linesep)
    return None


class _Generator(BytesGenerator):
    """BytesGenerator that looks for a new boundary in the parts as a plain substring first: the standard
    check compiles a regular expression for each (random) boundary, ~0.3 ms a multipart, and it can only
    match where the substring is. Where the substring is found, the standard check decides, as before."""

    @classmethod
    def _make_boundary(cls, text=None):
        boundary = super()._make_boundary()  # the random boundary, unchecked
        if text is None or ("--" + boundary).encode("ascii") not in text:
            return boundary
        candidate, counter = boundary, 0
        while cls._compile_re("^--" + re.escape(candidate) + "(--)?$", re.MULTILINE).search(text):
            candidate, counter = f"{boundary}.{counter}", counter + 1
        return candidate

    def _write_lines(self, lines: str) -> None:
        """The standard method's bytes in one write, not two a line (~300 writes a notice, a sixth of its CPU):
        the lines with each line end made the policy's, the last line as it ends."""
        if not lines:
            return
        if "\r" in lines:
            self.write(self._NL.join(NLCRE.split(lines)))
        else:
            self.write(lines.replace("\n", self._NL))


_SMTP = _RememberedFolding(linesep="\r\n", header_factory=BUILD.header_factory)  # generating sets the boundaries


@dataclass(frozen=True)
class MessageSpec:
    """Everything one e-mail is made of; attachments are read from disk when the message is built."""

    key: str
    sender: str
    sender_name: str
    recipients: tuple[tuple[str, str], ...]
    subject: str
    text: str
    html: str | None
    attachments: tuple[tuple[str, str, str], ...]  # (file name, path, MIME type)
    domain: str


def attachment_name(title: str, suffix: str) -> str:
    """A file name from a document title: separators, line breaks and '=?' become '_' (the title stays whole)."""
    return safe_filename(_UNSAFE_IN_NAME.sub("_", title).strip() + suffix)


def document_attachments(title: str, html_path: Path) -> tuple[tuple[str, str, str], ...]:
    """The filed document as HTML, plus its PDF when tasks/documents/pdf.py wrote one beside it."""
    files = []
    if html_path.is_file():
        files.append((attachment_name(title, ".html"), str(html_path), "text/html"))
    pdf = html_path.with_suffix(".pdf")
    if pdf.is_file():
        files.append((attachment_name(title, ".pdf"), str(pdf), "application/pdf"))
    return tuple(files)


def build(spec: MessageSpec) -> EmailMessage:
    """The message (tasks/mail/messages.py). Raises InputError on a bad header or address, or a missing file."""
    try:
        attachments = [Attachment(name, Path(path).read_bytes(), mime) for name, path, mime in spec.attachments]
    except OSError as exc:
        raise InputError(f"attachment of {spec.key} cannot be read: {exc}") from None
    return build_message(
        key=spec.key, sender=spec.sender, sender_name=spec.sender_name, recipients=list(spec.recipients),
        subject=spec.subject, text=spec.text, html=spec.html, attachments=attachments, domain=spec.domain)


def render(spec: MessageSpec) -> bytes:
    """The message as sent: CRLF line ends, 7-bit safe (non-ASCII bodies are base64)."""
    out = BytesIO()
    _Generator(out, mangle_from_=False, policy=_SMTP).flatten(build(spec))  # as EmailMessage.as_bytes does
    return out.getvalue()


def render_or_reason(spec: MessageSpec) -> bytes | str:
    """The bytes, or why the message cannot be built."""
    try:
        return render(spec)
    except InputError as exc:
        return f"message refused before sending: {exc}"


def render_all(specs: list[MessageSpec]) -> list[bytes | str]:
    """Render many (one call per worker-process task)."""
    return [render_or_reason(spec) for spec in specs]


def wire_message(raw: bytes) -> Message:
    """The built bytes as aiosmtplib sends them: top-level headers parsed (for envelope and Date), the
    body kept exactly as built, so sending does not pay for a second MIME serialisation."""
    return _WIRE_PARSER.parsebytes(raw, headersonly=True)
