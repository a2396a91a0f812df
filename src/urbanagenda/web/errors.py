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
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
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
        return render_page_error(request, status, shown)  # type: ignore[no-any-return]

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
                    "found": err.get("input") if not isinstance(err.get("input"), dict) else None,
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
