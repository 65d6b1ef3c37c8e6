"""Who is signed in, CSRF tokens and the secure headers.

The session is Starlette's signed cookie (itsdangerous), holding the unit's id, the link epoch it signed in
under and a CSRF token. Each request checks the epoch against the ledger, so revoking a unit's links also ends
its open sessions. Every form carries the session's CSRF token and every POST is refused without it."""

import hmac
import secrets
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import bindparam, func, select
from sqlmodel import Session

from models import PortalLinkEpoch, PortalUser, Unit
from portal.links import LinkGrant

SESSION_COOKIE = "dudao_portal"
SESSION_HOURS = 8  # a working day: then the link is opened again

# Pages: our own stylesheet, no script at all, forms post only to us, never framed.
PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'")
# An official document's HTML carries its own inline styles; sandboxed, it can run nothing and post nothing.
DOCUMENT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; font-src data:; "
                "frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox")
SECURE_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a sign-in link never leaves in a Referer
    "Cache-Control": "no-store",  # a unit's pages stay out of shared caches
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


class NotSignedIn(Exception):
    """No unit or office account is signed in (or its session was revoked): the page says how to sign in."""


class CsrfRefused(Exception):
    """A form posted without the session's CSRF token."""


class NotAllowed(Exception):
    """An account signed in whose role may not open this page (an inspector on the office's pages)."""


class ReadOnly(Exception):
    """A read-only account (leadership) posted a form: refused before the form is read."""


OFFICE_ROLES = ("office", "leader")  # leadership sees what the office sees
READ_ONLY_ROLES = ("leader",)
# What a read-only account may still post: leaving, and signing in as another account.
WRITE_EXEMPT = ("/signout", "/office/signin")


@dataclass(frozen=True)
class SignedInUnit:
    id: int
    code: str
    name: str


def sign_in(request: Request, grant: LinkGrant) -> None:
    """A fresh session for the unit (a session begun before is dropped: no fixation)."""
    request.session.clear()
    request.session.update({"unit": grant.unit_id, "epoch": grant.epoch, "csrf": secrets.token_urlsafe(32)})


def sign_in_user(request: Request, user: PortalUser) -> None:
    """A fresh session for an office account (any session begun before, a unit's too, is dropped)."""
    request.session.clear()
    request.session.update({"user": user.id, "csrf": secrets.token_urlsafe(32)})


def ensure_csrf(request: Request) -> str:
    """The session's CSRF token, made for a visitor not signed in yet (the sign-in form carries one too)."""
    if not request.session.get("csrf"):
        request.session["csrf"] = secrets.token_urlsafe(32)
    return request.session["csrf"]


def sign_out(request: Request) -> None:
    request.session.clear()


# The unit and its link epoch in one query (built once): every page of a unit asks it first.
_UNIT_AND_EPOCH = (select(Unit.code, Unit.name, func.coalesce(PortalLinkEpoch.epoch, 0))
                   .outerjoin(PortalLinkEpoch, PortalLinkEpoch.unit_id == Unit.id)
                   .where(Unit.id == bindparam("unit_id")))


def signed_in_unit(request: Request, session: Session) -> SignedInUnit:
    """The unit this request's session belongs to, or NotSignedIn (none, or its links revoked since)."""
    unit_id, epoch = request.session.get("unit"), request.session.get("epoch")
    if not isinstance(unit_id, int) or not isinstance(epoch, int):
        raise NotSignedIn
    row = session.execute(_UNIT_AND_EPOCH, {"unit_id": unit_id}).first()
    if row is None or row[2] != epoch:
        request.session.clear()
        raise NotSignedIn
    return SignedInUnit(unit_id, row[0], row[1])


@dataclass(frozen=True)
class SignedInUser:
    id: int
    username: str
    name: str
    role: str
    inspector_id: int | None = None  # an inspector's row of the roster

    @property
    def actor(self) -> str:
        """Who the audit chain names for what this account does: office:USERNAME, inspector:USERNAME."""
        return f"{self.role}:{self.username}"


def _account(request: Request, session: Session) -> PortalUser | None:
    user_id = request.session.get("user")
    user = session.get(PortalUser, user_id) if isinstance(user_id, int) else None
    return None if user is None or user.disabled else user


def signed_in_user(request: Request, session: Session, roles: tuple[str, ...] = OFFICE_ROLES) -> SignedInUser:
    """The account of this request's session, or NotSignedIn (none, or disabled since); NotAllowed when its
    role is not one of `roles` (the office's pages by default)."""
    user = _account(request, session)
    if user is None:
        request.session.pop("user", None)
        raise NotSignedIn
    if user.role not in roles:
        raise NotAllowed
    return SignedInUser(user.id, user.username, user.name, user.role, user.inspector_id)


def refuse_if_read_only(request: Request, session: Session) -> None:
    """The one place a read-only account's writes are refused: every POST but WRITE_EXEMPT, whatever the
    form, raises ReadOnly when a leadership account is signed in (portal/gate.py calls it before any handler)."""
    if request.method != "POST" or request.url.path in WRITE_EXEMPT or "user" not in request.session:
        return
    user = _account(request, session)
    if user is not None and user.role in READ_ONLY_ROLES:
        raise ReadOnly


def csrf_token(request: Request) -> str:
    return request.session.get("csrf", "")


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = csrf_token(request)
    if not expected or not submitted or not hmac.compare_digest(expected, submitted):
        raise CsrfRefused
