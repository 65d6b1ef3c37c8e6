"""The embedded default: notices delivered into a Maildir (readable by any mail client), exactly once.

Each notice has a fixed file name, so a delivery repeated after a crash finds the message already there.
"""

import hashlib
import os
from email.message import Message
from pathlib import Path

from tasks.mail.notice_build import MessageSpec, render_or_reason


def _name(key: str) -> str:
    return f"dudao-{hashlib.sha256(key.encode()).hexdigest()[:40]}"


def _ensure(root: Path) -> None:
    for sub in ("tmp", "new", "cur"):
        (root / sub).mkdir(parents=True, exist_ok=True)


def _moved_to_cur(root: Path) -> set[str]:
    """Names of the messages a mail client has moved from new/ to cur/ (where it adds ':2,<flags>')."""
    return {entry.name.split(":", 1)[0] for entry in os.scandir(root / "cur")}


def _waiting(root: Path, keys: list[str]) -> set[str]:
    """The keys whose message is neither in new/ nor in cur/. new/ is looked at first and cur/ listed after
    (once for all the keys: a client's cur/ can hold a year's mail): a message leaves new/ only for cur/, so
    one moved meanwhile is still seen."""
    absent = [key for key in keys if not (root / "new" / _name(key)).exists()]
    moved = _moved_to_cur(root) if absent else set()
    return {key for key in absent if _name(key) not in moved}


def _file(root: Path, key: str, message: Message | bytes) -> bool:
    name = _name(key)
    tmp = root / "tmp" / f"{name}.{os.getpid()}"
    tmp.write_bytes(message if isinstance(message, bytes) else message.as_bytes())
    try:
        os.link(tmp, root / "new" / name)  # atomic, and refuses to overwrite a concurrent delivery
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    return True


def build_and_deliver(specs: list[MessageSpec], root: Path) -> list[str | None]:
    """Build each message and put it in the Maildir (one call per worker-process task): for each spec None
    when its message is there (now or from an earlier run), else why it cannot be built. Filing here, in
    the worker, spares the caller receiving and writing the bytes."""
    _ensure(root)
    waiting = _waiting(root, [spec.key for spec in specs])
    outcomes: list[str | None] = []
    for spec in specs:
        # Maildir files end their lines with LF, not the wire's CRLF.
        built = render_or_reason(spec, "\n") if spec.key in waiting else None  # there already: nothing to build
        if isinstance(built, str):
            outcomes.append(built)
        else:
            if built is not None:
                _file(root, spec.key, built)
            outcomes.append(None)
    return outcomes
