"""A notice's To and Subject folded as RFC 2047 encoded words, for the e-mail build (tasks/mail/fast_path.py;
the To also on the standard path of tasks/mail/notice_build.py).

Why not the email package's folding, which everything else in a message still uses: at province scale nearly
every To and Subject is new (a school's name with its superiors'), and the package folds a header of Chinese
text word by word over its parse tree, ~0.6 ms for a To of three names — about 40% of building a notice. The
encoding here is the plain one: each display name, and the subject, as base64 words `=?utf-8?b?...?=` of whole
characters, lines of at most 78 characters; a reader following RFC 2047 reads back exactly what was given
(tests/test_encoded_words.py). Anything else returns None, and the package folds it as before: an ASCII
display name (it may need quoting), an address too long for a line.

It also mends a fault of the package's folding: it sometimes writes the comma between two addresses as an
encoded word of its own (`=?utf-8?q?=2C?=`), and a reader then sees one recipient fewer. That is CPython's bug
gh-100884 (CVE-2025-1795), fixed in 3.11.9, 3.12.3 and 3.13.0 (further cases by gh-118643): 3.11.0-3.11.8 and
3.12.0-3.12.2 have it (on 3.11.7, one random To in six of two to four Chinese names of 2-14 characters). The
standard path of tasks/mail/notice_build.py folds the To here too for that reason. One thing neither mends: a
display name too long for one word (over 45 bytes, 15 Chinese characters) is written as several, and the
package's own parser (not mail clients) keeps a space between them (RFC 2047 §6.2 says drop it).
"""

from __future__ import annotations

from base64 import b64encode
from collections.abc import Sequence

_SUBJECT_WORD_BYTES = 42  # 56 base64 characters, a word of 68: "Subject: " and a word fit in 78
_NAME_WORD_BYTES = 45  # 60 base64 characters, a word of 72: "To: " and a word fit in 78
_MAX_LINE = 78


def encoded_words(text: str, word_bytes: int = _SUBJECT_WORD_BYTES) -> list[str]:
    """`text` as base64 encoded words of at most `word_bytes` bytes, each holding whole UTF-8 characters (RFC
    2047 §5: a character is never split between words)."""
    data, words, start = text.encode("utf-8"), [], 0
    while start < len(data):
        end = min(start + word_bytes, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # a continuation byte: cut before its character
            end -= 1
        words.append("=?utf-8?b?" + b64encode(data[start:end]).decode("ascii") + "?=")
        start = end
    return words


def fold_subject(name: str, subject: str, linesep: str) -> str | None:
    """The folded Subject line, or None when the subject is ASCII (the package folds it as before)."""
    if subject.isascii():
        return None
    return _fold(name, encoded_words(subject), linesep)


def fold_addresses(name: str, addresses: Sequence[tuple[str, str]], linesep: str) -> str | None:
    """The folded address line for (display name, addr-spec) pairs; None unless every name is non-ASCII."""
    if not addresses or any(not display_name or display_name.isascii() for display_name, _ in addresses):
        return None
    tokens: list[str] = []
    for index, (display_name, addr_spec) in enumerate(addresses):
        tokens.extend(encoded_words(display_name, _NAME_WORD_BYTES))
        tokens.append(f"<{addr_spec}>" + ("," if index < len(addresses) - 1 else ""))
    return _fold(name, tokens, linesep)


def folded_to(name: str, value, linesep: str) -> str | None:
    """The folded line of a To header (a header object of the package: its `addresses`) by fold_addresses;
    None for another header, or a To the package folds as before."""
    if name.lower() != "to" or not hasattr(value, "addresses"):
        return None
    return fold_addresses(name, [(a.display_name, a.addr_spec) for a in value.addresses], linesep)


def _fold(name: str, tokens: list[str], linesep: str) -> str | None:
    """Tokens joined by spaces, a line break before a token that would pass 78 characters; None if one cannot fit."""
    if any(len(token) + 1 > _MAX_LINE for token in tokens) or len(name) + 2 + len(tokens[0]) > _MAX_LINE:
        return None
    lines, line = [], f"{name}: {tokens[0]}"
    for token in tokens[1:]:
        if len(line) + 1 + len(token) <= _MAX_LINE:
            line += " " + token
        else:
            lines.append(line)
            line = " " + token
    lines.append(line)
    return linesep.join(lines) + linesep
