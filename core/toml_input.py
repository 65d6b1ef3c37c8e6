"""Reading a TOML file a person wrote: every way it can go wrong becomes one InputError naming the file."""

import tomllib
from pathlib import Path

from pydantic import ValidationError

from core.errors import InputError


def read_toml(path: Path, what: str = "file") -> tuple[str, dict]:
    """The file's text and its parsed data; InputError for a missing, unreadable or malformed file."""
    try:
        text = path.read_text(encoding="utf-8")
        return text, tomllib.loads(text)
    except FileNotFoundError:
        raise InputError(f"{path}: {what} not found") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: {exc}") from None
    except RecursionError:
        raise InputError(f"{path}: nested too deeply") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def first_error(path: Path, exc: ValidationError) -> InputError:
    """The first validation error as `path: dotted.place: message`."""
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "file"
    return InputError(f"{path}: {where}: {first['msg']}")
