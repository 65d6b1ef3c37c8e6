"""A notice row becomes the bytes of its e-mail: text + HTML, the official document attached (HTML, and the
PDF when one was written beside it), the deterministic Message-ID.

No database and no Prefect here: a `MessageSpec` is a small picklable value, so a big delivery can build
its messages in worker processes while the event loop sends (the email package costs milliseconds of CPU
per message; see bench/notices_outbox.py).

Two paths make the same message: the fast one (tasks/mail/fast_path.py: private internals of the email
package, on the Python versions it was tested on) and the standard one (EmailMessage under policy.default,
serialised by policy.SMTP's own folding but for the To). Both parse back to the same headers and parts
(tests/test_mail_paths.py). DUDAO_MAIL_FAST_PATH=false chooses the standard one.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import EmailPolicy
from pathlib import Path

from core.errors import InputError
from core.settings import get_settings
from tasks.mail import fast_path
from tasks.mail.encoded_words import folded_to
from tasks.mail.messages import Attachment, build_message, safe_filename

_UNSAFE_IN_NAME = re.compile(r"[/\\\x00-\x1f\x7f\u2028\u2029]|=\?")
_WIRE_PARSER = BytesParser(policy=policy.compat32)


def fast_path_on() -> bool:
    """Whether notices are built by tasks/mail/fast_path.py: DUDAO_MAIL_FAST_PATH (on unless set to false),
    and only on a Python it was tested on; else by the email package's own generation (the standard path)."""
    return get_settings().mail_fast_path and fast_path.ON_TESTED_PYTHON


class _ToMended(EmailPolicy):
    """policy.SMTP, but for a To of Chinese names folded by tasks/mail/encoded_words.py: the package's folding
    of an address list loses a recipient on CPython 3.11.0-3.11.8 and 3.12.0-3.12.2 (gh-100884)."""

    def fold_binary(self, name: str, value) -> bytes:
        mended = self.max_line_length == 78 and not self.utf8  # the lines encoded_words.py writes
        folded = folded_to(name, value, self.linesep) if mended else None
        return super().fold_binary(name, value) if folded is None else folded.encode("ascii")


_STANDARD = {linesep: _ToMended(linesep=linesep) for linesep in ("\r\n", "\n")}  # the wire's, a Maildir's


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
    """The filed document as HTML, plus its PDF beside it (every document filed has one; one filed before PDFs
    were made may not). An HTML still under its temporary name is being put in place by the commit that filed
    it, and a PDF whose ticket stands is being set after that commit (tasks/documents/filing.py): wait for both.
    Run where the specs are made, never in a build worker: which is why filing (and the ledger's models it
    brings) is imported here, not at the top."""
    from tasks.documents.filing import pdf_in_place

    settled(html_path)
    files = []
    if html_path.is_file():
        files.append((attachment_name(title, ".html"), str(html_path), "text/html"))
    pdf = pdf_in_place(html_path)
    if pdf is not None:
        files.append((attachment_name(title, ".pdf"), str(pdf), "application/pdf"))
    return tuple(files)


def settled(path: Path, patience: float = 5.0) -> None:
    """Return once `path` is in place or has no temporary file beside it (or after `patience` seconds)."""
    from tasks.documents.filing import part_of

    deadline = time.monotonic() + patience
    while not path.is_file() and part_of(path).is_file() and time.monotonic() < deadline:
        time.sleep(0.01)


def build(spec: MessageSpec, email_policy: EmailPolicy | None = None) -> EmailMessage:
    """The message (tasks/mail/messages.py) built under `email_policy`, by default the one of the path in use.
    Raises InputError on a bad header or address, or a missing file."""
    try:
        attachments = [Attachment(name, Path(path).read_bytes(), mime) for name, path, mime in spec.attachments]
    except OSError as exc:
        raise InputError(f"无法读取 {spec.key} 的附件：{exc}") from None
    return build_message(
        key=spec.key, sender=spec.sender, sender_name=spec.sender_name, recipients=list(spec.recipients),
        subject=spec.subject, text=spec.text, html=spec.html, attachments=attachments, domain=spec.domain,
        email_policy=email_policy or (fast_path.BUILD if fast_path_on() else policy.default))


def render(spec: MessageSpec, linesep: str = "\r\n") -> bytes:
    """The message as sent: CRLF line ends, 7-bit safe (non-ASCII bodies are base64). With `linesep` "\n", the
    same bytes with LF line ends, as a Maildir file holds them: made so, not converted after (a notice's
    100 KB had cost more to convert than to serialise)."""
    if fast_path_on():
        return fast_path.render(build(spec, fast_path.BUILD), linesep)
    return build(spec, policy.default).as_bytes(policy=_STANDARD[linesep])


def render_or_reason(spec: MessageSpec, linesep: str = "\r\n") -> bytes | str:
    """The bytes (line ends as `render`'s), or why the message cannot be built."""
    try:
        return render(spec, linesep)
    except InputError as exc:
        return f"message refused before sending: {exc}"


def render_all(specs: list[MessageSpec]) -> list[bytes | str]:
    """Render many (one call per worker-process task)."""
    return [render_or_reason(spec) for spec in specs]


def wire_message(raw: bytes) -> Message:
    """The built bytes as aiosmtplib sends them: top-level headers parsed (for envelope and Date), the
    body kept exactly as built, so sending does not pay for a second MIME serialisation."""
    return _WIRE_PARSER.parsebytes(raw, headersonly=True)
