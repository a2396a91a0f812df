"""The indicator page: definition, time series by area, world map by year, status by region
and downloads of the current view (``/{lang}/indicator/11.1.1``).

Query parameters: ``series`` (one of the indicator's series; default the first with data),
``area`` (repeatable; the areas of the time-series chart; default the World and the SDG
regions), ``year`` (the map's year; default the latest year with country data), ``method``
(the progress method of the status by region; default ``unsd-2024``).

What depends on the series only (its observations, regional values, map data) is built once
per data version (:meth:`WebStore.computed`); a request only picks from it.
"""

from __future__ import annotations

import itertools
import math
import unicodedata
from dataclasses import dataclass
from functools import lru_cache, reduce
from typing import Annotated, Any
from urllib.parse import urlencode

import pandas as pd
from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse

from urbanagenda.model.catalogue import Series
from urbanagenda.web import i18n
from urbanagenda.web.data import WebStore
from urbanagenda.web.errors import ApiError
from urbanagenda.web.i18n import gettext as _
from urbanagenda.web.pages.common import (
    STATUS_COLOURS,
    check_lang,
    fmt,
    indicator_name,
    render,
    series_name,
    status_style,
    store_of,
)
from urbanagenda.web.pages.home import DEFAULT_METHOD

__all__ = ["SeriesData", "router", "series_data"]

router = APIRouter()

KEYS = ["sex", "age", "location", "breakdown"]
MAX_AREAS = 20
TOPOJSON = "/static/vendor/countries-110m.json"

# Status codes of the methods mapped onto the bands of the shared colour table, for codes
# the table does not list itself.
_BANDS = {
    "met": "target_met",
    "target_achieved": "target_met",
    "achieved": "target_met",
    "substantial": "substantial_progress",
    "maintain": "on_track",
    "moderate": "moderate_progress",
    "moderately_improving": "moderate_progress",
    "fair": "fair_progress",
    "marginal": "marginal_progress",
    "limited": "limited_progress",
    "accelerate": "limited_progress",
    "stagnating": "stagnation",
    "decreasing": "regression",
    "reverse": "regression",
}


@lru_cache(maxsize=65536)
def _fmt_in(value: Any, digits: int, lang: str) -> str:
    return fmt(value, digits)


def _fmt(value: Any, digits: int = 1) -> str:
    """:func:`fmt`, remembered: the page formats the same few thousand numbers again and again."""
    return _fmt_in(value, digits, i18n.current())


def _by_name(names: dict[str, str]) -> Any:
    """A sort key of area codes by their name, ignoring case and accents."""

    def key(code: str) -> str:
        text = unicodedata.normalize("NFKD", names.get(code, code))
        return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()

    return key


def _status_style(code: str | None) -> str:
    if code and code not in STATUS_COLOURS:
        code = _BANDS.get(code, code)
    return status_style(code)


def _regions() -> list[str]:
    from urbanagenda.assess.progress import load_progress_config

    return [str(a) for a in load_progress_config()["areas"]]


@dataclass(frozen=True)
class SeriesData:
    """What the page shows of one series, independent of the request."""

    code: str
    slice: dict[str, str]  # the disaggregation shown: sex, age, location, breakdown
    observed: pd.DataFrame  # area_code, year, value: the slice, every area
    countries: pd.DataFrame  # area_code, year, value: the slice, countries only
    regional: pd.DataFrame  # regional_values() for the World and the SDG regions
    years: tuple[int, ...]  # years with country values
    digits: int  # decimals shown
    domain: tuple[float, float] | None  # the map's colour range over every year
    map_rows: dict[str, dict[str, float]]  # country -> {"y2020": value, ...}
    sources: tuple[str, ...]  # distinct sources of the observations
    by_area: dict[str, list[tuple[int, float, bool | None]]]  # (year, value, official?)

    @property
    def has_data(self) -> bool:
        return not self.observed.empty or not self.regional.empty

    def filters(self) -> dict[str, str]:
        """The API filters that select the slice (only where the series has other values)."""
        return dict(self.slice)


