"""Free text a person hands in (a rectification report, a reason): not blank, not over MAX_TEXT characters,
no control characters. The answer is one Chinese line naming what is wrong, or None."""

MAX_TEXT = 20_000  # characters: the same bound as a text typed on the command line (dudao/cli_support.py)


def text_problem(value: str, what: str, max_chars: int = MAX_TEXT) -> str | None:
    """What is wrong with `value` (already stripped) as `what` (e.g. 整改报告), or None when it will do."""
    if not value:
        return f"{what}不能为空。"
    if len(value) > max_chars:
        return f"{what}超过 {max_chars} 字（现有 {len(value)} 字）。"
    bad = next((c for c in value if (ord(c) < 32 and c not in "\n\r\t") or c == "\x7f"), None)
    if bad is not None:
        return f"{what}含有控制字符 U+{ord(bad):04X}。"
    return None
