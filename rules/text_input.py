"""The one rule for control characters in a text a person gives us (a unit's name in the district file or an
import, a rectification text in an import, a `--text`/`--reason` on the command line).

Refused everywhere: control characters (Cc: NUL, ESC, DEL …), format characters (Cf: the bidi marks and
overrides that reorder what a reader sees, zero-width joiners, BOM), lone surrogates (Cs) and the Unicode line
and paragraph separators (Zl, Zp). A multi-line text (a report, a reason) may hold line breaks and tabs; a
name or an address may not, since it ends up in e-mail headers, titles and file names.
"""

import unicodedata

REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
MULTILINE_ALLOWED = frozenset("\n\r\t")


def control_character(value: str, multiline: bool = False) -> str | None:
    """The first character the rule refuses, or None."""
    allowed = MULTILINE_ALLOWED if multiline else frozenset()
    return next((ch for ch in value
                 if ch not in allowed and unicodedata.category(ch) in REFUSED_CATEGORIES), None)


def control_problem(value: str, multiline: bool = False) -> str | None:
    """What is wrong, in one Chinese phrase naming the character, or None."""
    bad = control_character(value, multiline)
    return None if bad is None else f"含有控制字符 U+{ord(bad):04X}"