def _commonest(values: pd.Series, preferred: str) -> str:
    if values.empty or (values == preferred).any():
        return preferred
    return str(values.mode().iloc[0])


def _short(value: float) -> str:
    """A value for the chart data: enough digits for a tooltip, few bytes."""
    if float(value).is_integer():
        return str(int(value))
    if abs(value) >= 1e5:
        return str(round(value))
    return f"{value:.6g}"


def _build(store: WebStore, code: str) -> SeriesData:
    from urbanagenda.store.progress import regional_values

    frame = store.observation_frame(series=[code])
    kinds = store.area_kinds()
    frame = frame.assign(kind=frame["area_code"].map(kinds).fillna(""))
    base = frame[frame["kind"] == "country"] if (frame["kind"] == "country").any() else frame
    chosen = {
        "sex": _commonest(base["sex"], "_T"),
        "age": _commonest(base["age"], "_T"),
        "location": _commonest(base["location"], "_T"),
        "breakdown": _commonest(base["breakdown"], ""),
    }
    mask = reduce(lambda m, k: m & (frame[k] == chosen[k]), KEYS, pd.Series(True, frame.index))
    observed = frame[mask][["area_code", "kind", "year", "value", "source"]]
    observed = observed[observed["value"].notna()].reset_index(drop=True)
    # only the dimensions that vary are API filters of the slice
    varying = {k: v for k, v in chosen.items() if frame[k].nunique() > 1}
    countries = observed[observed["kind"] == "country"][["area_code", "year", "value"]]
    countries = countries.reset_index(drop=True)
    regional = regional_values(store.engine, code, _regions())
    if not regional.empty:
        regional = regional[regional["value"].notna()].reset_index(drop=True)
    values = pd.concat([observed["value"], regional.get("value", pd.Series(dtype=float))])
    integral = bool(len(values)) and bool((values.round(0) == values).all())
    years = tuple(sorted(int(y) for y in countries["year"].unique()))
    domain = None
    map_rows: dict[str, dict[str, float]] = {}
    if not countries.empty:
        lo, hi = float(countries["value"].min()), float(countries["value"].max())
        domain = (lo, hi if hi > lo else lo + 1)
        for area, year, value in countries.itertuples(index=False, name=None):
            map_rows.setdefault(str(area), {})[f"y{int(year)}"] = float(_short(value))
    sources = tuple(sorted({str(s) for s in observed["source"].unique() if s}))
    by_area: dict[str, list[tuple[int, float, bool | None]]] = {}
    for area, year, value in observed[["area_code", "year", "value"]].itertuples(
        index=False, name=None
    ):
        by_area.setdefault(str(area), []).append((int(year), float(value), None))
    if not regional.empty:  # the regions' values: official where loaded, else computed
        for area in regional["area_code"].unique():
            by_area[str(area)] = []
        cols = regional[["area_code", "year", "value", "official"]]
        for area, year, value, official in cols.itertuples(index=False, name=None):
            by_area[str(area)].append((int(year), float(value), bool(official)))
    for rows in by_area.values():
        rows.sort()
    return SeriesData(
        code=code,
        slice=varying,
        observed=observed[["area_code", "year", "value"]],
        countries=countries,
        regional=regional,
        years=years,
        digits=0 if integral else 1,
        domain=domain,
        map_rows=map_rows,
        sources=sources,
        by_area=by_area,
    )


def series_data(store: WebStore, code: str) -> SeriesData:
    return store.computed(("indicator-series", code), lambda: _build(store, code))


