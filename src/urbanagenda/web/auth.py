"""Who is asking: the session cookie (pages, and the API from the browser) or an API token
(``Authorization: Bearer …``, scripted submission); CSRF checks on every mutating request
made with a cookie; the sign-in and sign-out routes and the API token route.

``current_user(request)`` is what pages and endpoints call; ``require_user`` is a
dependency that answers 401; ``check_csrf`` is a dependency on every POST/PUT/PATCH/DELETE
route that may be called with a cookie (a form field ``csrf_token`` or the header
``X-CSRF-Token`` must equal the session's token).  A request with a bearer token needs no
CSRF token: a browser never adds that header to a cross-site request on its own.

The cookie is ``HttpOnly``, ``SameSite=Lax`` and ``Secure``;
``URBANAGENDA_INSECURE_COOKIES=1`` drops ``Secure`` for a development server on plain
http (never in production).  OWNER: accounts helper.
"""

from __future__ import annotations

import os
import secrets
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from urbanagenda.reporting import accounts
from urbanagenda.reporting.model import User
from urbanagenda.reporting.permissions import ACTIONS, Unauthenticated, can
from urbanagenda.web.errors import ApiError

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "INSECURE_COOKIES_ENV",
    "SESSION_COOKIE",
    "check_csrf",
    "csrf_token",
    "current_user",
    "end_session",
    "require_user",
    "router",
    "secure_cookies",
    "start_session",
    "user_json",
]

SESSION_COOKIE = "ua_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
INSECURE_COOKIES_ENV = "URBANAGENDA_INSECURE_COOKIES"

_BAD_TOKEN = "the API token is unknown, revoked, or its account is disabled"
_SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "TRACE"))
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_PRIVATE = {"Cache-Control": "private, no-store"}


@dataclass(frozen=True, slots=True)
class _Auth:
    """What the request's credentials resolved to (kept on ``request.state``)."""

    user: User | None
    via: str | None = None  # "session" | "token"
    csrf: str | None = None
    problem: str | None = None  # why credentials that were sent did not count


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.store.engine
    return engine


def _resolve(request: Request) -> _Auth:
    cached = getattr(request.state, "ua_auth", None)
    if isinstance(cached, _Auth):
        return cached
    auth = _Auth(None)
    header = request.headers.get("authorization")
    if header:
        # a request that names a token is judged by it alone, never by a cookie beside it
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            auth = _Auth(None, problem="the Authorization header must be 'Bearer <API token>'")
        else:
            user = accounts.token_user(_engine(request), value.strip())
            auth = _Auth(user, via="token") if user else _Auth(None, problem=_BAD_TOKEN)
    else:
        secret = request.cookies.get(SESSION_COOKIE)
        if secret:
            found = accounts.session_user(_engine(request), secret)
            auth = (
                _Auth(found[0], via="session", csrf=found[1])
                if found is not None
                else _Auth(None, problem="the session has expired or ended")
            )
    request.state.ua_auth = auth
    return auth


def current_user(request: Request) -> User | None:
    """The signed-in user of this request (cached on ``request.state``), or ``None``."""
    return _resolve(request).user


def csrf_token(request: Request) -> str | None:
    """The session's CSRF token, for forms (``None`` without a session)."""
    return _resolve(request).csrf


async def require_user(request: Request) -> User:
    """Dependency: the user, or 401 (``permissions.Unauthenticated``)."""
    auth = await run_in_threadpool(_resolve, request)
    if auth.user is None:
        why = f"{auth.problem}; " if auth.problem else ""
        raise Unauthenticated(
            f"{why}sign in first: POST /api/v1/auth/login (a session cookie) or send "
            "'Authorization: Bearer <API token>'."
        )
    return auth.user


