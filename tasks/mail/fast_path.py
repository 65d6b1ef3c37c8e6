"""The e-mail fast path: the one place (with its header half, tasks/mail/fast_path_headers.py) that uses
private internals of the standard library's `email` package. Nothing else in the repository touches them.

Building a notice with the package alone costs ~3.5 ms of CPU (bench/message_build.py, "before"); this path
builds the same message in ~0.5 ms and serialises it to the same bytes, but for a To and a Subject of Chinese
text, which are folded as plain encoded words that read back the same (tasks/mail/encoded_words.py).

What it relies on, beyond the package's documented interface:
- header classes (email.headerregistry): the protocol of `parse(value, kwds)` and `init(...)` with the
  `kwds` keys `decoded`, `parse_tree` and `params`; the attributes `_parse_tree`, `_params`, `_maintype`,
  `_subtype` and `value_parser`; `BaseHeader.fold` folding `_parse_tree`; `AddressHeader.parse` making no
  tree when given one; `email.utils._has_surrogates`; and a header object never changed once made, so one
  can stand in several messages (fast_path_headers.py);
- the generator (email.generator.BytesGenerator): the class method `_make_boundary(text)` drawing
  `random.randrange(sys.maxsize)` and checking with `_compile_re`, the method `_write_lines` and the
  attribute `_NL` set by `flatten`; and that generating calls the policy's public `fold_binary` for each
  header.

Which versions: the code of all this is the same in CPython 3.11.7, 3.12.1 and 3.13.0, and the tests of the
path (tests/test_plain_headers.py, tests/test_notice_build.py, tests/test_mail_paths.py) pass on each. The
range tested is `requires-python`'s, 3.11 to 3.13 (TESTED_PYTHONS). On any other version the path is off by
itself (one log line says so) and notices are built by the package's own generation
(tasks/mail/notice_build.py); DUDAO_MAIL_FAST_PATH=false turns it off anywhere. This module imports only
public names, so importing it is safe on any version: only using it is not.
"""

from __future__ import annotations

import logging
import re
import sys
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.policy import EmailPolicy
from io import BytesIO

from tasks.mail.encoded_words import fold_subject, folded_to
from tasks.mail.fast_path_headers import BUILD

__all__ = ["BUILD", "ON_TESTED_PYTHON", "TESTED_PYTHONS", "FastGenerator", "forget", "render", "tested_on"]

logger = logging.getLogger(__name__)

TESTED_PYTHONS = ((3, 11), (3, 14))
"""Python versions the fast path was tested on: from the first, up to and without the second (3.11-3.13)."""

_NEWLINE = re.compile(r"\r\n|\r|\n")  # what the generator splits text lines on (its own NLCRE)
_FOLDED_MAX = 4096


def tested_on(version: tuple[int, int]) -> bool:
    """Whether the fast path was tested on this Python (major, minor); logs why it is off when not."""
    low, high = TESTED_PYTHONS
    if low <= version < high:
        return True
    logger.warning("mail fast path off: Python %d.%d is outside the tested %d.%d to %d.%d; notices are built "
                   "by the email package's own generation", *version, *low, high[0], high[1] - 1)
    return False


ON_TESTED_PYTHON = tested_on(sys.version_info[:2])  # once a process: forked build workers inherit it


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
    """To and Subject of Chinese text as plain encoded words (tasks/mail/encoded_words.py); else None."""
    lowered = name.lower()
    if lowered == "subject" and isinstance(value, str):
        return fold_subject(name, str(value), linesep)
    return folded_to(name, value, linesep) if lowered == "to" else None  # not a call a header: ~25 a notice


class FastGenerator(BytesGenerator):
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
        """The standard method's bytes in one write, not two a line (~300 writes a notice, a sixth of its
        CPU): the lines with each line end made the policy's, the last line as it ends."""
        if not lines:
            return
        if "\r" in lines:
            self.write(self._NL.join(_NEWLINE.split(lines)))
        else:
            self.write(lines if self._NL == "\n" else lines.replace("\n", self._NL))


# The factory of BUILD, as the generator sets each multipart's boundary header through it. One policy a line end:
# CRLF on the wire, LF in a Maildir file.
_SERIALISING = {linesep: _RememberedFolding(linesep=linesep, header_factory=BUILD.header_factory)
                for linesep in ("\r\n", "\n")}


def render(message: EmailMessage, linesep: str = "\r\n") -> bytes:
    """A message built with BUILD as sent: CRLF line ends, 7-bit safe (as `message.as_bytes(policy=SMTP)`);
    with `linesep` "\n", the same bytes with LF line ends, as a Maildir file holds them."""
    out = BytesIO()
    FastGenerator(out, mangle_from_=False, policy=_SERIALISING[linesep]).flatten(message)
    return out.getvalue()


def forget() -> None:
    """Drop every header and folded line remembered so far (bench/message_build.py starts each round cold)."""
    _FOLDED.clear()
    BUILD.header_factory.forget()
