"""Free text a person hands in (a rectification report, a reason): not blank, not over its bound (MAX_TEXT
characters unless the caller says less), no control characters (the one rule of rules/text_input.py: bidi
overrides and zero-width marks too). The answer is one Chinese line naming what is wrong, or None."""

from rules.text_input import control_problem

MAX_TEXT = 20_000  # characters: the same bound as a text typed on the command line (dudao/cli_support.py)


def text_problem(value: str, what: str, max_chars: int = MAX_TEXT) -> str | None:
    """What is wrong with `value` (already stripped) as `what` (e.g. 整改报告), or None when it will do."""
    if not value:
        return f"{what}不能为空。"
    if len(value) > max_chars:
        return f"{what}超过 {max_chars} 字（现有 {len(value)} 字）。"
    problem = control_problem(value, multiline=True)  # the one rule (bidi overrides too): rules/text_input.py
    return f"{what}{problem}。" if problem else None