async def check_csrf(request: Request) -> None:
    """Dependency: with a session cookie, the request must carry the session's CSRF token
    (form field or header); token-authenticated requests need none.

    The form is read only for pages' forms and URL-encoded API bodies: a multipart body
    sent to the API (an upload) must carry the header, so that the API's own streamed,
    size-limited read sees the upload first.  A form read here stays with the request for
    the route's ``Form`` parameters (Starlette keeps it) and is closed, its spooled files
    too, when refused or else when the request ends."""
    if request.method.upper() in _SAFE_METHODS:
        return
    auth = await run_in_threadpool(_resolve, request)
    if auth.via != "session" or auth.csrf is None:
        return  # no session: nothing a forged request could borrow
    sent = request.headers.get(CSRF_HEADER)
    where = f"header.{CSRF_HEADER}"
    content_type = request.headers.get("content-type", "").lower()
    form = None
    api = request.url.path.startswith("/api/")
    if not sent and content_type.startswith(_FORMS[0] if api else _FORMS):
        form = await request.form()
        # closed when the request ends, whether or not a route reads it (FastAPI's stack)
        stack = request.scope.get("fastapi_middleware_astack")
        if isinstance(stack, AsyncExitStack):
            stack.push_async_callback(form.close)
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
        where = f"form.{CSRF_FIELD}"
    problem: tuple[str, str, str, str] | None = None
    if not sent:
        upload = api and content_type.startswith(_FORMS[1])
        problem = (
            "this request was made with a session cookie but carries no CSRF token",
            "csrf_missing",
            f"header.{CSRF_HEADER}" if upload else f"header.{CSRF_HEADER} or form.{CSRF_FIELD}",
            f"send the session's token (csrf_token of POST /api/v1/auth/login or GET "
            f"/api/v1/auth/me) as the header {CSRF_HEADER}"
            + ("; uploads to the API need the header, not a form field" if upload else "")
            + "; scripts may use an API token instead of the cookie",
        )
    elif not secrets.compare_digest(sent.encode(), auth.csrf.encode()):
        problem = (
            "the CSRF token does not belong to this session",
            "csrf_mismatch",
            where,
            "reload the page (the form may be from an earlier session) and try again",
        )
    if problem is not None:
        if form is not None:
            await form.close()
        message, code, at, fix = problem
        raise ApiError(403, message, code=code, where=at, fix=fix)


# -- cookies, for the sign-in page and the routes below --------------------------------------


def secure_cookies(request: Request | None = None) -> bool:
    """Whether the session cookie is marked ``Secure``: always, unless the setting
    ``insecure_cookies`` (``WebSettings.extra``) or ``URBANAGENDA_INSECURE_COOKIES`` is
    ``1``, for a development server on plain http."""
    raw: str | None = None
    if request is not None:
        settings = getattr(request.app.state, "settings", None)
        extra = getattr(settings, "extra", None) or {}
        raw = extra.get("insecure_cookies")
    if raw is None:
        raw = os.environ.get(INSECURE_COOKIES_ENV, "")
    return str(raw).strip().lower() not in ("1", "true", "yes")


def _set_cookie(response: Response, secret: str, secure: bool) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(accounts.SESSION_LIFETIME.total_seconds()),
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def start_session(
    response: Response, user: User, engine: Engine, *, request: Request | None = None
) -> str:
    """Sign ``user`` in: a new server-side session, its cookie on ``response``; returns the
    session's CSRF token.  With ``request``, the app's cookie setting is honoured and the
    browser's previous session, if any, is ended."""
    previous = request.cookies.get(SESSION_COOKIE) if request is not None else None
    if previous:
        accounts.end_session(engine, previous)
    secret, csrf = accounts.create_session(engine, user)
    _set_cookie(response, secret, secure_cookies(request))
    return csrf


