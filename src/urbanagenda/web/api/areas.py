"""``/areas`` and ``/areas/{code}``: countries, regions, groups and cities with their names in
the six UN languages, their parents and children in each hierarchy and the series with data.

Codes are the canonical ones of :mod:`urbanagenda.model.areas` (M49 numbers without leading
zeros, city ids); ISO 3166 codes (``NGA``, ``NG``) and padded M49 numbers (``004``) are
accepted everywhere a code is.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from urbanagenda.model.areas import HIERARCHIES, KINDS, LANGS, code_sort_key
from urbanagenda.web.api.common import (
    Lang,
    cached,
    data_response,
    json_body,
    page_meta,
    store_of,
)
from urbanagenda.web.data import WebStore
from urbanagenda.web.errors import ApiError

router = APIRouter(tags=["areas"])

_LANG = Query(description="Language of the names: ar, zh, en, fr, ru or es (English where the "
              "OCHA taxonomy has no name)")  # fmt: skip
_CODE = r"^[A-Za-z0-9_.\-]{1,64}$"


class AreaOut(BaseModel):
    code: str = Field(examples=["566"])
    kind: str = Field(examples=["country"])
    name: str = Field(examples=["Nigeria"])
    name_en: str
    iso2: str | None
    iso3: str | None
    country_code: str | None
    series_with_data: int


class AreaRef(BaseModel):
    code: str
    kind: str
    name: str


class SeriesWithData(BaseModel):
    code: str
    name: str
    observations: int
    first_year: int
    last_year: int


class AreaDetail(BaseModel):
    code: str
    kind: str
    name: str
    names: dict[str, str] = Field(description="the name in each of the six UN languages")
    iso2: str | None
    iso3: str | None
    country: AreaRef | None = Field(description="the country of a city (or of a part of one)")
    parents: dict[str, list[AreaRef]] = Field(description="direct parents per hierarchy")
    children: dict[str, list[AreaRef]] = Field(description="direct children per hierarchy")
    series: list[SeriesWithData]


def _ref(store: WebStore, code: str, lang: str) -> dict[str, str]:
    area = store.areas.get(code)
    return {"code": code, "kind": area.kind, "name": store.areas.name(code, lang)}


def _check_code(store: WebStore, raw: str, where: str, status: int) -> str:
    code = store.areas.resolve(raw)
    if code is None:
        raise ApiError(
            status, f"unknown area {raw!r}", where=where,
            fix="use an M49 code (566), an ISO3 code (NGA) or a city code (ng_lagos); "
            "search by name at /api/v1/areas?q=...",
        )  # fmt: skip
    return code


@router.get(
    "/areas",
    summary="Areas: countries, regions, groups and cities",
    responses=data_response(AreaOut, many=True, meta=True),
)
async def areas(
    request: Request,
    kind: Annotated[
        str | None,
        Query(description=f"Only areas of this kind: {', '.join(KINDS)}", examples=["country"]),
    ] = None,
    parent: Annotated[
        str | None,
        Query(
            pattern=_CODE,
            description="Only the direct children of this area "
            "(e.g. 202 for the countries of Sub-Saharan Africa, 566 for "
            "Nigeria's cities)",
        ),
    ] = None,
    hierarchy: Annotated[
        str | None,
        Query(
            description=f"With parent: the hierarchy to follow, one of "
            f"{', '.join(HIERARCHIES)} (default: all)"
        ),
    ] = None,
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            description="Search by name in any "
            "of the six languages, ignoring case and accents (e.g. nigeria, "
            "尼日利亚)",
        ),
    ] = None,
    with_data: Annotated[bool | None, Query(description="Only areas with observations")] = None,
    lang: Annotated[Lang, _LANG] = "en",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
) -> Response:
    """Areas with their kind, codes and name; filtered by kind, parent or a name search
    (best matches first), paginated."""
    store = store_of(request)
    if kind is not None and kind not in KINDS:
        raise ApiError(422, f"unknown kind {kind!r}", where="query.kind",
                       fix=f"one of {', '.join(KINDS)}")  # fmt: skip
    if hierarchy is not None and hierarchy not in HIERARCHIES:
        raise ApiError(422, f"unknown hierarchy {hierarchy!r}", where="query.hierarchy",
                       fix=f"one of {', '.join(HIERARCHIES)}")  # fmt: skip
    if hierarchy is not None and parent is None:
        raise ApiError(422, "hierarchy needs parent", where="query.hierarchy",
                       fix="give parent=CODE as well, e.g. parent=202&hierarchy=sdg")  # fmt: skip
    parent_code = _check_code(store, parent, "query.parent", 422) if parent else None
    if q is not None and not q.strip():
        raise ApiError(422, "the search text is blank", where="query.q",
                       fix="give a part of an area's name, e.g. q=nigeria")  # fmt: skip

    def build() -> bytes:
        a = store.areas
        if q is not None:
            codes = a.search(q)
        elif parent_code is not None:
            codes = a.children(parent_code, hierarchy)
        else:
            codes = sorted(a.codes, key=lambda c: (KINDS.index(a.get(c).kind), code_sort_key(c)))
        if parent_code is not None and q is not None:
            kids = set(a.children(parent_code, hierarchy))
            codes = [c for c in codes if c in kids]
        if kind is not None:
            codes = [c for c in codes if a.get(c).kind == kind]
        data = store.series_by_area()
        if with_data is not None:
            codes = [c for c in codes if (c in data) == with_data]
        names = store.area_names(lang)
        total = len(codes)
        rows = []
        for c in codes[(page - 1) * limit : page * limit]:
            area = a.get(c)
            rows.append({
                "code": c, "kind": area.kind, "name": names.get(c, area.name),
                "name_en": area.name, "iso2": area.iso2, "iso3": area.iso3,
                "country_code": area.country_code, "series_with_data": len(data.get(c, {})),
            })  # fmt: skip
        return json_body({"data": rows, "meta": page_meta(request, total, page, limit)})

    return await cached(request, build)


@router.get("/areas/{code}", summary="One area", responses=data_response(AreaDetail))
async def area(
    request: Request,
    code: Annotated[
        str,
        Path(
            pattern=_CODE,
            description="M49 (566 or 004), ISO3 (NGA), ISO2 (NG) or city id (ng_lagos)",
            examples=["566"],
        ),
    ],
    lang: Annotated[Lang, _LANG] = "en",
) -> Response:
    """An area: kind, names in the six languages, its parents and children in each hierarchy
    (``m49``, ``sdg``, ``group``, ``city``), its country for a city, and the series with
    data for it."""
    store = store_of(request)
    canonical = _check_code(store, code, "path.code", 404)

    def build() -> bytes:
        a = store.areas
        found = a.get(canonical)
        parents: dict[str, list[dict[str, str]]] = {}
        children: dict[str, list[dict[str, str]]] = {}
        for h in HIERARCHIES:
            ups = a.parents_of(canonical, h)
            downs = a.children(canonical, h)
            if ups:
                parents[h] = [_ref(store, c, lang) for c in ups]
            if downs:
                children[h] = [_ref(store, c, lang) for c in downs]
        country = None
        if found.country_code and found.country_code != canonical:
            country = _ref(store, found.country_code, lang)
        cat = store.catalogue
        by_series = store.series_by_area().get(canonical, {})
        series: list[dict[str, Any]] = [
            {"code": s, "name": cat.series[s].name if s in cat.series else s,
             "observations": n, "first_year": first, "last_year": last}
            for s, (n, first, last) in sorted(by_series.items())
        ]  # fmt: skip
        return json_body({"data": {
            "code": canonical, "kind": found.kind, "name": a.name(canonical, lang),
            "names": {lg: a.name(canonical, lg) for lg in LANGS},
            "iso2": found.iso2, "iso3": found.iso3, "country": country,
            "parents": parents, "children": children, "series": series,
        }})  # fmt: skip

    return await cached(request, build)
