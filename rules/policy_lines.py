"""Where in a TOML file a validation error points: the line that sets the offending key (or the nearest
section that should), so a bad policy file is refused with `file:line: key: what is wrong`."""

import re
from pathlib import Path

from pydantic import ValidationError

from core.toml_input import zh_message


def describe_error(path: Path, text: str, exc: ValidationError) -> str:
    """`file:line: dotted.key: message` for the first error."""
    first = exc.errors()[0]
    keys = [str(part) for part in first["loc"] if not isinstance(part, int)]
    return f"{path}:{_line_of(text, keys)}: {'.'.join(keys)}: {zh_message(first)}"  # path:line: as editors read it


_HEADER = re.compile(r"\[\[?\s*([^\]]+?)\s*\]")


def _line_of(text: str, keys: list[str]) -> int:
    """The line that sets the dotted path `keys`: the key under its [section] header (or a dotted or inline
    key); for a missing key, the line of the nearest enclosing section; else 1."""
    target = tuple(keys)
    section: tuple[str, ...] = ()
    best, line_no = -1, 1
    for number, line in enumerate(text.splitlines(), start=1):
        path = _path_set_on(line.strip(), section)
        if path is None:
            continue
        if _HEADER.match(line.strip()):
            section = path
        if path == target[:len(path)] and len(path) > best:
            best, line_no = len(path), number
    return line_no


def _path_set_on(stripped: str, section: tuple[str, ...]) -> tuple[str, ...] | None:
    """The dotted path a TOML line opens ([header]) or sets (key = value), or None."""
    header = _HEADER.match(stripped)
    if header:
        return _dotted(header.group(1))
    if stripped.startswith("#") or "=" not in stripped:
        return None
    return section + _dotted(stripped.split("=", 1)[0])


def _dotted(key: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in key.split("."))
