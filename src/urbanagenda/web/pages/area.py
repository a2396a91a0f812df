"""Area pages ``/{lang}/area/{code}``: one page per country, region (or group) and city.

* **country**: every SDG 11 indicator with its series' latest value, trend and status by the
  chosen method; its cities; its SDG region's value of the same series and year;
* **region** (World, SDG regions and sub-regions, M49 regions, groups): the platform's
  aggregates beside the official ones, and how the member countries' values are spread;
* **city**: its values beside the national value and its peer cities (same country, same SDG
  region) with rank and median.

The code may be an M49 number (566), an ISO 3166 code (NGA) or a city id (ng_lagos); other
spellings than the canonical code are redirected.  What is slow (assessments, aggregates,
peer tables) is computed in a worker thread and kept per data version in ``store.computed``;
names in the request language are looked up when the page is drawn.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from urbanagenda.assess.methods import INSUFFICIENT, METHODS, status_codes
from urbanagenda.errors import DataError, MethodError
from urbanagenda.web import i18n
from urbanagenda.web.data import WebStore
from urbanagenda.web.errors import ApiError
from urbanagenda.web.i18n import gettext
from urbanagenda.web.pages.common import area_name, check_lang, fmt, render, series_name, store_of
from urbanagenda.web.pages.home import DEFAULT_METHOD

__all__ = ["headline_rows", "router"]

router = APIRouter()

#: Which hierarchy holds the members of a region of each kind.
MEMBER_HIERARCHY = {
    "world": "sdg",
    "sdg_region": "sdg",
    "sdg_subregion": "sdg",
    "region": "m49",
    "subregion": "m49",
    "intermediate_region": "m49",
    "group": "group",
    "other_group": "group",
}
_TOTAL = "_T"
_MAX_YEARS = 12  # rows of the aggregate tables per series: the latest years


# --------------------------------------------------------------------------- shared helpers


def kind_label(kind: str) -> str:
    labels = {
        "world": gettext("World"),
        "sdg_region": gettext("SDG region"),
        "sdg_subregion": gettext("SDG sub-region"),
        "region": gettext("M49 region"),
        "subregion": gettext("M49 sub-region"),
        "intermediate_region": gettext("M49 intermediate region"),
        "group": gettext("Country group"),
        "other_group": gettext("Other group"),
        "country": gettext("Country"),
        "city": gettext("City"),
    }
    return labels.get(kind, kind)


def headline_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The headline disaggregation of each series of an observation frame: both sexes, all
    ages, no breakdown, and the total location where the series has one, else its commonest
    location (the slum share is published for urban areas only)."""
    if frame.empty:
        return frame
    parts = []
    for _, part in frame.groupby("series_code", sort=False):
        base = part[(part["sex"] == _TOTAL) & (part["age"] == _TOTAL) & (part["breakdown"] == "")]
        if base.empty:
            key = part.groupby(["sex", "age", "breakdown"]).size().idxmax()
            chosen = dict(zip(("sex", "age", "breakdown"), key, strict=True))  # type: ignore[call-overload]
            base = part[
                (part["sex"] == chosen["sex"])
                & (part["age"] == chosen["age"])
                & (part["breakdown"] == chosen["breakdown"])
            ]
        locations = base["location"]
        location = _TOTAL if (locations == _TOTAL).any() else locations.mode().iloc[0]
        parts.append(base[locations == location])
    return pd.concat(parts, ignore_index=True)


