"""``/aggregates``: a series aggregated by the platform for regions and groups, beside the
official aggregate where one is loaded, with the difference.

The computation is :func:`urbanagenda.store.aggregates.aggregate_series` (the rule the
catalogue declares for the series, or ``rule``; coverage and weight source recorded per row)
followed by :func:`~urbanagenda.store.aggregates.compare_official`; it is kept per data
version, series, rule and areas, and a request filters the years.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from urbanagenda.errors import DataError, MethodError
from urbanagenda.web.api.common import (
    MEDIA_TYPES,
    cached,
    check_codes,
    clean,
    download_response,
    json_body,
    resolve_areas,
    resolve_series,
    split_codes,
    store_of,
    table_body,
)
from urbanagenda.web.data import WebStore
from urbanagenda.web.errors import ApiError

router = APIRouter(tags=["data"])

FIELDS = (
    "series_code", "area_code", "area_name", "area_kind", "year", "sex", "age", "location",
    "breakdown", "value", "unit", "rule", "weight_source", "n_members", "n_with_data",
    "coverage_members", "coverage_weight", "reason", "hierarchy", "member_kind",
    "official_value", "official_source", "difference", "relative_difference",
)  # fmt: skip
_AGGREGATABLE = ("world", "sdg_region", "sdg_subregion", "region", "subregion",
                 "intermediate_region", "group", "other_group", "country")  # fmt: skip


class AggregateRow(BaseModel):
    series_code: str = Field(examples=["EN_LND_SLUM"])
    area_code: str = Field(examples=["202"])
    area_name: str = Field(examples=["Sub-Saharan Africa"])
    area_kind: str
    year: int
    sex: str
    age: str
    location: str
    breakdown: str
    value: float | None = Field(description="computed by the platform (null: see reason)")
    unit: str
    rule: str = Field(description="sum_of_parts, population_weighted_mean, simple_mean or sum")
    weight_source: str | None
    n_members: int
    n_with_data: int
    coverage_members: float | None = Field(description="share of the members with data")
    coverage_weight: float | None = Field(description="share of the group's weight with data")
    reason: str | None = Field(description="why there is no value (coverage too low, ...)")
    hierarchy: str
    member_kind: str
    parameters: dict[str, Any]
    official_value: float | None = Field(description="the official aggregate, where loaded")
    official_source: str | None
    difference: float | None = Field(description="value - official_value")
    relative_difference: float | None = Field(description="difference / official_value")


def computed(store: WebStore, series: str, rule: str | None, areas: tuple[str, ...]) -> Any:
    """Computed and official aggregates of a series (all years), once per data version."""

    def build() -> pd.DataFrame:
        from urbanagenda.store.aggregates import aggregate_series, compare_official

        frame = aggregate_series(store.engine, series, areas=list(areas) or None, rule=rule)
        return compare_official(frame, store.engine)

    return store.computed(("aggregates", series, rule, areas), build)


@router.get(
    "/aggregates",
    summary="Computed aggregates beside the official ones",
    responses=download_response(AggregateRow),
)
async def aggregates(
    request: Request,
    series: Annotated[
        str,
        Query(
            pattern=r"^[A-Za-z0-9_]{1,64}$", description="One series code", examples=["EN_LND_SLUM"]
        ),
    ],
    area: Annotated[
        list[str] | None,
        Query(
            description="Region or group code(s), repeated or comma-separated (default: "
            "the World, SDG regions and sub-regions, LDC, LLDC, SIDS); a country gives the "
            "aggregate of its cities",
            examples=["202"],
        ),
    ] = None,
    year: Annotated[
        list[Annotated[int, Field(ge=1900, le=2100)]] | None,
        Query(description="Year(s), repeated or one; default: every year with data"),
    ] = None,
    rule: Annotated[
        Literal["sum_of_parts", "population_weighted_mean", "simple_mean", "sum"] | None,
        Query(description="Override the series' own aggregation rule"),
    ] = None,
    format: Annotated[Literal["json", "csv", "xlsx", "parquet"], Query()] = "json",
) -> Response:
    """Per group, year and disaggregation: the computed value with its rule, weight source
    and coverage, the official aggregate (an observation loaded for the group) and the
    difference between them."""
    store = store_of(request)
    codes = resolve_series(store, [series])
    raw_areas = check_codes("area", split_codes(area))
    areas = resolve_areas(store, raw_areas)
    if len(areas) > 50:
        raise ApiError(
            422,
            f"{len(areas)} areas asked for; at most 50",
            where="query.area",
            fix="ask for fewer areas at a time, or none for the default groups",
        )
    kinds = store.area_kinds()
    for raw, code in zip(raw_areas, areas, strict=True):
        if kinds.get(code) not in _AGGREGATABLE:
            raise ApiError(
                422, f"area {raw!r} is a {kinds.get(code)}: nothing is aggregated to it",
                where="query.area",
                fix="give a region or group (202, 1, 199) or a country (for its cities)",
            )  # fmt: skip
    cat_rule = store.catalogue.series[codes[0]].aggregation
    if rule is None and cat_rule == "none":
        raise ApiError(
            422, f"series {codes[0]} declares no aggregation rule", where="query.rule",
            fix="pass rule=simple_mean (or another rule) to compute one anyway",
        )  # fmt: skip
    years = sorted(set(year or []))
    file = format != "json"
    key_areas = tuple(sorted(set(areas)))

    def build() -> bytes:
        try:
            frame = computed(store, codes[0], rule, key_areas)
        except MethodError as exc:
            raise ApiError(422, str(exc), where="query.rule" if rule else "query.series",
                           fix="choose another rule or series") from exc  # fmt: skip
        except DataError as exc:
            raise ApiError(
                422,
                str(exc),
                where="query.area",
                fix="give a region or group code such as 202 or 1",
            ) from exc
        if years and not frame.empty:
            frame = frame[frame["year"].isin(years)]
        rows = _rows(store, frame)
        if file:
            flat = [{**r, "parameters": json_body(r["parameters"]).decode()} for r in rows]
            return table_body(flat, (*FIELDS, "parameters"), format)
        return json_body({"data": rows})

    download = f"aggregates-{codes[0]}.{format}" if file else None
    return await cached(request, build, media_type=MEDIA_TYPES[format], filename=download)


def _rows(store: WebStore, frame: pd.DataFrame) -> list[dict[str, Any]]:
    names = store.area_names("en")
    kinds = store.area_kinds()
    out = []
    for rec in frame.to_dict("records"):
        row = {k: clean(rec.get(k)) for k in FIELDS}
        row["area_name"] = names.get(str(rec["area_code"]), str(rec["area_code"]))
        row["area_kind"] = kinds.get(str(rec["area_code"]), "")
        for k in ("year", "n_members", "n_with_data"):
            row[k] = int(row[k]) if row[k] is not None else 0
        row["parameters"] = rec.get("parameters") or {}
        out.append(row)
    return out
