"""Who is asking: the session cookie (pages, and the API from the browser) or an API token
(``Authorization: Bearer …``, scripted submission); CSRF checks on every mutating request
made with a cookie; the sign-in and sign-out routes and the API token route.

``current_user(request)`` is what pages and endpoints call; ``require_user`` is a
dependency that answers 401; ``check_csrf`` is a dependency on every POST/PUT/PATCH/DELETE
route that may be called with a cookie (a form field ``csrf_token`` or the header
``X-CSRF-Token`` must equal the session's token).  OWNER: accounts helper.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from urbanagenda.reporting.model import User

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "check_csrf",
    "csrf_token",
    "current_user",
    "require_user",
    "router",
]

SESSION_COOKIE = "ua_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

router = APIRouter()


def current_user(request: Request) -> User | None:
    """The signed-in user of this request (cached on ``request.state``), or ``None``."""
    raise NotImplementedError


def csrf_token(request: Request) -> str | None:
    """The session's CSRF token, for forms (``None`` without a session)."""
    raise NotImplementedError


async def require_user(request: Request) -> User:
    """Dependency: the user, or 401 (``permissions.Unauthenticated``)."""
    raise NotImplementedError


async def check_csrf(request: Request) -> None:
    """Dependency: with a session cookie, the request must carry the session's CSRF token
    (form field or header); token-authenticated requests need none."""
    raise NotImplementedError