def number(value: Any, unit: str | None = None) -> str:
    """A value for a table cell: locale digits, one decimal (none for large numbers, two for
    small ones), and a per cent sign for percentages."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    size = abs(float(value))
    digits = 0 if size >= 1000 else 2 if 0 < size < 1 else 1
    text = fmt(value, digits)
    return f"{text} %" if unit == "PT" else text


def unit_name(store: WebStore, unit: str | None) -> str:
    if not unit:
        return ""
    if unit == "PT":
        return "%"
    local = i18n.catalogue_names(i18n.current()).get("unit", {}).get(unit)
    if local:
        return local
    known = store.catalogue.units.get(unit)
    return known.name if known else unit


def location_label(code: str) -> str:
    labels = {
        "U": gettext("urban"),
        "R": gettext("rural"),
        "CITY": gettext("cities"),
        "TSUB": gettext("towns and suburbs"),
    }
    return labels.get(code, code if code != _TOTAL else "")


def headline_series() -> list[str]:
    """The series that speak for each SDG 11 target (``assess/config/progress.yaml``)."""
    from urbanagenda.assess.progress import load_progress_config

    seen: dict[str, None] = {}
    for codes in load_progress_config()["headline_series"].values():
        for code in codes:
            seen[str(code)] = None
    return list(seen)


def sdg_region_of(store: WebStore, code: str) -> str | None:
    kinds = store.area_kinds()
    return next(
        (a for a in store.areas.ancestors(code, "sdg") if kinds.get(a) == "sdg_region"), None
    )


def breadcrumbs(store: WebStore, code: str) -> list[str]:
    """The areas above ``code``, widest first (a city: its country's SDG parents, then it)."""
    area = store.areas.get(code)
    if area.kind == "city" and area.country_code:
        return [*breadcrumbs(store, area.country_code), area.country_code]
    hierarchy = MEMBER_HIERARCHY.get(area.kind, "sdg")
    if area.kind == "country":
        hierarchy = "sdg" if store.areas.parents_of(code, "sdg") else "m49"
    return list(reversed(store.areas.ancestors(code, hierarchy)))


def _status_bands(method: str) -> dict[str, int]:
    """Status code -> colour band 1 (best) .. 5 (worst), from the method's ordered statuses."""
    codes = [c for c in status_codes(method) if c != INSUFFICIENT]
    last = max(len(codes) - 1, 1)
    return {c: 1 + round(i * 4 / last) for i, c in enumerate(codes)}


def _regional(store: WebStore, series: str, region: str) -> pd.DataFrame:
    """Official-else-computed values of a series for a region (slow: an aggregation)."""
    from urbanagenda.store.progress import regional_values

    def build() -> pd.DataFrame:
        # the home page's regional values of every headline series, where already computed
        home = store._computed.get((store.version(), "headline"))
        if isinstance(home, dict) and series in home:
            part = home[series][home[series]["area_code"] == region]
            if not part.empty:
                return part.reset_index(drop=True)
        try:
            return regional_values(store.engine, series, [region])
        except (MethodError, DataError):
            return pd.DataFrame()

    return store.computed(("area-regional", series, region), build)


def _years_points(part: pd.DataFrame) -> list[tuple[int, float]]:
    part = part.sort_values("year")
    return [(int(y), float(v)) for y, v in zip(part["year"], part["value"], strict=True)]


def _latest(part: pd.DataFrame) -> tuple[int, float]:
    row = part.sort_values("year").iloc[-1]
    return int(row["year"]), float(row["value"])


# --------------------------------------------------------------------------- country


def _series_entry(series: str, part: pd.DataFrame) -> dict[str, Any]:
    """The latest value, unit, location and trend points of one series of an area."""
    year, value = _latest(part)
    return {
        "series": series,
        "unit": str(part["unit"].iloc[-1]),
        "location": str(part["location"].iloc[0]),
        "year": year,
        "value": value,
        "points": _years_points(part),
    }


def country_data(store: WebStore, code: str) -> dict[str, Any]:
    """Everything of a country page that does not depend on the method or the language."""

    def build() -> dict[str, Any]:
        cat = store.catalogue
        sdg11 = {
            s.code for s in cat.series.values() if any(i in cat.indicators for i in s.indicators)
        }
        obs = store.observation_frame(areas=[code])
        obs = obs[obs["series_code"].isin(sdg11)]
        head = headline_rows(obs)
        region = sdg_region_of(store, code)
        headline = set(headline_series())
        official = pd.DataFrame()
        if region:
            official = headline_rows(store.observation_frame(areas=[region]))
        rows: dict[str, dict[str, Any]] = {}
        for series, part in head.groupby("series_code", sort=False):
            entry = _series_entry(str(series), part)
            year, location = entry["year"], entry["location"]
            entry.update(region_value=None, region_official=None)
            if region:
                found = pd.DataFrame()
                if series in headline:
                    found = _regional(store, str(series), region)
                if found.empty and not official.empty:
                    found = official[official["series_code"] == series].assign(official=True)
                if not found.empty:
                    match = found[(found["year"] == year) & (found["location"] == location)]
                    if not match.empty:
                        entry["region_value"] = float(match["value"].iloc[0])
                        entry["region_official"] = bool(match["official"].iloc[0])
            rows[str(series)] = entry
        targets = []
        for target in cat.targets:
            indicators = []
            for ind in cat.indicators_of_target(target):
                found_rows = [
                    rows[s.code] for s in cat.series_of_indicator(ind.code) if s.code in rows
                ]
                found_rows.sort(key=lambda r: r["series"] not in headline)
                indicators.append({"code": ind.code, "rows": found_rows})
            targets.append({"code": target, "indicators": indicators})
        cities = store.areas.members(code, "city", "city")
        counts = _counts(store, cities)
        return {
            "targets": targets,
            "region": region,
            "cities": [(c, counts.get(c, 0)) for c in cities],
            "frame": head,
        }

    return store.computed(("area-country", code), build)


def _counts(store: WebStore, codes: list[str]) -> dict[str, int]:
    if not codes:
        return {}
    from sqlalchemy import func, select

    from urbanagenda.store import schema as s

    o = s.observation
    stmt = (
        select(o.c.area_code, func.count()).where(o.c.area_code.in_(codes)).group_by(o.c.area_code)
    )
    with store.engine.connect() as conn:
        return {str(a): int(n) for a, n in conn.execute(stmt).all()}


def country_statuses(store: WebStore, code: str, method: str) -> dict[str, dict[str, Any]]:
    """Series code -> status code, colour band, English label and reason of the country's
    headline series by ``method``."""
    from urbanagenda.assess.methods import assess

    def build() -> dict[str, dict[str, Any]]:
        head = country_data(store, code)["frame"]
        if head.empty:
            return {}
        cols = ["series_code", "area_code", "year", "sex", "age", "location", "breakdown", "value"]
        result = assess(head[cols], method)
        bands = _status_bands(method)
        return {
            str(r["series_code"]): {
                "status": str(r["status"]),
                "label": str(r["label"]),
                "band": bands.get(str(r["status"])),
                "no_target": _float(r["target_value"]) is None,
                "reason": str(r["reason"]) if isinstance(r["reason"], str) else "",
            }
            for r in result.to_dict("records")
        }

    return store.computed(("area-status", code, method), build)


def status_texts(
    statuses: dict[str, dict[str, Any]], method: str, lang: str
) -> dict[str, dict[str, Any]]:
    """The statuses with their label and reason in the request language (the catalogue's
    translations; the method's English label where there is none)."""
    names = i18n.catalogue_names(lang)
    labels, reasons = names.get("status", {}), names.get("reason", {})
    out = {}
    for series, st in statuses.items():
        key = st["status"] if st["status"] == INSUFFICIENT else f"{method}.{st['status']}"
        label = (labels.get(f"{key}.no_target") if st["no_target"] else None) or labels.get(key)
        out[series] = {
            **st,
            "label": label or st["label"],
            "reason": reasons.get(st["reason"], st["reason"]) if st["reason"] else "",
        }
    return out


# --------------------------------------------------------------------------- region


def region_data(store: WebStore, code: str) -> dict[str, Any]:
    """Computed vs official aggregates of the headline series, and the members' values."""
    from urbanagenda.store.aggregates import aggregate_series, compare_official

    def build() -> dict[str, Any]:
        kind = store.areas.get(code).kind
        hierarchy = MEMBER_HIERARCHY.get(kind, "sdg")
        members = store.areas.members(code, hierarchy, "country")
        series_list = headline_series()
        aggregates: list[dict[str, Any]] = []
        for series in series_list:
            entry: dict[str, Any] = {"series": series, "rows": [], "problem": None}
            try:
                computed = aggregate_series(store.engine, series, areas=[code])
                table = compare_official(computed, store.engine)
            except (MethodError, DataError) as exc:
                entry["problem"] = str(exc)
                aggregates.append(entry)
                continue
            if not table.empty:
                table = table[table["value"].notna() | table["official_value"].notna()]
            if not table.empty:
                table = headline_rows(table).sort_values("year", ascending=False)
                for r in table.head(_MAX_YEARS).to_dict("records"):
                    entry["rows"].append(
                        {
                            "year": int(r["year"]),
                            "location": str(r["location"]),
                            "value": _float(r["value"]),
                            "official": _float(r["official_value"]),
                            "difference": _float(r["difference"]),
                            "rule": str(r["rule"]),
                            "n_with_data": int(r["n_with_data"]),
                            "n_members": int(r["n_members"]),
                            "coverage": _float(r["coverage_members"]),
                            "coverage_weight": _float(r["coverage_weight"]),
                            "weight_source": str(r["weight_source"] or ""),
                            "reason": str(r["reason"] or ""),
                            "unit": str(r["unit"]),
                        }
                    )
            aggregates.append(entry)
        spread: list[dict[str, Any]] = []
        if members:
            obs = headline_rows(store.observation_frame(series=series_list, areas=members))
            for series in series_list:
                part = obs[obs["series_code"] == series] if not obs.empty else obs
                if part.empty:
                    continue
                latest = part.sort_values("year").groupby("area_code").tail(1)
                values = latest["value"].astype(float)
                spread.append(
                    {
                        "series": series,
                        "unit": str(latest["unit"].iloc[0]),
                        "location": str(latest["location"].iloc[0]),
                        "points": [
                            (str(a), int(y), float(v))
                            for a, y, v in zip(
                                latest["area_code"], latest["year"], values, strict=True
                            )
                        ],
                        "n": len(latest),
                        "min": float(values.min()),
                        "median": float(values.median()),
                        "max": float(values.max()),
                        "first_year": int(latest["year"].min()),
                        "last_year": int(latest["year"].max()),
                    }
                )
        return {"members": members, "aggregates": aggregates, "spread": spread}

    return store.computed(("area-region", code), build)


def _float(value: Any) -> float | None:
    try:
        number_ = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number_) else number_


