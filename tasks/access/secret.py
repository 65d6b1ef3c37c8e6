"""The portal's secret: DUDAO_PORTAL_SECRET, or a random one made once and kept in var/portal/secret (mode 600).
Links and sessions are signed with keys derived from it, one per purpose. It lives below the portal because the
delivery of notices signs links too."""

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from core.settings import get_settings

SECRET_FILE = Path("portal") / "secret"


def secret_path() -> Path:
    return get_settings().var_dir / SECRET_FILE


def _stored_secret(path: Path) -> bytes:
    """The secret in `path`, made first if there is none (O_EXCL: two processes starting at once agree)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_hex(32))
    return path.read_bytes().strip()


def portal_secret() -> bytes:
    configured = get_settings().portal_secret
    if configured is not None and configured.get_secret_value():
        return configured.get_secret_value().encode()
    return _stored_secret(secret_path())


def derived_key(purpose: str) -> str:
    """A key for one purpose (links, sessions): a leak of one signature kind says nothing of the other."""
    return hmac.new(portal_secret(), purpose.encode(), hashlib.sha256).hexdigest()