def end_session(request: Request, response: Response) -> bool:
    """Sign out: the session stops working and its cookie is removed.  Whether there was
    a session."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        accounts.end_session(_engine(request), secret)
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=secure_cookies(request), httponly=True, samesite="lax"
    )
    request.state.ua_auth = _Auth(None)
    return bool(secret)


def user_json(user: User) -> dict[str, Any]:
    """A user as the API shows it (never a password hash)."""
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role,
        "area_code": user.area_code,
        "active": user.active,
        "email": user.email,
        "created_at": user.created_at.isoformat() if user.created_at else None,
    }


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json",
                    headers=dict(_PRIVATE))  # fmt: skip


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


#: A route parameter: the signed-in user (401 without one).
SignedIn = Annotated[User, Depends(require_user)]

# -- the routes ------------------------------------------------------------------------------


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=200, examples=["amina.k"])
    password: str = Field(min_length=1, max_length=4096)


class TokenRequest(BaseModel):
    name: str = Field(
        min_length=1, max_length=200, description="what the token is for",
        examples=["submission script"],
    )  # fmt: skip


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str = Field(description="administrator | reviewer | national_focal_point | "
                                  "local_focal_point")  # fmt: skip
    area_code: str | None = Field(description="the country or city a focal point is bound to")
    active: bool
    email: str | None
    created_at: str | None


class LoginOut(BaseModel):
    user: UserOut
    csrf_token: str = Field(
        description=f"send it as the {CSRF_HEADER} header with every POST, PUT, PATCH or "
        "DELETE made with the cookie"
    )


class MeOut(BaseModel):
    user: UserOut
    via: str = Field(description="session | token")
    csrf_token: str | None = Field(description="the session's CSRF token (null with a token)")
    actions: list[str] = Field(description="what the role allows on its own country or city")


class LogoutOut(BaseModel):
    signed_out: bool = Field(description="whether a session was ended")


class TokenOut(BaseModel):
    id: int
    name: str
    prefix: str = Field(description="the token's first characters, to tell tokens apart")
    created_at: str
    last_used_at: str | None
    revoked_at: str | None
    active: bool


class NewTokenOut(TokenOut):
    token: str = Field(description="the token itself: shown this once, stored only hashed")


class TokensOut(BaseModel):
    data: list[TokenOut]


def _token_json(token: accounts.ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at.isoformat(),
        "last_used_at": _iso(token.last_used_at),
        "revoked_at": _iso(token.revoked_at),
        "active": token.active,
    }


async def login(request: Request, credentials: Credentials) -> Response:
    """Checks the username and password and starts a session: the answer sets the
    ``ua_session`` cookie (Secure, HttpOnly, SameSite=Lax; 12 hours) and gives the
    session's CSRF token.  A wrong username and a wrong password get the same answer."""
    engine = _engine(request)

    def sign_in() -> tuple[User, str, str]:
        user = accounts.authenticate(
            engine, credentials.username, credentials.password, client=_client(request)
        )
        previous = request.cookies.get(SESSION_COOKIE)
        if previous:  # a new sign-in in this browser replaces its old session
            accounts.end_session(engine, previous)
        secret, csrf = accounts.create_session(engine, user)
        return user, secret, csrf

    user, secret, csrf = await run_in_threadpool(sign_in)
    response = _json({"user": user_json(user), "csrf_token": csrf})
    _set_cookie(response, secret, secure_cookies(request))
    return response


async def logout(request: Request) -> Response:
    """Ends the session of the cookie (with its CSRF token) and removes the cookie."""
    live = (await run_in_threadpool(_resolve, request)).via == "session"
    response = _json({"signed_out": live})
    await run_in_threadpool(end_session, request, response)
    return response


async def me(request: Request, user: SignedIn) -> Response:
    """The signed-in user, how the request was authenticated, and the session's CSRF
    token.  Never cached (``Cache-Control: private, no-store``)."""
    auth = _resolve(request)
    allowed = [
        a for a in ACTIONS if can(user, a, country_code=user.area_code, area_code=user.area_code)
    ]
    return _json({"user": user_json(user), "via": auth.via, "csrf_token": auth.csrf,
                  "actions": allowed})  # fmt: skip