def regional_status(store: WebStore, code: str, method: str) -> list[dict[str, Any]]:
    """The status of the series for the World and each SDG region with a method, with the
    official and computed values of the latest year assessed (labels: see _status_labels)."""
    from urbanagenda.assess.methods import assess

    def build() -> list[dict[str, Any]]:
        data = series_data(store, code)
        regional = data.regional
        if regional.empty:
            return []
        frame = regional[["series_code", "area_code", "year", *KEYS, "value"]]
        results = assess(frame, method)
        out = []
        for row in results.itertuples(index=False):
            area = str(row.area_code)
            latest = _int_or_none(row.latest_year)
            base = _int_or_none(row.base_year)
            here = regional[(regional["area_code"] == area) & (regional["year"] == latest)]
            official = computed = None
            n_computed = 0
            if not here.empty:
                first = here.iloc[0]
                official = float(first["value"]) if bool(first["official"]) else None
                computed = _float_or_none(first["computed_value"])
                n_computed = int(first["computed_n"]) if computed is not None else 0
            out.append(
                {
                    "area": area,
                    "status": str(row.status),
                    "reason": str(row.reason) if isinstance(row.reason, str) else "",
                    "no_target": _float_or_none(row.target_value) is None,
                    "base_year": base,
                    "base_value": _float_or_none(row.base_value),
                    "latest_year": latest,
                    "latest_value": _float_or_none(row.latest_value),
                    "official": official,
                    "computed": computed,
                    "n_computed": n_computed,
                }
            )
        order = {a: i for i, a in enumerate(_regions())}
        return sorted(out, key=lambda r: order.get(r["area"], len(order)))

    return store.computed(("indicator-status", code, method), build)


def _status_labels(rows: list[dict[str, Any]], method: str, lang: str) -> list[dict[str, Any]]:
    """The rows with the status and the reason for no status in the request language."""
    out = []
    for row in rows:
        label = i18n.status_label(method, row["status"], lang, no_target=row["no_target"])
        missing = row["status"] == "insufficient_data" and row["reason"]
        reason = i18n.reason_label(row["reason"], lang) if missing else ""
        out.append({**row, "label": label, "why": reason})
    return out