def spread_spec(store: WebStore, item: dict[str, Any], lang: str) -> dict[str, Any]:
    """A Vega-Lite strip chart of the members' latest values, with the median as a rule."""
    values = [
        {"area": area_name(store, a, lang), "year": y, "value": v} for a, y, v in item["points"]
    ]
    unit = unit_name(store, item["unit"])
    title = series_name(store, item["series"], lang)
    return {
        "description": gettext("Latest value of each member country: %(series)s", series=title),
        "width": "container",
        "height": 48,
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "tick", "thickness": 2, "color": "#0b5cad"},
                "encoding": {
                    "x": {
                        "field": "value",
                        "type": "quantitative",
                        "title": unit,
                        "scale": {"zero": False},
                        "axis": {"tickCount": 8, "labelOverlap": True},
                    },
                    "tooltip": [
                        {"field": "area", "title": gettext("Country")},
                        {"field": "value", "title": gettext("Value"), "format": ",.2f"},
                        {"field": "year", "title": gettext("Year")},
                    ],
                },
            },
            {
                "mark": {"type": "rule", "color": "#c92a2a", "strokeWidth": 2},
                "encoding": {"x": {"datum": item["median"]}},
            },
        ],
    }


# --------------------------------------------------------------------------- city


def _city_series(store: WebStore, series: str) -> pd.DataFrame:
    """Headline rows of a series for every city, with the city's country."""

    def build() -> pd.DataFrame:
        obs = store.observation_frame(series=[series])
        kinds = store.area_kinds()
        obs = obs[obs["area_code"].map(kinds) == "city"]
        rows = headline_rows(obs)
        if rows.empty:
            return rows
        country = store.areas.frame.set_index("code")["country_code"]
        return rows.assign(country=rows["area_code"].map(country))[
            ["area_code", "country", "year", "location", "value"]
        ]

    return store.computed(("area-city-series", series), build)


