"""Helpers shared by the command modules: argument types that check ranges at the boundary (a value out of
range is a usage error naming the argument, exit 2, before anything is read or written)."""

import argparse
from datetime import date

from sqlmodel import select

from core.db import session_scope
from core.errors import InputError
from core.lang import say
from models import Unit
from rules.text_input import control_character

FIRST_YEAR, LAST_YEAR = 2000, 2199  # the years a supervision ledger can be about
MAX_ID = 2**63 - 1  # the largest id a ledger column holds (BIGINT)
MAX_TEXT = 20_000  # characters of a reason, text or theme typed on the command line


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            say(f"“{text}”不是 YYYY-MM-DD 格式的日期", f"'{text}' is not a date in YYYY-MM-DD form")) from None


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(say(f"“{text}”不是整数", f"'{text}' is not a whole number")) from None


def year_arg(text: str) -> int:
    value = _integer(text)
    if not FIRST_YEAR <= value <= LAST_YEAR:
        raise argparse.ArgumentTypeError(say(f"年份 {value} 不在 {FIRST_YEAR}–{LAST_YEAR} 之间",
                                             f"year {value} is not between {FIRST_YEAR} and {LAST_YEAR}"))
    return value


def id_arg(text: str) -> int:
    value = _integer(text)
    if not 1 <= value <= MAX_ID:
        raise argparse.ArgumentTypeError(say(f"编号 {text} 不存在（编号为 1 至 {MAX_ID} 的整数）",
                                             f"no record has id {text} (ids are whole numbers 1 to {MAX_ID})"))
    return value


def bounded(low: int, high: int):
    """An integer type accepting low..high."""
    def parse(text: str) -> int:
        value = _integer(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(say(f"{value} 不在 {low} 至 {high} 之间",
                                                 f"{value} is not between {low} and {high}"))
        return value
    parse.__name__ = "integer"
    return parse


def text_arg(value: str) -> str:
    """A reason, text or theme: not blank, not over MAX_TEXT characters, no control characters."""
    stripped = value.strip()
    if not stripped:
        raise argparse.ArgumentTypeError(say("不能为空", "must not be empty"))
    if len(stripped) > MAX_TEXT:
        raise argparse.ArgumentTypeError(say(f"超过 {MAX_TEXT} 字", f"longer than {MAX_TEXT} characters"))
    bad = control_character(stripped, multiline=True)  # the one rule of every text input (rules.text_input)
    if bad is not None:
        raise argparse.ArgumentTypeError(say(f"含有控制字符 U+{ord(bad):04X}", f"contains control character U+{ord(bad):04X}"))
    return stripped


def require_seeded() -> None:
    with session_scope() as session:
        if session.exec(select(Unit.id)).first() is None:
            raise InputError(say("台账中还没有单位：请先运行 `dudao seed`", "the ledger has no units: run `dudao seed` first"))