async def create_token(request: Request, body: TokenRequest, user: SignedIn) -> Response:
    """A new API token for the signed-in user, for scripts: send it as
    ``Authorization: Bearer <token>``.  The token is shown in this answer only."""
    engine = _engine(request)

    def create() -> dict[str, Any]:
        token = accounts.create_api_token(engine, user, body.name)
        listed = next(t for t in accounts.list_api_tokens(engine, user) if t.prefix == token[:10])
        return {**_token_json(listed), "token": token}

    return _json(await run_in_threadpool(create), status=201)


async def list_tokens(request: Request, user: SignedIn) -> Response:
    """The signed-in user's API tokens, newest first, revoked ones too (never the
    secrets)."""
    tokens = await run_in_threadpool(accounts.list_api_tokens, _engine(request), user)
    return _json({"data": [_token_json(t) for t in tokens]})


async def tokens_other_methods() -> None:
    """``/tokens`` is two routes (GET, POST): name both in ``Allow``, not just the first."""
    raise StarletteHTTPException(405, headers={"Allow": "GET, POST"})


async def revoke_token(request: Request, token_id: int, user: SignedIn) -> Response:
    """Revokes one of your tokens (it stays in the list, marked revoked)."""
    try:
        token = await run_in_threadpool(accounts.revoke_api_token, _engine(request), user, token_id)
    except accounts.UnknownToken as exc:
        raise ApiError(404, str(exc), where="path.token_id",
                       fix="GET /api/v1/auth/tokens lists your tokens") from exc  # fmt: skip
    return _json(_token_json(token))


def _build_router() -> APIRouter:
    """The ``/api/v1/auth`` routes.  Built on first use of ``router``: the API package
    imports this module for its dependencies, so this module may not import the API
    package (its error shapes and ``guard``) while it loads."""
    from urbanagenda.web.api.common import ErrorResponse, guard

    def error(description: str) -> dict[str, Any]:
        return {"model": ErrorResponse, "description": description}

    errors: dict[int | str, dict[str, Any]] = {
        400: error("The body is not JSON"),
        401: error("No valid session or API token (or, at sign-in, a wrong username or password)"),
        403: error("A request with a session cookie lacks the session's CSRF token"),
        422: error("The body or a parameter is malformed"),
        503: error("The database cannot be read"),
    }
    limited: dict[int | str, dict[str, Any]] = {
        429: {
            **error(
                "Too many failed sign-ins (5 per username or 20 per client address in 15 minutes)"
            ),
            "headers": {
                "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}
            },
        }
    }
    csrf = [Depends(check_csrf)]
    built = APIRouter(
        prefix="/api/v1/auth", tags=["auth"], dependencies=[Depends(guard)], responses=errors
    )
    built.add_api_route("/login", login, methods=["POST"], summary="Sign in",
                        response_model=LoginOut, responses=limited)  # fmt: skip
    built.add_api_route("/logout", logout, methods=["POST"], summary="Sign out",
                        response_model=LogoutOut, dependencies=csrf)  # fmt: skip
    built.add_api_route("/me", me, methods=["GET"], summary="Who am I", response_model=MeOut)
    built.add_api_route("/tokens", create_token, methods=["POST"], status_code=201,
                        summary="Create an API token", response_model=NewTokenOut,
                        dependencies=csrf)  # fmt: skip
    built.add_api_route("/tokens", list_tokens, methods=["GET"], summary="List your API tokens",
                        response_model=TokensOut)  # fmt: skip
    built.add_api_route("/tokens", tokens_other_methods, include_in_schema=False,
                        methods=["PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"])  # fmt: skip
    built.add_api_route("/tokens/{token_id}", revoke_token, methods=["DELETE"],
                        summary="Revoke an API token", response_model=TokenOut,
                        dependencies=csrf,
                        responses={404: error("No such token among yours")})  # fmt: skip
    return built


_router: APIRouter | None = None
#: The ``/api/v1/auth`` routes (``app.include_router(auth.router)``), built on first use.
router: APIRouter


def __getattr__(name: str) -> Any:
    """``router`` (PEP 562), built on first use by :func:`_build_router`."""
    global _router
    if name == "router":
        if _router is None:
            _router = _build_router()
        return _router
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
