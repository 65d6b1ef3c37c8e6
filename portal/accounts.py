"""The portal's accounts: added and disabled by `dudao portal user`, passwords hashed with Argon2
(argon2-cffi), sign-in limited: after MAX_FAILURES wrong passwords within WINDOW an account is locked for
LOCK, whatever the password (the count lives in the ledger, so every portal process sees it). Roles: the
office, an inspector (linked to his row of the roster: `inspector_for`) and leadership (read only)."""

from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from core import clock
from models import Inspector, PortalUser
from models.lifecycles import record
from models.planning import InspectorExit

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)
MIN_PASSWORD = 12  # characters
ROLES = {"office": "督导室", "inspector": "督学", "leader": "领导"}
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
_hasher = PasswordHasher()
# verified against when the username is unknown, so a wrong name costs as long as a wrong password
_DUMMY_HASH = _hasher.hash("an account that does not exist")


class AccountError(Exception):
    """A refused account change or sign-in; the message says why, in Chinese."""


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for timezone columns; they were written in UTC."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def user_by_name(session: Session, username: str) -> PortalUser | None:
    return session.exec(select(PortalUser).where(PortalUser.username == username)).first()


def username_problem(username: str) -> str | None:
    if not 3 <= len(username) <= 32 or not set(username) <= USERNAME_CHARS:
        return f"用户名“{username}”不合规：须为 3–32 位小写字母、数字或 . _ -"
    return None


def inspector_for(session: Session, role: str, code_or_id: str | None) -> Inspector | None:
    """The roster's inspector an account of `role` is linked to: required for an inspector (by code or id, in
    the roster, not dismissed, no other account open), refused for the other roles."""
    if role != "inspector":
        if code_or_id:
            raise AccountError(f"只有督学账号（inspector）关联督学，角色“{role}”不能指定 --inspector")
        return None
    if not code_or_id:
        raise AccountError("督学账号须用 --inspector 指定名册中的督学（代码或编号）")
    inspector = session.exec(select(Inspector).where(Inspector.code == code_or_id.strip())).first()
    if inspector is None and code_or_id.strip().isdigit():
        inspector = session.get(Inspector, int(code_or_id))
    if inspector is None:
        raise AccountError(f"督学名册中没有“{code_or_id}”（请写督学代码或编号）")
    if session.get(InspectorExit, inspector.id) is not None:
        raise AccountError(f"督学 {inspector.code}（{inspector.name}）已解聘，不能开设门户账号")
    taken = session.exec(select(PortalUser.username).where(PortalUser.inspector_id == inspector.id,
                                                           PortalUser.disabled.is_(False))).first()
    if taken is not None:
        raise AccountError(f"督学 {inspector.code} 已有门户账号“{taken}”（可先停用）")
    return inspector


def add_user(session: Session, username: str, name: str, password: str, role: str, actor: str,
             inspector: str | None = None) -> PortalUser:
    """A new account; `inspector`: the roster's code or id an inspector's account is linked to."""
    problem = username_problem(username)
    if problem:
        raise AccountError(problem)
    if not name.strip() or len(name.strip()) > 50:
        raise AccountError("姓名不能为空，且不超过 50 字")
    if role not in ROLES:
        raise AccountError(f"角色“{role}”不存在（可选：{'、'.join(ROLES)}）")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 位")
    if user_by_name(session, username) is not None:
        raise AccountError(f"用户“{username}”已存在")
    linked = inspector_for(session, role, inspector)
    user = PortalUser(username=username, name=name.strip(), role=role, password_hash=_hasher.hash(password),
                      created_at=clock.now(), inspector_id=linked.id if linked else None)
    session.add(user)
    session.flush()
    detail = {"role": role, **({"inspector": linked.code} if linked else {})}
    record(session, "portaluser", user.id, "add", as_of=clock.today(), actor=actor, detail=detail)
    return user


def disable_user(session: Session, username: str, actor: str) -> PortalUser:
    user = user_by_name(session, username)
    if user is None:
        raise AccountError(f"没有用户“{username}”")
    if not user.disabled:
        user.disabled = True
        session.add(user)
        record(session, "portaluser", user.id, "disable", as_of=clock.today(), actor=actor)
    return user


def authenticate(session: Session, username: str, password: str, now: datetime | None = None) -> PortalUser:
    """The account these credentials open, or AccountError. A failure is counted on the account (the caller
    commits it even though sign-in failed)."""
    now = now or clock.now()
    user = user_by_name(session, username)
    if user is None:
        _verify(_DUMMY_HASH, password)
        raise AccountError("用户名或密码不正确。")
    locked_until = _aware(user.locked_until)
    if locked_until is not None and now < locked_until:
        raise AccountError("登录失败次数过多，该账号已暂时锁定，请 15 分钟后再试。")
    if not _verify(user.password_hash, password) or user.disabled:
        _count_failure(session, user, now)
        raise AccountError("用户名或密码不正确。")
    user.failures, user.failed_since, user.locked_until = 0, None, None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    session.add(user)
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _count_failure(session: Session, user: PortalUser, now: datetime) -> None:
    since = _aware(user.failed_since)
    if since is None or now - since > WINDOW:
        user.failures, user.failed_since = 0, now
    user.failures += 1
    if user.failures >= MAX_FAILURES:
        user.locked_until, user.failures, user.failed_since = now + LOCK, 0, None
    session.add(user)
