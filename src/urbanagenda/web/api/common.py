"""What every API endpoint shares: cached responses with ETags, format negotiation and the
validation of codes against the catalogue and the areas."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from urbanagenda.web.data import WebStore
from urbanagenda.web.errors import ApiError

__all__ = [
    "CODE_PATTERN",
    "MEDIA_TYPES",
    "cached",
    "check_params",
    "json_body",
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


def check_params(request: Request, allowed: Sequence[str]) -> None:
    """Reject parameters the endpoint does not know (a typo would otherwise be ignored)."""
    unknown = [k for k in request.query_params if k not in allowed]
    if unknown:
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
) -> Response:
    """The response for this URL at the current data version, built once, with an ETag.

    ``If-None-Match`` with the current ETag gives ``304 Not Modified``."""
    store = store_of(request)
    settings = request.app.state.settings
    key = (store.version(), request.url.path, request.url.query)
    hit = store.cache.get(key)
    if hit is None:
        body = await run_in_threadpool(build)
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