def _country_from_cities(store: WebStore, series: str, country: str) -> pd.DataFrame:
    """The platform's country value from its cities (slow: an aggregation)."""
    from urbanagenda.store.aggregates import aggregate_series

    def build() -> pd.DataFrame:
        try:
            out = aggregate_series(store.engine, series, areas=[country])
        except (MethodError, DataError):
            return pd.DataFrame()
        return out[out["value"].notna()] if not out.empty else out

    return store.computed(("area-from-cities", series, country), build)


def _peers(
    store: WebStore, city: str, series: str, year: int, location: str, within: set[str]
) -> dict[str, Any] | None:
    """Rank (1 = best by the series' direction; None for a series without one) and median of
    the city among the cities of the countries ``within`` with a value of the same series,
    year and location."""
    table = _city_series(store, series)
    if table.empty:
        return None
    same = table[
        (table["year"] == year) & (table["location"] == location) & table["country"].isin(within)
    ]
    if same.empty or city not in set(same["area_code"]):
        return None
    known = store.catalogue.series.get(series)
    direction = known.direction if known else None
    ordered = same.sort_values(["value", "area_code"], ascending=[direction == "decrease", True])
    codes = ordered["area_code"].tolist()
    return {
        "n": len(codes),
        "rank": codes.index(city) + 1 if direction else None,
        "median": float(ordered["value"].median()),
        "cities": [(str(a), float(v)) for a, v in zip(codes, ordered["value"], strict=True)],
    }


