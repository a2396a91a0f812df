"""What every API endpoint shares: cached responses with ETags, format negotiation and the
validation of codes against the catalogue and the areas."""

from __future__ import annotations

import hashlib
import io
import math
from collections.abc import Callable, Sequence
from typing import Any, Literal

import orjson
from fastapi import Request
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, create_model
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from urbanagenda.web.data import WebStore
from urbanagenda.web.errors import ApiError

__all__ = [
    "CODE_PATTERN",
    "ERRORS",
    "LANG_CODES",
    "MEDIA_TYPES",
    "ErrorResponse",
    "Lang",
    "PageMeta",
    "cached",
    "check_codes",
    "check_params",
    "clean",
    "data_response",
    "download_response",
    "guard",
    "json_body",
    "localised",
    "page_meta",
    "resolve_areas",
    "resolve_series",
    "split_codes",
    "store_of",
    "table_body",
]

CODE_PATTERN = r"^[A-Za-z0-9_.\-]{1,64}(,[A-Za-z0-9_.\-]{1,64})*$"

MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}


LANG_CODES = ("ar", "zh", "en", "fr", "ru", "es")
#: A ``lang`` parameter: one of the six UN languages.
Lang = Literal["ar", "zh", "en", "fr", "ru", "es"]


# -- the documented shapes (OpenAPI) ---------------------------------------------------------


class Problem(BaseModel):
    where: str | None = Field(None, description="the parameter at fault, e.g. `query.area`")
    problem: str = Field(description="what is wrong")
    fix: str | None = Field(None, description="how to put it right")
    found: Any = Field(None, description="the value received, when it helps")


class ErrorDetail(BaseModel):
    status: int = Field(examples=[422])
    code: str = Field(examples=["invalid_parameter"])
    message: str = Field(examples=["unknown area 'XYZ'"])
    details: list[Problem]
    request_id: str | None = Field(None, description="for server errors: the id in the log")


class ErrorResponse(BaseModel):
    """Every error of the API."""

    error: ErrorDetail


class PageLinks(BaseModel):
    self: str
    next: str | None
    prev: str | None


class PageMeta(BaseModel):
    total: int = Field(description="rows matching the filters, over every page")
    page: int
    pages: int
    limit: int
    links: PageLinks


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


#: The error responses every endpoint documents.
ERRORS: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the `If-None-Match` ETag is current"},
    404: _error("No such resource"),
    405: _error("Only GET is allowed"),
    422: _error("A parameter is unknown, malformed or out of range"),
    503: _error("The database cannot be read"),
}


def data_response(
    model: Any, *, many: bool = False, meta: bool = False, description: str = "OK"
) -> dict[int | str, dict[str, Any]]:
    """The documented 200 answer: ``{"data": model}`` (a list with ``many``), with the page
    ``meta`` when the endpoint is paginated."""
    data_type: Any = list[model] if many else model
    fields: dict[str, Any] = {"data": (data_type, ...)}
    if meta:
        fields["meta"] = (PageMeta, ...)
    name = f"{model.__name__}{'List' if many else ''}Response"
    return {200: {"model": create_model(name, **fields), "description": description}}


def download_response(model: Any, *, many: bool = True, meta: bool = False) -> dict[
    int | str, dict[str, Any]
]:  # fmt: skip
    """:func:`data_response` for an endpoint that also answers CSV, XLSX and Parquet."""
    answer = data_response(model, many=many, meta=meta)
    answer[200]["content"] = {
        "text/csv": {"schema": {"type": "string"}},
        MEDIA_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
        MEDIA_TYPES["parquet"]: {"schema": {"type": "string", "format": "binary"}},
    }
    answer[200]["description"] = "JSON, or with `format` a CSV, XLSX or Parquet download"
    return answer


def guard(request: Request) -> None:
    """Checks every API request before its parameters are parsed: no NUL character anywhere
    (PostgreSQL refuses them in text) and no parameter the endpoint does not declare."""
    path = request.url.path
    if "\x00" in path:
        raise ApiError(422, "the path contains a NUL character", where="path",
                       fix="remove the %00 from the address")  # fmt: skip
    for key, value in request.query_params.multi_items():
        if "\x00" in key or "\x00" in value:
            raise ApiError(
                422, f"parameter {key.replace(chr(0), '')!r} contains a NUL character",
                where=f"query.{key.replace(chr(0), '')}", fix="remove the %00 from the value",
            )  # fmt: skip
    route = request.scope.get("route")
    if isinstance(route, APIRoute):
        allowed = [p.alias for p in route.dependant.query_params]
        check_params(request, allowed)


def localised(names: dict[str, dict[str, str]], kind: str, code: str, english: str) -> str:
    """A catalogue name in a language, from ``i18n.catalogue_names``, else the English one."""
    return names.get(kind, {}).get(code) or english


