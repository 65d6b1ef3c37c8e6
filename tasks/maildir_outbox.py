"""The embedded default: notices delivered into a Maildir (readable by any mail client), exactly once.

Each notice has a fixed file name, so a delivery repeated after a crash finds the message already there.
"""

import hashlib
import os
from email.message import Message
from pathlib import Path

from tasks.notice_build import MessageSpec, render_or_reason


def _name(key: str) -> str:
    return f"dudao-{hashlib.sha256(key.encode()).hexdigest()[:40]}"


def _ensure(root: Path) -> None:
    for sub in ("tmp", "new", "cur"):
        (root / sub).mkdir(parents=True, exist_ok=True)


def already_delivered(root: Path, key: str) -> bool:
    name = _name(key)
    return (root / "new" / name).exists() or any((root / "cur").glob(f"{name}:2,*"))


def deliver_to_maildir(root: Path, key: str, message: Message | bytes) -> bool:
    """Put the message (built, or its bytes) in `root/new` unless it is there already. True if written now."""
    _ensure(root)
    if already_delivered(root, key):
        return False
    name = _name(key)
    tmp = root / "tmp" / f"{name}.{os.getpid()}"
    # Maildir files end their lines with LF; built bytes come with the CRLF of the wire.
    tmp.write_bytes(message.replace(b"\r\n", b"\n") if isinstance(message, bytes) else message.as_bytes())
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
    outcomes: list[str | None] = []
    for spec in specs:
        built = render_or_reason(spec)
        if isinstance(built, str):
            outcomes.append(built)
        else:
            deliver_to_maildir(root, spec.key, built)
            outcomes.append(None)
    return outcomes
