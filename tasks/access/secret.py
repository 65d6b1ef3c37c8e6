"""The portal's secret: DUDAO_PORTAL_SECRET, or a random one made once and kept in var/portal/secret (mode 600).
Links and sessions are signed with keys derived from it, one per purpose. It lives below the portal because the
delivery of notices signs links too."""

import contextlib
import hashlib
import hmac
import os
import secrets
import tempfile
from pathlib import Path

from core.settings import get_settings

SECRET_FILE = Path("portal") / "secret"


def secret_path() -> Path:
    return get_settings().var_dir / SECRET_FILE


def _stored_secret(path: Path) -> bytes:
    """The secret in `path`, made first if there is none. The new secret is written whole to a file of its own
    and then linked to `path`, which fails when `path` exists: of processes starting at once (the portal's
    workers) exactly one wins, and every one reads back the winner's, never an empty or half-written file."""
    if path.exists():
        return path.read_bytes().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, draft = tempfile.mkstemp(prefix=".secret-", dir=path.parent)  # mode 600
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32))
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
    finally:
        os.unlink(draft)
    return path.read_bytes().strip()


def portal_secret() -> bytes:
    configured = get_settings().portal_secret
    if configured is not None and configured.get_secret_value():
        return configured.get_secret_value().encode()
    return _stored_secret(secret_path())


def derived_key(purpose: str) -> str:
    """A key for one purpose (links, sessions): a leak of one signature kind says nothing of the other."""
    return hmac.new(portal_secret(), purpose.encode(), hashlib.sha256).hexdigest()
