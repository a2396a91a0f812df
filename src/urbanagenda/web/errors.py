"""One error shape for every failure of the API, and pages that say what went wrong.

Every API error is ``{"error": {"status", "code", "message", "details": [{"where",
"problem", "fix"}], "request_id"}}`` with ``Content-Type: application/problem+json``-like
JSON; a server error names a request id for the log and never a stack trace.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from urbanagenda.errors import DataError, MethodError, StoreError, UrbanAgendaError

__all__ = ["ApiError", "error_body", "install_error_handlers"]

log = logging.getLogger("urbanagenda.web")

_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    409: "conflict",
    422: "invalid_parameter",
    429: "too_many_requests",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error the API reports to its client as it is."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        where: str | None = None,
        fix: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or _CODES.get(status, "error")
        self.message = message
        self.details: list[dict[str, Any]] = (
            [{"where": where, "problem": message, "fix": fix}] if where or fix else []
        )


def error_body(
    status: int,
    message: str,
    code: str | None = None,
    details: list[dict[str, Any]] | None = None,
    request_id: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": status,
        "code": code or _CODES.get(status, "error"),
        "message": message,
        "details": details or [],
    }
    if request_id:
        body["request_id"] = request_id
    return {"error": body}


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(body),
        status_code=status,
        media_type="application/json",
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _is_api(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/openapi.json"


def _describe_location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc)


_SECRET_FIELDS = ("password", "token", "csrf_token", "secret")


def _echo(loc: tuple[Any, ...], value: Any) -> Any:
    """What a client sent, said back to it only when it is a plain value and no secret (a
    body sent as text/plain arrives as bytes; a password never goes back or into a log)."""
    if any(str(part).lower() in _SECRET_FIELDS for part in loc):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return None


def install_error_handlers(app: FastAPI, render_page_error: Any) -> None:
    """``render_page_error(request, status, message) -> Response`` draws errors on pages."""

    def respond(
        request: Request,
        status: int,
        message: str,
        code: str | None = None,
        details: list[dict[str, Any]] | None = None,
        request_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        if _is_api(request):
            return _json(status, error_body(status, message, code, details, request_id), headers)
        fixes = [str(d["fix"]) for d in details or [] if d.get("fix")]
        shown = f"{message}. {fixes[0]}" if fixes and fixes[0] not in message else message
        page: Response = render_page_error(request, status, shown)
        for name, value in (headers or {}).items():
            page.headers[name] = value
        return page

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return respond(request, exc.status, exc.message, exc.code, exc.details)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        details = []
        for err in exc.errors():
            loc = tuple(err.get("loc", ()))
            where = _describe_location(loc)
            expected = err.get("ctx", {}) or {}
            fix = "; ".join(f"{k}: {v}" for k, v in expected.items()) if expected else None
            details.append(
                {
                    "where": where,
                    "problem": str(err.get("msg", "invalid value")),
                    "found": _echo(loc, err.get("input")),
                    "fix": fix or "see the parameter's description at /docs",
                }
            )
        first = details[0] if details else {"where": "request", "problem": "invalid"}
        message = f"invalid {first['where']}: {first['problem']}"
        return respond(request, 422, message, "invalid_parameter", details)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = str(exc.detail) if exc.detail else _CODES.get(exc.status_code, "error")
        details: list[dict[str, Any]] = []
        if exc.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path}"
            details = [{"where": "path", "problem": message,
                        "fix": "the API is described at /docs; pages start at /en/"}]  # fmt: skip
        elif exc.status_code == 405:
            allowed = (exc.headers or {}).get("allow", "GET")
            message = f"{request.method} is not allowed on {request.url.path}"
            details = [{"where": "method", "problem": message, "fix": f"use {allowed}"}]
        return respond(
            request, exc.status_code, message, None, details, headers=dict(exc.headers or {})
        )

    # -- the reporting platform: who may do what, documents' states, uploads -------------
    from starlette.responses import RedirectResponse

    from urbanagenda.errors import AuthError
    from urbanagenda.reporting.accounts import RateLimited
    from urbanagenda.reporting.documents import Conflict, NotFound
    from urbanagenda.reporting.permissions import Forbidden, Unauthenticated
    from urbanagenda.reporting.uploads import UploadRejected
    from urbanagenda.reporting.vlrs import InvalidVLR

    @app.exception_handler(Unauthenticated)
    async def unauthenticated(request: Request, exc: Unauthenticated) -> Response:
        if not _is_api(request) and request.method == "GET":
            lang = request.url.path.split("/")[1] or "en"
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            from urllib.parse import quote

            return RedirectResponse(f"/{lang}/login?next={quote(target)}", status_code=303)
        return respond(request, 401, str(exc), "unauthenticated",
                       headers={"WWW-Authenticate": 'Bearer realm="urbanagenda"'})  # fmt: skip

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, exc: Forbidden) -> Response:
        return respond(request, 403, str(exc), "forbidden")

    @app.exception_handler(RateLimited)
    async def rate_limited(request: Request, exc: RateLimited) -> Response:
        return respond(request, 429, str(exc), "too_many_requests",
                       headers={"Retry-After": str(exc.retry_after)})  # fmt: skip

    @app.exception_handler(AuthError)
    async def auth_error(request: Request, exc: AuthError) -> Response:
        return respond(request, 401, str(exc), "unauthenticated")

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return respond(request, 404, str(exc), "not_found")

    @app.exception_handler(Conflict)
    async def conflict(request: Request, exc: Conflict) -> Response:
        return respond(request, 409, str(exc), "conflict")

    @app.exception_handler(UploadRejected)
    async def upload_rejected(request: Request, exc: UploadRejected) -> Response:
        status = 413 if exc.too_large else 422
        details = [{"where": exc.where or "file", "problem": exc.problem, "fix": exc.fix}]
        return respond(request, status, str(exc), "upload_rejected", details)

    @app.exception_handler(InvalidVLR)
    async def invalid_vlr(request: Request, exc: InvalidVLR) -> Response:
        details = [{"where": p.where, "problem": p.problem, "fix": p.fix} for p in exc.problems]
        return respond(request, 422, str(exc), "invalid_parameter", details)

    @app.exception_handler(DataError)
    async def data_error(request: Request, exc: DataError) -> Response:
        return respond(request, 400, str(exc), "bad_request")

    @app.exception_handler(MethodError)
    async def method_error(request: Request, exc: MethodError) -> Response:
        return respond(request, 400, str(exc), "bad_request")

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        rid = uuid.uuid4().hex[:12]
        log.error("store error %s: %s", rid, exc)
        return respond(request, 503, "the database is not available", "unavailable", None, rid)

    @app.exception_handler(UrbanAgendaError)
    async def other_error(request: Request, exc: UrbanAgendaError) -> Response:
        return respond(request, 400, str(exc), "bad_request")

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        rid = uuid.uuid4().hex[:12]
        log.exception("unhandled error %s on %s", rid, request.url.path)
        return respond(
            request, 500, "internal error; it has been logged", "internal_error", None, rid
        )