def _float_or_none(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _int_or_none(value: Any) -> int | None:
    number = _float_or_none(value)
    return None if number is None else int(number)


# -- request handling ------------------------------------------------------------------------


def _check_indicator(store: WebStore, code: str) -> str:
    if code not in store.catalogue.indicators:
        known = ", ".join(sorted(c for c in store.catalogue.indicators if c.startswith("11.")))
        raise ApiError(
            404,
            _("There is no indicator %(code)s. The SDG 11 indicators are: %(known)s.",
              code=code, known=known),
        )  # fmt: skip
    return code


def _check_method(method: str) -> str:
    methods = _methods()
    if method not in methods:
        raise ApiError(
            422,
            _("Unknown assessment method %(method)s; choose one of %(methods)s.",
              method=method, methods=", ".join(methods)),
            where="query.method",
        )  # fmt: skip
    return method


def _choose_series(store: WebStore, indicator: str, requested: str | None) -> Series:
    candidates = store.catalogue.series_of_indicator(indicator)
    if requested:
        found = next((s for s in candidates if s.code == requested.strip().upper()), None)
        if found is None:
            codes = ", ".join(s.code for s in candidates) or "-"
            raise ApiError(
                422,
                _("%(series)s is not a series of indicator %(indicator)s; choose one of "
                  "%(codes)s.", series=requested, indicator=indicator, codes=codes),
                where="query.series",
            )  # fmt: skip
        return found
    counts = store.series_counts()
    with_data = [s for s in candidates if counts.get(s.code)]
    if with_data:
        return with_data[0]
    if candidates:
        return candidates[0]
    raise ApiError(
        404, _("Indicator %(indicator)s has no data series.", indicator=indicator)
    )  # fmt: skip


def _choose_areas(
    store: WebStore, data: SeriesData, requested: list[str], available: set[str]
) -> list[str]:
    if not any(part.strip() for raw in requested for part in raw.split(",")):
        with_regional = set(data.regional["area_code"]) if not data.regional.empty else set()
        chosen = [a for a in _regions() if a in with_regional]
        if chosen:
            return chosen
        names = store.area_names(i18n.current())
        countries = sorted(set(data.countries["area_code"]), key=_by_name(names))
        return countries[:5]
    codes: list[str] = []
    for raw in requested:
        for part in raw.split(","):
            part = part.strip()
            if not part:
                continue
            code = store.areas.resolve(part)
            if code is None:
                raise ApiError(
                    422,
                    _("Unknown area %(area)s: use an M49 code (566), an ISO3 code (NGA) or a "
                      "city code; find areas with the search.", area=part),
                    where="query.area",
                )  # fmt: skip
            if code not in available:
                raise ApiError(
                    422,
                    _("%(area)s has no values of series %(series)s; choose an area from the "
                      "list on the indicator page.",
                      area=store.area_names(i18n.current()).get(code, code), series=data.code),
                    where="query.area",
                )  # fmt: skip
            if code not in codes:
                codes.append(code)
    if len(codes) > MAX_AREAS:
        raise ApiError(
            422,
            _("%(n)s areas are too many for one chart; choose at most %(max)s.",
              n=len(codes), max=MAX_AREAS),
            where="query.area",
        )  # fmt: skip
    return codes


def _choose_year(data: SeriesData, requested: str | None) -> tuple[int | None, int | None]:
    """(year shown, year asked for when it had no data and an earlier one is shown)."""
    if not data.years:
        if requested:
            raise ApiError(
                422,
                _("Series %(series)s has no country values, so there is no map year to "
                  "choose; remove the year parameter.", series=data.code),
                where="query.year",
            )  # fmt: skip
        return None, None
    if not requested:
        return data.years[-1], None
    try:
        year = int(requested)
    except ValueError:
        year = -1
    first, last = data.years[0], data.years[-1]
    if not first <= year <= last:
        raise ApiError(
            422,
            _("No country values of series %(series)s in %(year)s; the years with values are "
              "%(first)s to %(last)s.", series=data.code, year=requested, first=first,
              last=last),
            where="query.year",
        )  # fmt: skip
    if year in data.years:
        return year, None
    shown = max(y for y in data.years if y <= year)  # the slider's step can land between years
    return shown, year


def _direction_text(direction: str | None) -> str:
    if direction == "increase":
        return _("higher is better (increase)")
    if direction == "decrease":
        return _("lower is better (decrease)")
    return _("not defined")


def _aggregation_text(series: Series) -> str:
    rule = {
        "sum_of_parts": _("sum of the numerators over the sum of the denominators"),
        "population_weighted_mean": _("mean weighted by population"),
        "simple_mean": _("simple mean of the members"),
        "sum": _("sum of the members"),
        "none": _("not aggregated"),
    }.get(series.aggregation, series.aggregation)
    if series.aggregation_weight:
        code = series.aggregation_weight
        weight = {
            "urban_population": _("urban population"),
            "total_population": _("total population"),
            "city_population": _("city population"),
            "population_same_scope": _("population of the same scope"),
            "number_of_cities": _("number of cities"),
            "number_of_local_governments": _("number of local governments"),
            "gdp": _("gross domestic product"),
        }.get(code, code.replace("_", " "))
        return _("%(rule)s (weight: %(weight)s)", rule=rule, weight=weight)
    return rule


def _line_spec(
    rows: list[dict[str, Any]], unit: str, target: float | None, digits: int
) -> dict[str, Any]:
    number = f",.{digits}f"
    line: dict[str, Any] = {
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": {"field": "y", "type": "quantitative", "title": _("Year"),
                  "axis": {"format": "d", "tickMinStep": 1}, "scale": {"zero": False}},
            "y": {"field": "v", "type": "quantitative", "title": unit},
            "color": {"field": "a", "type": "nominal", "title": _("Area"),
                      "legend": {"orient": "bottom", "columns": 3, "labelLimit": 260}},
            "tooltip": [
                {"field": "a", "title": _("Area")},
                {"field": "y", "title": _("Year")},
                {"field": "v", "title": unit, "format": number},
            ],
        },
    }  # fmt: skip
    spec: dict[str, Any] = {
        "width": "container",
        "height": 300,
        "data": {"values": rows},
        "layer": [line],
    }
    if target is not None:
        label = _("2030 target: %(value)s", value=fmt(target, digits))
        spec["layer"].append(
            {
                "data": {"values": [{"t": target, "l": label}]},
                "layer": [
                    {"mark": {"type": "rule", "color": "#b42318", "strokeDash": [6, 4],
                              "strokeWidth": 2},
                     "encoding": {"y": {"field": "t", "type": "quantitative"}}},
                    {"mark": {"type": "text", "align": "left", "dx": 4, "dy": -6,
                              "color": "#b42318", "x": 0},
                     "encoding": {"y": {"field": "t", "type": "quantitative"},
                                  "text": {"field": "l"}}},
                ],
            }
        )  # fmt: skip
    return spec


