"""``/api/v1/observations``: filtered, paginated observations as JSON, CSV, XLSX or Parquet."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from urbanagenda.model.areas import KINDS
from urbanagenda.web.api.common import (
    MEDIA_TYPES,
    cached,
    check_codes,
    download_response,
    json_body,
    page_meta,
    resolve_areas,
    resolve_series,
    split_codes,
    store_of,
    table_body,
)
from urbanagenda.web.data import OBSERVATION_FIELDS, ObservationQuery
from urbanagenda.web.errors import ApiError

router = APIRouter(tags=["data"])

_DISAGG = r"^[A-Za-z0-9_.\-]{1,64}$"


class Observation(BaseModel):
    series_code: str = Field(examples=["EN_LND_SLUM"])
    area_code: str = Field(examples=["566"])
    area_name: str = Field(examples=["Nigeria"])
    area_kind: str = Field(examples=["country"])
    year: int = Field(examples=[2020])
    sex: str = Field(examples=["_T"])
    age: str = Field(examples=["_T"])
    location: str = Field(examples=["U"])
    breakdown: str = Field(description="other dimensions as 'NAME=CODE;...', '' for none")
    value: float = Field(examples=[48.98206])
    unit: str = Field(examples=["PT"])
    nature: str = Field(description="C, CA, E, G, M or N (SDG nature codes)")
    source: str
    footnote: str


@router.get(
    "/observations",
    summary="Observations, filtered and paginated",
    responses=download_response(Observation, meta=True),
    response_description="Rows with the observation key, value, unit, nature, source and "
    "footnote; JSON has `data` and `meta` (total, page, limit, links).",
)
async def observations(
    request: Request,
    series: Annotated[
        list[str] | None,
        Query(description="Series code(s), repeated or comma-separated, e.g. EN_LND_SLUM"),
    ] = None,
    indicator: Annotated[
        str | None, Query(pattern=r"^11\.[0-9a-c]{1,2}\.[0-9]{1,2}$", description="e.g. 11.1.1")
    ] = None,
    area: Annotated[
        list[str] | None,
        Query(
            description="Area code(s): M49 (566), ISO3 (NGA) or city id; repeated or "
            "comma-separated"
        ),
    ] = None,
    area_level: Annotated[
        str | None, Query(description=f"Only areas of this kind: {', '.join(KINDS)}")
    ] = None,
    year_from: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    year_to: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    sex: Annotated[str | None, Query(pattern=_DISAGG, description="e.g. _T, F, M")] = None,
    age: Annotated[str | None, Query(pattern=_DISAGG)] = None,
    location: Annotated[str | None, Query(pattern=_DISAGG, description="e.g. _T, U, R")] = None,
    breakdown: Annotated[str | None, Query(max_length=200)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    limit: Annotated[int | None, Query(ge=1, le=10000)] = None,
    format: Annotated[Literal["json", "csv", "xlsx", "parquet"], Query()] = "json",
) -> Response:
    """Every observation matching all the filters, sorted by series, area, year and
    disaggregation; ``format`` csv, xlsx or parquet downloads the rows (all of them unless
    ``limit`` is given)."""
    store = store_of(request)
    settings = request.app.state.settings
    if indicator and indicator not in store.catalogue.indicators:
        raise ApiError(
            422, f"unknown indicator {indicator!r}", where="query.indicator",
            fix="list the indicators at /api/v1/indicators (e.g. 11.1.1)",
        )  # fmt: skip
    if area_level and area_level not in KINDS:
        raise ApiError(
            422, f"unknown area level {area_level!r}", where="query.area_level",
            fix=f"one of {', '.join(KINDS)}",
        )  # fmt: skip
    if year_from is not None and year_to is not None and year_from > year_to:
        raise ApiError(
            422, f"year_from {year_from} is after year_to {year_to}", where="query.year_from",
            fix="give year_from <= year_to",
        )  # fmt: skip
    codes = resolve_series(store, check_codes("series", split_codes(series)))
    areas = resolve_areas(store, check_codes("area", split_codes(area)))
    file = format != "json"
    size = limit or (None if file else settings.page_size_default)
    query = ObservationQuery(
        series=tuple(codes), indicator=indicator, areas=tuple(areas), area_level=area_level,
        year_from=year_from, year_to=year_to, sex=sex, age=age, location=location,
        breakdown=breakdown, limit=size, offset=(page - 1) * size if size else 0,
    )  # fmt: skip

    def build() -> bytes:
        rows = store.observations(query)
        if file:
            return table_body(rows, OBSERVATION_FIELDS, format)
        assert size is not None
        # a first page that is not full holds every row: no need to count them
        first_and_last = page == 1 and len(rows) < size
        total = len(rows) if first_and_last else store.count_observations(query)
        return json_body({"data": rows, "meta": page_meta(request, total, page, size)})

    download = f"observations.{format}" if file else None
    # a page of at most the default size, narrowed by series or area: an indexed query of
    # about a millisecond, answered without a hop to a worker thread
    quick = not file and size is not None and size <= 1000 and bool(codes or areas)
    return await cached(
        request, build, media_type=MEDIA_TYPES[format], filename=download, inline=quick
    )