def city_data(store: WebStore, code: str) -> dict[str, Any]:
    def build() -> dict[str, Any]:
        cat = store.catalogue
        area = store.areas.get(code)
        country = area.country_code
        region = sdg_region_of(store, country) if country else None
        head = headline_rows(store.observation_frame(areas=[code]))
        national = (
            headline_rows(store.observation_frame(areas=[country])) if country else pd.DataFrame()
        )
        region_countries = set(store.areas.members(region, "sdg", "country")) if region else set()
        rows = []
        for series, part in head.groupby("series_code", sort=False):
            series = str(series)
            entry = _series_entry(series, part)
            year, location = entry["year"], entry["location"]
            entry.update({
                "national": None,
                "national_kind": None,
                "national_n": None,
                "country_peers": None,
                "region_peers": None,
            })  # fmt: skip
            if country:
                own = (
                    national[(national["series_code"] == series) & (national["year"] == year)]
                    if not national.empty
                    else national
                )
                if not own.empty:
                    entry["national"] = float(own["value"].iloc[0])
                    entry["national_kind"] = "official"
                else:
                    derived = _country_from_cities(store, series, country)
                    if not derived.empty:
                        match = derived[
                            (derived["year"] == year) & (derived["location"] == location)
                        ]
                        if not match.empty:
                            entry["national"] = float(match["value"].iloc[0])
                            entry["national_kind"] = "cities"
                            entry["national_n"] = int(match["n_with_data"].iloc[0])
                entry["country_peers"] = _peers(store, code, series, year, location, {country})
            if region_countries:
                entry["region_peers"] = _peers(
                    store, code, series, year, location, region_countries
                )
            rows.append(entry)
        by_indicator: dict[str, list[dict[str, Any]]] = {}
        other = []
        for entry in rows:
            s = cat.series.get(entry["series"])
            inds = [i for i in (s.indicators if s else ()) if i in cat.indicators]
            if inds:
                by_indicator.setdefault(inds[0], []).append(entry)
            else:
                other.append(entry)
        indicators = [(i, by_indicator[i]) for i in cat.indicators if i in by_indicator]
        context = []
        if country and not national.empty:
            mine = {r["series"] for r in rows}
            sdg11 = {
                s.code
                for s in cat.series.values()
                if any(i in cat.indicators for i in s.indicators)
            }
            for series, part in national.groupby("series_code", sort=False):
                if series in sdg11 and series not in mine:
                    y, v = _latest(part)
                    context.append(
                        {
                            "series": str(series),
                            "year": y,
                            "value": v,
                            "unit": str(part["unit"].iloc[-1]),
                            "location": str(part["location"].iloc[0]),
                        }
                    )
        return {
            "country": country,
            "region": region,
            "indicators": indicators,
            "other": other,
            "context": context,
        }

    return store.computed(("area-city", code), build)