def page_meta(request: Request, total: int, page: int, size: int) -> dict[str, Any]:
    """``meta`` of a paginated answer: total, page, pages, limit and links.

    Links are relative (path and query): an answer kept in a shared cache must not carry a
    host name that one client sent (a forged ``Host`` would otherwise reach every client)."""
    pages = max(1, -(-total // size))

    def link(url: Any) -> str:
        return f"{url.path}?{url.query}" if url.query else str(url.path)

    links: dict[str, str | None] = {"self": link(request.url), "next": None, "prev": None}
    if page < pages:
        links["next"] = link(request.url.include_query_params(page=page + 1))
    if page > 1:
        links["prev"] = link(request.url.include_query_params(page=page - 1))
    return {"total": total, "page": page, "pages": pages, "limit": size, "links": links}


def clean(value: Any) -> Any:
    """A JSON-ready scalar: NaN, NA and NaT become None, numpy numbers plain numbers."""
    if value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) else value
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return value
    if hasattr(value, "item"):
        return value.item()
    return value


def store_of(request: Request) -> WebStore:
    return request.app.state.store  # type: ignore[no-any-return]


def json_body(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)


def table_body(rows: list[dict[str, Any]], columns: Sequence[str], fmt: str) -> bytes:
    """Rows as CSV, XLSX or Parquet (the file formats of a download)."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=list(columns))
    buffer = io.BytesIO()
    if fmt == "csv":
        return frame.to_csv(index=False).encode("utf-8")
    if fmt == "xlsx":
        frame.to_excel(buffer, index=False, sheet_name="data")
    elif fmt == "parquet":
        frame.to_parquet(buffer, index=False)
    else:  # pragma: no cover - the callers validate the format
        raise ValueError(fmt)
    return buffer.getvalue()


def split_codes(values: Sequence[str] | str | None) -> list[str]:
    """Codes given as repeated parameters and/or comma-separated lists."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out


def check_codes(name: str, values: Sequence[str]) -> list[str]:
    """``values`` unchanged, or 422 for the first that is not shaped like a code."""
    import re

    for value in values:
        if re.fullmatch(CODE_PATTERN, value) is None:
            raise ApiError(
                422, f"{name} {value!r} is not a code", where=f"query.{name}",
                fix="codes are letters, digits, '_', '.' and '-' (at most 64)",
            )  # fmt: skip
    return list(values)


def check_params(request: Request, allowed: Sequence[str]) -> None:
    """Reject parameters the endpoint does not know (a typo would otherwise be ignored)."""
    unknown = [k for k in request.query_params if k not in allowed]
    if unknown:
        if not allowed:
            raise ApiError(422, f"unknown parameter {unknown[0]!r}", where=f"query.{unknown[0]}",
                           fix=f"{request.url.path} takes no parameters")  # fmt: skip
        raise ApiError(
            422,
            f"unknown parameter {unknown[0]!r}",
            where=f"query.{unknown[0]}",
            fix=f"the parameters of {request.url.path} are: {', '.join(allowed)}",
        )


def resolve_series(store: WebStore, codes: Sequence[str], where: str = "query.series") -> list[str]:
    out = []
    for code in codes:
        canonical = code.upper()
        if canonical not in store.catalogue.series:
            raise ApiError(
                422,
                f"unknown series {code!r}",
                where=where,
                fix="list the series at /api/v1/series (e.g. EN_LND_SLUM)",
            )
        out.append(canonical)
    return out


def resolve_areas(store: WebStore, codes: Sequence[str], where: str = "query.area") -> list[str]:
    out = []
    for code in codes:
        canonical = store.areas.resolve(code)
        if canonical is None:
            raise ApiError(
                422,
                f"unknown area {code!r}",
                where=where,
                fix="use an M49 code (566), an ISO3 code (NGA) or a city code (ng_lagos); "
                "list them at /api/v1/areas",
            )
        out.append(canonical)
    return out


async def cached(
    request: Request,
    build: Callable[[], bytes],
    *,
    media_type: str = "application/json",
    filename: str | None = None,
    max_age: int | None = None,
    inline: bool = False,
    scope: tuple[Any, ...] = (),
) -> Response:
    """The response for this URL at the current data version, built once, with an ETag.

    ``If-None-Match`` with the current ETag gives ``304 Not Modified``.  ``inline``: build in
    the event loop instead of a worker thread, for answers known to be quick (a bounded
    indexed query): the hop to a thread costs more than such a query.  ``scope``: more of the
    cache key, for answers that depend on what the data version does not count."""
    store = store_of(request)
    settings = request.app.state.settings
    key = (*scope, store.version(strict=True), request.url.path, request.url.query)
    hit = store.cache.get(key)
    if hit is None:
        body = build() if inline else await run_in_threadpool(build)
        etag = '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        hit = (body, etag)
        store.cache.put(key, hit)
    body, etag = hit
    age = settings.cache_max_age if max_age is None else max_age
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={age}", "Vary": "Accept-Encoding"}
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    match = request.headers.get("if-none-match")
    if match and (match.strip() == "*" or etag in [m.strip() for m in match.split(",")]):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)