def _map_spec(
    data: SeriesData, year: int, names: dict[str, str], series: Series, unit: str
) -> dict[str, Any]:
    geo = {"url": TOPOJSON, "format": {"type": "topojson", "feature": "countries"}}
    scheme = "yelloworangered" if series.direction == "decrease" else "yellowgreenblue"
    # one object per country with its values by year ("y2020"); the map picks the year's
    # value with the "year" parameter, so that a slider can re-colour it in place
    rows = [
        {"id": c.zfill(3) if c.isdigit() else c, "n": names.get(c, c), **values}
        for c, values in data.map_rows.items()
    ]
    assert data.domain is not None
    return {
        "width": "container",
        "height": 380,
        "params": [{"name": "year", "value": year}],
        "projection": {"type": "equalEarth"},
        "layer": [
            {"data": geo,
             "mark": {"type": "geoshape", "fill": "#e9ecef", "stroke": "#ffffff",
                      "strokeWidth": 0.5}},
            {"data": {"values": rows},
             "transform": [
                 {"calculate": "datum['y' + year]", "as": "v"},
                 {"filter": "isValid(datum.v)"},
                 {"lookup": "id", "from": {"data": geo, "key": "id"}, "as": "geo"},
                 {"filter": "isValid(datum.geo)"},
             ],
             "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.5},
             "encoding": {
                 "shape": {"field": "geo", "type": "geojson"},
                 "color": {"field": "v", "type": "quantitative", "title": unit,
                           "scale": {"domain": list(data.domain), "scheme": scheme},
                           "legend": {"orient": "bottom-left", "direction": "horizontal"}},
                 "tooltip": [
                     {"field": "n", "title": _("Country")},
                     {"field": "v", "title": unit, "format": f",.{data.digits}f"},
                 ],
             }},
        ],
        "usermeta": {"digits": data.digits, "lang": i18n.current()},
    }  # fmt: skip


def _api(params: list[tuple[str, str]]) -> str:
    return "/api/v1/observations?" + urlencode(params)


@router.get("/{lang}/indicator/{code}", response_class=HTMLResponse, include_in_schema=False)
async def indicator_page(
    request: Request,
    lang: str,
    code: str,
    series: Annotated[str | None, Query(max_length=64)] = None,
    area: Annotated[list[str] | None, Query()] = None,
    year: Annotated[str | None, Query(max_length=10)] = None,
    method: Annotated[str, Query(max_length=40)] = DEFAULT_METHOD,
) -> HTMLResponse:
    check_lang(lang)
    store = store_of(request)
    _check_indicator(store, code)
    _check_method(method)
    # the page of a URL is built once per data version (the language switcher's links
    # depend on the whole query string, so that is the key)
    key = ("indicator-page", request.url.path, request.url.query)

    def build() -> tuple[bytes, dict[str, str]]:
        i18n.use(lang)
        page = _page(request, lang, code, series, list(area or []), year, method)
        headers = {k: v for k, v in page.headers.items() if k.lower() != "content-length"}
        return bytes(page.body), headers

    body, headers = await run_in_threadpool(store.computed, key, build)
    return HTMLResponse(body, headers=headers)


