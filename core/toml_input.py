"""Reading a TOML file a person wrote: every way it can go wrong becomes one InputError naming the file."""

import itertools
import tomllib
from pathlib import Path

from pydantic import ValidationError

from core.errors import InputError
from core.lang import say

MAX_BYTES = 32 * 2**20  # a district file of tens of thousands of units is a few MB; /dev/zero is endless
MAX_LINE, MAX_HEAD_LINES = 64 * 2**10, 10_000  # the root keys of a file come in its first short lines


def read_bounded(path: Path, limit: int = MAX_BYTES) -> bytes:
    """At most `limit` bytes of a file; InputError for more (a device, a pipe, a runaway file never hangs us)."""
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise InputError(say(f"{path}：超过 {limit // 2**20} MB（或不是普通文件），未读取",
                             f"{path}: larger than {limit // 2**20} MB (or not a file): not read"))
    return data


def read_toml(path: Path, what: str = "文件") -> tuple[str, dict]:
    """The file's text and its parsed data; InputError for a missing, unreadable or malformed file."""
    try:
        text = read_bounded(path).decode("utf-8")
        return text, tomllib.loads(text)
    except FileNotFoundError:
        raise InputError(f"{path}：找不到{what}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}：无法解析（{exc}）") from None
    except RecursionError:
        raise InputError(f"{path}：嵌套层次过深") from None
    except OSError as exc:
        raise InputError(f"{path}：无法读取（{exc.strerror}）") from None


def root_keys(path: Path) -> dict:
    """The keys of a TOML file's root table, read without parsing its tables when they follow the root's keys
    (a district file's name without its tens of thousands of units). {} for a file that cannot be read or
    parsed: the caller falls back, and whoever reads the whole file reports what is wrong with it."""
    try:
        with path.open(encoding="utf-8") as handle:
            lines = iter(lambda: handle.readline(MAX_LINE), "")  # a line without end is cut, not read forever
            head = "".join(itertools.takewhile(lambda line: not line.lstrip().startswith("["),
                                               itertools.islice(lines, MAX_HEAD_LINES)))
        try:
            return tomllib.loads(head)
        except tomllib.TOMLDecodeError:  # the cut fell inside a value (a line of a multi-line one opens "[")
            return tomllib.loads(read_bounded(path).decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError, InputError):
        return {}


def first_error(path: Path, exc: ValidationError) -> InputError:
    """The first validation error as `path：dotted.place：message` (the message in Chinese)."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "文件"
    return InputError(f"{path}：{where}：{zh_message(first)}")


_ZH = {  # pydantic's error types → Chinese; {…} from the error's ctx
    "missing": "缺少此项", "extra_forbidden": "不应有此项", "string_too_short": "至少 {min_length} 个字",
    "string_too_long": "最多 {max_length} 个字", "string_pattern_mismatch": "格式不符（应符合 {pattern}）",
    "less_than_equal": "应不大于 {le}", "greater_than_equal": "应不小于 {ge}", "less_than": "应小于 {lt}",
    "greater_than": "应大于 {gt}", "literal_error": "应为 {expected} 之一", "int_parsing": "应为整数",
    "int_type": "应为整数", "int_from_float": "应为整数", "float_parsing": "应为数字", "float_type": "应为数字",
    "bool_parsing": "应为 true 或 false", "bool_type": "应为 true 或 false", "string_type": "应为文字",
    "date_parsing": "应为日期（如 2026-05-06）", "date_from_datetime_parsing": "应为日期（如 2026-05-06）",
    "date_type": "应为日期（如 2026-05-06）", "list_type": "应为列表", "dict_type": "应为表",
    "model_type": "应为表", "too_long": "最多 {max_length} 项", "too_short": "至少 {min_length} 项",
}


def zh_message(error: dict) -> str:
    """One pydantic error in Chinese; our own checks (value_error) raise Chinese text already."""
    if error["type"] in ("value_error", "assertion_error"):
        return error["msg"].removeprefix("Value error, ").removeprefix("Assertion failed, ")
    template = _ZH.get(error["type"])
    try:
        ctx = {k: f"{v:g}" if isinstance(v, float) else v for k, v in error.get("ctx", {}).items()}
        return template.format(**ctx) if template else error["msg"]
    except (KeyError, IndexError):
        return error["msg"]
