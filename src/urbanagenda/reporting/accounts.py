"""Accounts: users and roles, argon2 password hashes, server-side sessions with a CSRF
token each, API tokens for scripted submission, and the login rate limit.

Secrets (session cookies, API tokens) are random (``secrets.token_urlsafe``) and stored
only as SHA-256 hashes.  OWNER: accounts helper.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from urbanagenda.errors import AuthError
from urbanagenda.reporting.model import User

__all__ = [
    "RateLimited",
    "add_user",
    "authenticate",
    "create_api_token",
    "create_session",
    "disable_user",
    "end_session",
    "get_user",
    "list_users",
    "session_user",
    "token_user",
]


class RateLimited(AuthError):
    """Too many failed sign-ins; ``retry_after`` seconds until the next attempt (HTTP 429)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


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
) -> User:
    """Create an account.  Focal points need an ``area_code`` of the right kind (a country
    for a national focal point, a city for a local one); other roles must not have one."""
    raise NotImplementedError


def get_user(engine: Engine, username_or_id: str | int) -> User:
    raise NotImplementedError


def list_users(engine: Engine) -> list[User]:
    raise NotImplementedError


def disable_user(engine: Engine, username: str, *, now: datetime | None = None) -> User:
    """Disable an account (never deleted): its sessions and tokens stop working."""
    raise NotImplementedError


def authenticate(
    engine: Engine, username: str, password: str, *, client: str, now: datetime | None = None
) -> User:
    """The user whose password this is; ``AuthError`` otherwise (the same message whether
    the username or the password is wrong), ``RateLimited`` after too many failures."""
    raise NotImplementedError


def create_session(engine: Engine, user: User, *, now: datetime | None = None) -> tuple[str, str]:
    """A new session: ``(cookie_secret, csrf_token)``."""
    raise NotImplementedError


def session_user(
    engine: Engine, cookie_secret: str, *, now: datetime | None = None
) -> tuple[User, str] | None:
    """``(user, csrf_token)`` of a live session, or ``None``."""
    raise NotImplementedError


def end_session(engine: Engine, cookie_secret: str, *, now: datetime | None = None) -> None:
    raise NotImplementedError


def create_api_token(engine: Engine, user: User, name: str, *, now: datetime | None = None) -> str:
    """A new API token (shown once; stored hashed)."""
    raise NotImplementedError


def token_user(engine: Engine, token: str, *, now: datetime | None = None) -> User | None:
    raise NotImplementedError