def _page(
    request: Request,
    lang: str,
    code: str,
    series: str | None,
    area: list[str],
    year: str | None,
    method: str,
) -> HTMLResponse:
    store = store_of(request)
    chosen = _choose_series(store, code, series)
    data = series_data(store, chosen.code)
    names = store.area_names(lang)
    regions = _regions()
    available = set(data.by_area)
    areas = _choose_areas(store, data, area, available)
    map_year, asked_year = _choose_year(data, year)
    statuses = _status_labels(regional_status(store, chosen.code, method), method, lang)

    unit_obj = store.catalogue.units.get(chosen.unit)
    unit = unit_obj.name if unit_obj else chosen.unit
    digits = data.digits

    # the time series of the chosen areas
    series_rows: list[dict[str, Any]] = []
    table: list[dict[str, Any]] = []
    years_seen: set[int] = set()
    for a in areas:
        values = data.by_area.get(a, [])
        label = names.get(a, a)
        series_rows.extend({"a": label, "y": y, "v": float(_short(v))} for y, v, _o in values)
        by_year = {y: (v, o) for y, v, o in values}
        years_seen.update(by_year)
        table.append({"code": a, "name": label, "values": by_year})
    ts_years = sorted(years_seen)

    # options of the area selector: the World and SDG regions, then countries, then others
    def option(c: str) -> dict[str, Any]:
        return {"code": c, "name": names.get(c, c), "selected": c in areas}

    country_codes = sorted(set(data.countries["area_code"]), key=_by_name(names))
    shown = set(regions) | set(country_codes)
    groups = [
        (_("World and SDG regions"), [option(c) for c in regions if c in available]),
        (_("Countries"), [option(c) for c in country_codes]),
        (_("Other areas"), [option(c) for c in areas if c not in shown]),
    ]
    groups = [(label, opts) for label, opts in groups if opts]

    # the map year's country values
    year_rows: list[tuple[str, str, float]] = []
    if map_year is not None:
        rows = data.countries[data.countries["year"] == map_year]
        order = _by_name(names)
        pairs = zip(rows["area_code"], rows["value"], strict=True)
        codes = sorted(pairs, key=lambda r: order(r[0]))
        year_rows = [(c, names.get(c, c), float(v)) for c, v in codes]

    slice_params = [(k, v) for k, v in data.filters().items()]
    area_param = ",".join(areas)
    downloads = {
        fmt_name: _api([("series", chosen.code), ("area", area_param), *slice_params,
                        ("format", fmt_name)])
        for fmt_name in ("csv", "xlsx", "parquet", "json")
    }  # fmt: skip
    year_downloads = (
        {
            fmt_name: _api([("series", chosen.code), ("year_from", str(map_year)),
                            ("year_to", str(map_year)), ("area_level", "country"),
                            *slice_params, ("format", fmt_name)])
            for fmt_name in ("csv", "xlsx", "parquet", "json")
        }
        if map_year is not None
        else {}
    )  # fmt: skip

    indicator = store.catalogue.indicators[code]
    sources = [store.catalogue.sources[k] for k in chosen.sources if k in store.catalogue.sources]
    line = _line_spec(series_rows, unit, chosen.target_2030, digits) if series_rows else None
    world_map = _map_spec(data, map_year, names, chosen, unit) if map_year is not None else None
    series_options = [
        {"code": s.code, "name": series_name(store, s.code, lang),
         "count": store.series_counts().get(s.code, 0)}
        for s in store.catalogue.series_of_indicator(code)
    ]  # fmt: skip
    return render(
        request,
        "indicator.html",
        code=code,
        indicator=indicator,
        title=indicator_name(store, code, lang),
        series=chosen,
        series_options=series_options,
        data=data,
        unit=unit,
        digits=digits,
        direction=_direction_text(chosen.direction),
        aggregation=_aggregation_text(chosen),
        sources=sources,
        areas=areas,
        area_groups=groups,
        table=table,
        ts_years=ts_years,
        line_spec=line,
        map_spec=world_map,
        map_year=map_year,
        asked_year=asked_year,
        year_rows=year_rows,
        year_step=_step(data.years),
        statuses=statuses,
        status_css=_status_style,
        method=method,
        methods=_methods(),
        downloads=downloads,
        year_downloads=year_downloads,
        slice=data.slice,
        max_areas=MAX_AREAS,
        fmt=_fmt,
    )


def _methods() -> list[str]:
    from urbanagenda.assess.methods import METHODS

    return list(METHODS)


def _step(years: tuple[int, ...]) -> int:
    """The slider's step: the greatest common divisor of the gaps between years with data."""
    gaps = [b - a for a, b in itertools.pairwise(years)]
    return reduce(math.gcd, gaps) if gaps else 1