def peers_spec(
    store: WebStore, code: str, entry: dict[str, Any], lang: str
) -> dict[str, Any] | None:
    peers = entry.get("country_peers")
    if not peers or peers["n"] < 2:
        return None
    this, others = area_name(store, code, lang), gettext("other cities")
    values = [
        {"city": area_name(store, c, lang), "value": v, "role": this if c == code else others}
        for c, v in peers["cities"]
    ]
    return {
        "description": gettext(
            "%(series)s, %(year)s: the cities of the country",
            series=series_name(store, entry["series"], lang),
            year=entry["year"],
        ),
        "width": "container",
        "height": 18 * len(values),
        "data": {"values": values},
        "mark": "bar",
        "encoding": {
            "y": {"field": "city", "type": "nominal", "sort": None, "title": None},
            "x": {
                "field": "value",
                "type": "quantitative",
                "title": unit_name(store, entry["unit"]),
            },
            "color": {
                "field": "role",
                "type": "nominal",
                "title": None,
                "scale": {"domain": [this, others], "range": ["#c92a2a", "#0b5cad"]},
            },
            "tooltip": [
                {"field": "city", "title": gettext("City")},
                {"field": "value", "title": gettext("Value"), "format": ",.2f"},
            ],
        },
    }


# --------------------------------------------------------------------------- route


def _unknown(code: str, lang: str) -> ApiError:
    return ApiError(
        404,
        gettext(
            "No area has the code “%(code)s”. Area codes are M49 numbers (566), ISO 3166 codes "
            "(NGA) or city ids (ng_lagos): find one with the search box (/%(lang)s/search?q=name) "
            "or in the list of countries and regions (/%(lang)s/areas).",
            code=code[:40],
            lang=lang,
        ),
        where="path.code",
        fix=f"/{lang}/search?q=",
    )


@router.get("/{lang}/area/{code}", response_class=HTMLResponse, include_in_schema=False)
async def area_page(
    request: Request,
    lang: str,
    code: str,
    method: Annotated[str, Query(max_length=40)] = DEFAULT_METHOD,
) -> Response:
    check_lang(lang)
    if method not in METHODS:
        raise ApiError(
            422,
            gettext(
                "There is no assessment method %(method)s; choose one of %(methods)s.",
                method=method,
                methods=", ".join(METHODS),
            ),
            where="query.method",
            fix=", ".join(METHODS),
        )
    store = store_of(request)
    canonical = store.areas.resolve(code) if len(code) <= 80 else None
    if canonical is None:
        raise _unknown(code, lang)
    if canonical != code:
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/{lang}/area/{canonical}{query}", status_code=301)
    area = store.areas.get(canonical)
    common: dict[str, Any] = {
        "area": area,
        "code": canonical,
        "crumbs": breadcrumbs(store, canonical),
        "num": number,
        "unit_name": lambda u: unit_name(store, u),
        "location_label": location_label,
        "kind_label": kind_label,
    }
    if area.kind == "country":
        data = await run_in_threadpool(country_data, store, canonical)
        statuses = await run_in_threadpool(country_statuses, store, canonical, method)
        return render(
            request,
            "country.html",
            data=data,
            method=method,
            methods=list(METHODS),
            statuses=status_texts(statuses, method, lang),
            **common,
        )
    if area.kind == "city":
        data = await run_in_threadpool(city_data, store, canonical)
        charts = {}
        for _, entries in data["indicators"]:
            for entry in entries:
                spec = peers_spec(store, canonical, entry, lang)
                if spec:
                    charts[entry["series"]] = spec
        return render(request, "city.html", data=data, charts=charts, **common)
    data = await run_in_threadpool(region_data, store, canonical)
    charts = {item["series"]: spread_spec(store, item, lang) for item in data["spread"]}
    members = sorted(data["members"], key=lambda c: area_name(store, c, lang).casefold())
    return render(request, "region.html", data=data, charts=charts, members=members, **common)
