"""Signing in and out, and the account page (who am I, my role and area, my API tokens).

The sign-in form posts the username and password with the address to return to
(``next``); a failure comes back on the form (401), too many failures come back with the
wait (429, ``Retry-After``).  ``next`` is followed only when it is a path of this site, so
the form cannot be used to send someone elsewhere (an open redirect).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response

from urbanagenda.errors import AuthError, DataError
from urbanagenda.reporting import accounts
from urbanagenda.reporting.model import User
from urbanagenda.web import auth
from urbanagenda.web.i18n import gettext
from urbanagenda.web.pages._reporting import (
    Labels,
    base_context,
    engine_of,
    form_of,
    safe_local,
    see_other,
    signed_in,
    text_field,
)
from urbanagenda.web.pages.common import check_lang, render

__all__ = ["router"]

router = APIRouter()


def _login_form(
    request: Request,
    lang: str,
    *,
    next_url: str,
    username: str = "",
    status: int = 200,
    error: str | None = None,
    retry_after: int | None = None,
) -> HTMLResponse:
    page = render(
        request,
        "login.html",
        status=status,
        cache_seconds=0,
        next_url=next_url,
        username=username,
        error=error,
        retry_after=retry_after,
        **base_context(),
    )
    page.headers["Cache-Control"] = "no-store"
    if retry_after is not None:
        page.headers["Retry-After"] = str(retry_after)
    return page


@router.get("/{lang}/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(
    request: Request, lang: str, next: Annotated[str | None, Query(max_length=2000)] = None
) -> HTMLResponse:
    check_lang(lang)
    return _login_form(request, lang, next_url=safe_local(next, f"/{lang}/reports"))


@router.post("/{lang}/login", response_class=HTMLResponse, include_in_schema=False)
async def login_post(request: Request, lang: str) -> Response:
    check_lang(lang)
    form = await form_of(request)
    username = text_field(form, "username", 64).strip()
    password = text_field(form, "password", 1024)
    next_url = safe_local(text_field(form, "next", 2000), f"/{lang}/reports")
    if not username or not password:
        return _login_form(
            request,
            lang,
            next_url=next_url,
            username=username,
            status=422,
            error=gettext("Write your username and your password."),
        )
    client = request.client.host if request.client else "unknown"
    try:
        user = await run_in_threadpool(
            lambda: accounts.authenticate(engine_of(request), username, password, client=client)
        )
    except accounts.RateLimited as exc:
        return _login_form(
            request,
            lang,
            next_url=next_url,
            username=username,
            status=429,
            error=gettext(
                "Too many failed attempts to sign in. Wait %(seconds)s seconds, then try again.",
                seconds=exc.retry_after,
            ),
            retry_after=exc.retry_after,
        )
    except AuthError:
        return _login_form(
            request,
            lang,
            next_url=next_url,
            username=username,
            status=401,
            error=gettext(
                "The username or the password is wrong (or the account is disabled). Check "
                "both and try again; an administrator can reset a forgotten password."
            ),
        )
    response = see_other(next_url)
    await run_in_threadpool(
        lambda: auth.start_session(response, user, engine_of(request), request=request)
    )
    return response


@router.post("/{lang}/logout", include_in_schema=False, dependencies=[Depends(auth.check_csrf)])
async def logout_post(request: Request, lang: str) -> Response:
    check_lang(lang)
    response = see_other(f"/{lang}/")
    await run_in_threadpool(auth.end_session, request, response)
    return response


def _tokens(request: Request, user: User) -> list[Any]:
    return list(accounts.list_api_tokens(engine_of(request), user))


def _account_page(
    request: Request,
    user: User,
    *,
    new_token: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    page = render(
        request,
        "account.html",
        status=status,
        cache_seconds=0,
        me=user,
        role_label=Labels.role(user.role),
        tokens=_tokens(request, user),
        new_token=new_token,
        error=error,
        **base_context(),
    )
    page.headers["Cache-Control"] = "private, no-store"
    return page


@router.get("/{lang}/account", response_class=HTMLResponse, include_in_schema=False)
def account_page(request: Request, lang: str) -> HTMLResponse:
    check_lang(lang)
    return _account_page(request, signed_in(request))


@router.post(
    "/{lang}/account/tokens",
    response_class=HTMLResponse,
    include_in_schema=False,
    dependencies=[Depends(auth.check_csrf)],
)
async def token_create(request: Request, lang: str) -> Response:
    """A new API token is shown once, on the answer to this form (it is stored hashed)."""
    check_lang(lang)
    user = signed_in(request)
    form = await form_of(request)
    name = text_field(form, "name", 100).strip()
    if not name:
        return _account_page(
            request,
            user,
            status=422,
            error=gettext("Name the token (what script will use it), then create it."),
        )
    try:
        token = await run_in_threadpool(accounts.create_api_token, engine_of(request), user, name)
    except DataError as exc:
        return _account_page(request, user, status=422, error=str(exc))
    return _account_page(request, user, new_token=token)


@router.post(
    "/{lang}/account/tokens/{token_id}/revoke",
    include_in_schema=False,
    dependencies=[Depends(auth.check_csrf)],
)
async def token_revoke(request: Request, lang: str, token_id: int) -> Response:
    check_lang(lang)
    user = signed_in(request)
    try:
        await run_in_threadpool(accounts.revoke_api_token, engine_of(request), user, token_id)
    except accounts.UnknownToken as exc:
        return _account_page(request, user, status=404, error=str(exc))
    return see_other(f"/{lang}/account")
