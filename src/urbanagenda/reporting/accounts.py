"""Accounts: users and roles, argon2 password hashes, server-side sessions with a CSRF
token each, API tokens for scripted submission, and the login rate limit.

Secrets (session cookies, API tokens) are random (``secrets.token_urlsafe``) and stored
only as SHA-256 hashes: a copy of the database lets nobody sign in.  Passwords are stored
as argon2id strings and rehashed at the next sign-in when the parameters change.  Nothing
is deleted: a disabled account, an ended session and a revoked token stay as rows with the
time they stopped working.  Every function takes ``now=`` so that time can be tested.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Engine, and_, func, select, update
from sqlalchemy.exc import IntegrityError

from urbanagenda.errors import AuthError, DataError
from urbanagenda.reporting.model import ROLES, User
from urbanagenda.store import schema as s

__all__ = [
    "FAILURES_PER_CLIENT",
    "FAILURES_PER_USERNAME",
    "MIN_PASSWORD_LENGTH",
    "RATE_WINDOW",
    "SESSION_LIFETIME",
    "TOKEN_PREFIX",
    "AccountError",
    "ApiToken",
    "RateLimited",
    "UnknownToken",
    "UnknownUser",
    "add_user",
    "authenticate",
    "check_password",
    "create_api_token",
    "create_session",
    "disable_user",
    "enable_user",
    "end_session",
    "get_user",
    "list_api_tokens",
    "list_users",
    "normalise_username",
    "revoke_api_token",
    "session_user",
    "set_password",
    "token_user",
]

#: How long a session lasts unless ``create_session(lifetime=...)`` says otherwise.
SESSION_LIFETIME = timedelta(hours=12)
#: The sign-in limit: this many failures within ``RATE_WINDOW`` lock the username ...
FAILURES_PER_USERNAME = 5
#: ... and this many lock the client address (whatever usernames it tries).
FAILURES_PER_CLIENT = 20
RATE_WINDOW = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
#: Every API token starts with this, so that secret scanners and people recognise one.
TOKEN_PREFIX = "ua_"
#: A token's first characters, kept in clear to tell tokens apart in lists.
_SHOWN = 10
#: ``last_used_at`` of a token is written at most this often (not on every request).
_TOKEN_TOUCH = timedelta(minutes=1)

_USERNAME = re.compile(r"^[a-z0-9._-]{3,64}$")
_WRONG = "the username or password is wrong"

_hasher = PasswordHasher()
_dummy_hashes: dict[tuple[int, int, int], str] = {}


class AccountError(DataError):
    """An account cannot be created or changed as asked (HTTP 400); nothing was written."""


class UnknownUser(AccountError):
    """No account has this username or id."""


class UnknownToken(AccountError):
    """No such API token (among the user's)."""


class RateLimited(AuthError):
    """Too many failed sign-ins; ``retry_after`` seconds until the next attempt (HTTP 429)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class ApiToken:
    """An API token as lists show it: never the secret, only its first characters."""

    id: int
    user_id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


# -- helpers ---------------------------------------------------------------------------------


def _utc(now: datetime | None) -> datetime:
    """An aware UTC time (naive values are taken as UTC; SQLite returns them naive)."""
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        return now.replace(tzinfo=UTC)
    return now.astimezone(UTC)


def _maybe_utc(value: datetime | None) -> datetime | None:
    return None if value is None else _utc(value)


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _user(row: Any) -> User:
    return User(
        id=int(row.id),
        username=str(row.username),
        display_name=str(row.display_name),
        role=str(row.role),
        area_code=row.area_code,
        active=bool(row.active),
        email=row.email,
        created_at=_maybe_utc(row.created_at),
    )


def _user_columns() -> list[Any]:
    u = s.app_user.c
    return [u.id, u.username, u.display_name, u.role, u.area_code, u.active, u.email, u.created_at]


def normalise_username(username: str) -> str:
    """The username as stored: trimmed and lower-cased; ``AccountError`` unless it has 3 to
    64 of the characters a-z, 0-9, dot, underscore and hyphen."""
    name = (username or "").strip().lower()
    if not _USERNAME.match(name):
        raise AccountError(
            f"username {username!r} is not allowed: use 3 to 64 characters among a-z, 0-9, "
            "'.', '_' and '-' (for example 'amina.k' or 'reviewer-01')."
        )
    return name


def check_password(password: str) -> None:
    """``AccountError`` unless the password is long enough (and not absurdly long)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"the password has {len(password)} characters; it needs at least "
            f"{MIN_PASSWORD_LENGTH}. A few unrelated words make a long password that is easy "
            "to remember."
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountError(
            f"the password has {len(password)} characters; at most {MAX_PASSWORD_LENGTH} "
            "are accepted."
        )
    if password != password.strip():
        raise AccountError(
            "the password begins or ends with a space; remove it (spaces are easily lost "
            "when a password is typed or pasted)."
        )


def _area_kind_for(role: str) -> str | None:
    return {"national_focal_point": "country", "local_focal_point": "city"}.get(role)


def _resolve_area(conn: Any, role: str, area_code: str | None) -> str | None:
    """The area code a user of ``role`` is bound to (validated against the ``area`` table)."""
    kind = _area_kind_for(role)
    if kind is None:
        if area_code:
            raise AccountError(
                f"a {role.replace('_', ' ')} is not bound to an area, but --area "
                f"{area_code!r} was given; leave it out."
            )
        return None
    what = (
        "a country (an M49 code such as 404, or ISO code KEN)"
        if kind == "country"
        else ("a city or local government (a code such as ke_nairobi)")
    )
    if not area_code or not area_code.strip():
        raise AccountError(
            f"a {role.replace('_', ' ')} must be bound to {what}: give its area code."
        )
    code = area_code.strip()
    a = s.area.c
    row = conn.execute(select(a.code, a.kind, a.name).where(a.code == code)).first()
    if row is None and kind == "country":
        row = conn.execute(
            select(a.code, a.kind, a.name).where(
                (func.upper(a.iso3) == code.upper()) | (func.upper(a.iso2) == code.upper())
            )
        ).first()
    if row is None:
        row = conn.execute(select(a.code, a.kind, a.name).where(a.code == code.lower())).first()
    if row is None:
        raise AccountError(
            f"unknown area {code!r}: a {role.replace('_', ' ')} must be bound to {what}. "
            "`urbanagenda areas` or /api/v1/areas?q=NAME lists the codes."
        )
    if row.kind != kind:
        raise AccountError(
            f"area {row.code} ({row.name}) is a {row.kind.replace('_', ' ')}, but a "
            f"{role.replace('_', ' ')} must be bound to {what}."
        )
    return str(row.code)


# -- accounts --------------------------------------------------------------------------------


def add_user(
    engine: Engine,
    username: str,
    password: str,
    role: str,
    *,
    area_code: str | None = None,
    display_name: str | None = None,
    email: str | None = None,
    now: datetime | None = None,
    hasher: PasswordHasher | None = None,
) -> User:
    """Create an account.  Focal points need an ``area_code`` of the right kind (a country
    for a national focal point, a city for a local one); other roles must not have one."""
    name = normalise_username(username)
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; the roles are {', '.join(ROLES)}.")
    check_password(password)
    shown = (display_name or "").strip() or name
    mail = (email or "").strip() or None
    if mail is not None and (len(mail) > 254 or not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", mail)):
        raise AccountError(f"email {email!r} is not an address such as name@example.org.")
    stored = (hasher or _hasher).hash(password)
    at = _utc(now)
    try:
        with engine.begin() as conn:
            bound = _resolve_area(conn, role, area_code)
            taken = conn.execute(
                select(s.app_user.c.id).where(s.app_user.c.username == name)
            ).first()
            if taken is not None:
                raise AccountError(
                    f"username {name!r} is taken; choose another (accounts are never deleted, "
                    "so a disabled account keeps its name)."
                )
            new_id = conn.execute(
                s.app_user.insert().values(
                    username=name,
                    display_name=shown,
                    email=mail,
                    password_hash=stored,
                    role=role,
                    area_code=bound,
                    active=True,
                    created_at=at,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
    except IntegrityError as exc:  # a concurrent add of the same name
        raise AccountError(f"username {name!r} is taken; choose another.") from exc
    return User(
        id=int(new_id),
        username=name,
        display_name=shown,
        role=role,
        area_code=bound,
        active=True,
        email=mail,
        created_at=at,
    )


def get_user(engine: Engine, username_or_id: str | int) -> User:
    """The account with this username (any case) or id; ``UnknownUser`` otherwise."""
    u = s.app_user.c
    query = select(*_user_columns())
    if isinstance(username_or_id, int):
        query = query.where(u.id == username_or_id)
    else:
        query = query.where(u.username == username_or_id.strip().lower())
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise UnknownUser(
            f"no account {username_or_id!r}; `urbanagenda users list` shows the accounts."
        )
    return _user(row)


def list_users(engine: Engine) -> list[User]:
    """Every account, active or not, by username."""
    with engine.connect() as conn:
        rows = conn.execute(select(*_user_columns()).order_by(s.app_user.c.username)).all()
    return [_user(r) for r in rows]


def disable_user(engine: Engine, username: str, *, now: datetime | None = None) -> User:
    """Disable an account (never deleted): its sessions and tokens stop working."""
    user = get_user(engine, username)
    at = _utc(now)
    with engine.begin() as conn:
        conn.execute(
            update(s.app_user)
            .where(s.app_user.c.id == user.id, s.app_user.c.active.is_(True))
            .values(active=False, disabled_at=at)
        )
        conn.execute(
            update(s.user_session)
            .where(s.user_session.c.user_id == user.id, s.user_session.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        conn.execute(
            update(s.api_token)
            .where(s.api_token.c.user_id == user.id, s.api_token.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
    return get_user(engine, user.id)


def enable_user(engine: Engine, username: str) -> User:
    """Enable a disabled account again.  Its old sessions and tokens stay revoked: the
    user signs in anew and makes new tokens."""
    user = get_user(engine, username)
    with engine.begin() as conn:
        conn.execute(
            update(s.app_user)
            .where(s.app_user.c.id == user.id)
            .values(active=True, disabled_at=None)
        )
    return get_user(engine, user.id)


def set_password(
    engine: Engine,
    username: str,
    password: str,
    *,
    now: datetime | None = None,
    hasher: PasswordHasher | None = None,
) -> User:
    """Give an account a new password; every session it has is ended (its API tokens
    keep working: revoke them one by one if they may be known too)."""
    check_password(password)
    user = get_user(engine, username)
    stored = (hasher or _hasher).hash(password)
    with engine.begin() as conn:
        conn.execute(
            update(s.app_user).where(s.app_user.c.id == user.id).values(password_hash=stored)
        )
        conn.execute(
            update(s.user_session)
            .where(s.user_session.c.user_id == user.id, s.user_session.c.revoked_at.is_(None))
            .values(revoked_at=_utc(now))
        )
    return user


# -- signing in ------------------------------------------------------------------------------


def _retry_after(failures: list[datetime], limit: int, now: datetime) -> int | None:
    """Seconds until fewer than ``limit`` of ``failures`` (oldest first) lie in the window,
    or ``None`` when there are fewer already."""
    if len(failures) < limit:
        return None
    # the attempt is allowed again once the oldest failures that keep the count at the
    # limit have left the window
    expires = _utc(failures[len(failures) - limit]) + RATE_WINDOW
    return max(1, int((expires - now).total_seconds() + 0.999))


def _check_rate(conn: Any, username: str, client: str, now: datetime) -> int | None:
    la = s.login_attempt.c
    since = now - RATE_WINDOW
    last_ok = conn.execute(
        select(func.max(la.at)).where(
            la.username == username, la.succeeded.is_(True), la.at > since
        )
    ).scalar()
    by_name = since if last_ok is None else max(since, _utc(last_ok))
    name_failures = list(
        conn.execute(
            select(la.at)
            .where(la.username == username, la.succeeded.is_(False), la.at > by_name)
            .order_by(la.at)
        ).scalars()
    )
    client_failures = list(
        conn.execute(
            select(la.at)
            .where(la.client == client, la.succeeded.is_(False), la.at > since)
            .order_by(la.at)
        ).scalars()
    )
    waits = [
        w
        for w in (
            _retry_after(name_failures, FAILURES_PER_USERNAME, now),
            _retry_after(client_failures, FAILURES_PER_CLIENT, now),
        )
        if w is not None
    ]
    return max(waits) if waits else None


def _record(engine: Engine, username: str, client: str, at: datetime, ok: bool) -> None:
    with engine.begin() as conn:
        conn.execute(
            s.login_attempt.insert().values(username=username, client=client, at=at, succeeded=ok)
        )


def _verify_dummy(password: str, ph: PasswordHasher) -> None:
    """Spend the time of a real verification, so that an unknown username cannot be told
    from a wrong password by how long the answer takes."""
    key = (ph.time_cost, ph.memory_cost, ph.parallelism)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = ph.hash(secrets.token_urlsafe(16))
    with contextlib.suppress(VerificationError):
        ph.verify(_dummy_hashes[key], password)


def authenticate(
    engine: Engine,
    username: str,
    password: str,
    *,
    client: str,
    now: datetime | None = None,
    hasher: PasswordHasher | None = None,
) -> User:
    """The user whose password this is; ``AuthError`` otherwise (the same message whether
    the username or the password is wrong), ``RateLimited`` after too many failures.

    Every attempt is recorded in ``login_attempt``, refused ones too (as failures): a
    client that keeps trying while locked stays locked.  A successful sign-in clears the
    username's count (not the client's)."""
    ph = hasher or _hasher
    at = _utc(now)
    name = (username or "").strip().lower()[:64]
    where = (client or "unknown")[:64]
    with engine.connect() as conn:
        wait = _check_rate(conn, name, where, at)
    if wait is not None:
        _record(engine, name, where, at, False)
        minutes = -(-wait // 60)
        raise RateLimited(
            f"too many failed sign-ins; try again in {wait} seconds (about {minutes} "
            f"minute{'s' if minutes != 1 else ''}).",
            retry_after=wait,
        )
    u = s.app_user.c
    with engine.connect() as conn:
        row = conn.execute(
            select(*_user_columns(), u.password_hash).where(u.username == name)
        ).first()
    if row is None:
        _verify_dummy(password, ph)
        _record(engine, name, where, at, False)
        raise AuthError(_WRONG)
    try:
        ph.verify(row.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        _record(engine, name, where, at, False)
        raise AuthError(_WRONG) from None
    if not row.active:
        _record(engine, name, where, at, False)
        raise AuthError(f"the account {name!r} is disabled; ask an administrator.")
    with engine.begin() as conn:
        conn.execute(
            s.login_attempt.insert().values(username=name, client=where, at=at, succeeded=True)
        )
        if ph.check_needs_rehash(row.password_hash):
            conn.execute(
                update(s.app_user).where(u.id == row.id).values(password_hash=ph.hash(password))
            )
    return _user(row)


# -- sessions --------------------------------------------------------------------------------


def create_session(
    engine: Engine,
    user: User,
    *,
    now: datetime | None = None,
    lifetime: timedelta = SESSION_LIFETIME,
) -> tuple[str, str]:
    """A new session: ``(cookie_secret, csrf_token)``."""
    at = _utc(now)
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        active = conn.execute(
            select(s.app_user.c.active).where(s.app_user.c.id == user.id)
        ).scalar()
        if not active:
            raise AuthError(f"the account {user.username!r} is disabled or unknown.")
        conn.execute(
            s.user_session.insert().values(
                id=_sha256(secret),
                user_id=user.id,
                csrf_token=csrf,
                created_at=at,
                expires_at=at + lifetime,
            )
        )
    return secret, csrf


def session_user(
    engine: Engine, cookie_secret: str, *, now: datetime | None = None
) -> tuple[User, str] | None:
    """``(user, csrf_token)`` of a live session, or ``None`` (unknown, expired, ended, or
    its account disabled)."""
    if not cookie_secret or len(cookie_secret) > 200:
        return None
    at = _utc(now)
    us = s.user_session.c
    with engine.connect() as conn:
        row = conn.execute(
            select(*_user_columns(), us.csrf_token)
            .select_from(s.user_session.join(s.app_user, s.app_user.c.id == us.user_id))
            .where(
                and_(
                    us.id == _sha256(cookie_secret),
                    us.revoked_at.is_(None),
                    us.expires_at > at,
                    s.app_user.c.active.is_(True),
                )
            )
        ).first()
    if row is None:
        return None
    return _user(row), str(row.csrf_token)


def end_session(engine: Engine, cookie_secret: str, *, now: datetime | None = None) -> None:
    """Sign out: the session stops working (the row stays, with the time it ended)."""
    if not cookie_secret:
        return
    with engine.begin() as conn:
        conn.execute(
            update(s.user_session)
            .where(
                s.user_session.c.id == _sha256(cookie_secret),
                s.user_session.c.revoked_at.is_(None),
            )
            .values(revoked_at=_utc(now))
        )


# -- API tokens ------------------------------------------------------------------------------


def create_api_token(engine: Engine, user: User, name: str, *, now: datetime | None = None) -> str:
    """A new API token (shown once; stored hashed)."""
    label = (name or "").strip()
    if not label or len(label) > 200:
        raise AccountError(
            "an API token needs a name of 1 to 200 characters saying what it is for "
            "(for example 'submission script')."
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        active = conn.execute(
            select(s.app_user.c.active).where(s.app_user.c.id == user.id)
        ).scalar()
        if not active:
            raise AccountError(f"the account {user.username!r} is disabled or unknown.")
        conn.execute(
            s.api_token.insert().values(
                user_id=user.id,
                name=label,
                token_hash=_sha256(token),
                prefix=token[:_SHOWN],
                created_at=_utc(now),
            )
        )
    return token


def token_user(engine: Engine, token: str, *, now: datetime | None = None) -> User | None:
    """The active user of a live API token, or ``None``; notes when it was last used."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    at = _utc(now)
    t = s.api_token.c
    with engine.connect() as conn:
        row = conn.execute(
            select(*_user_columns(), t.id.label("token_id"), t.last_used_at)
            .select_from(s.api_token.join(s.app_user, s.app_user.c.id == t.user_id))
            .where(
                t.token_hash == _sha256(token),
                t.revoked_at.is_(None),
                s.app_user.c.active.is_(True),
            )
        ).first()
    if row is None:
        return None
    last = _maybe_utc(row.last_used_at)
    if last is None or at - last >= _TOKEN_TOUCH or at < last:
        with engine.begin() as conn:
            conn.execute(update(s.api_token).where(t.id == row.token_id).values(last_used_at=at))
    return _user(row)


def _token(row: Any) -> ApiToken:
    return ApiToken(
        id=int(row.id),
        user_id=int(row.user_id),
        name=str(row.name),
        prefix=str(row.prefix),
        created_at=_utc(row.created_at),
        last_used_at=_maybe_utc(row.last_used_at),
        revoked_at=_maybe_utc(row.revoked_at),
    )


def list_api_tokens(engine: Engine, user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones too (never their secrets)."""
    t = s.api_token.c
    with engine.connect() as conn:
        rows = conn.execute(
            select(t.id, t.user_id, t.name, t.prefix, t.created_at, t.last_used_at, t.revoked_at)
            .where(t.user_id == user.id)
            .order_by(t.id.desc())
        ).all()
    return [_token(r) for r in rows]


def revoke_api_token(
    engine: Engine, user: User, token_id: int, *, now: datetime | None = None
) -> ApiToken:
    """Revoke one of ``user``'s tokens (an administrator may revoke anyone's).  Revoking a
    revoked token changes nothing; ``UnknownToken`` when there is no such token."""
    t = s.api_token.c
    cols = (t.id, t.user_id, t.name, t.prefix, t.created_at, t.last_used_at, t.revoked_at)
    with engine.begin() as conn:
        row = conn.execute(select(*cols).where(t.id == token_id)).first()
        if row is None or (row.user_id != user.id and user.role != "administrator"):
            raise UnknownToken(
                f"no API token {token_id} among those of {user.username}; "
                "GET /api/v1/auth/tokens lists them."
            )
        if row.revoked_at is None:
            conn.execute(update(s.api_token).where(t.id == token_id).values(revoked_at=_utc(now)))
        row = conn.execute(select(*cols).where(t.id == token_id)).one()
    return _token(row)
