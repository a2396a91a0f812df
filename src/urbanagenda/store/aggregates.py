"""Aggregates from the store: compute a series for regions and groups, store them, compare them
with official aggregates.

:func:`aggregate_series` reads the member observations and the weights from the store and
calls the pure :func:`urbanagenda.assess.aggregate.aggregate` with the rule the catalogue
declares for the series (METHODS.md section 2) and the configuration of
``assess/config/aggregation.yaml``:

* groups: by default every SDG region and sub-region, the LDC (199), LLDC (432) and SIDS (722)
  groups and the World (1); members are the countries of each (``sdg`` or ``group``
  hierarchy).  An M49 region takes the ``m49`` hierarchy, a country its cities.
* series observed for cities only (SP_TRN_PUBL, EN_URB_OPENSP, ...): city -> country first.
  The bundle has no city population (neither the catalogue, the SDG database extract nor the
  UN-Habitat workbooks give one), so a country value is the simple mean of its cities,
  recorded as ``"none (simple mean)"``; a country's own national value, where the store has
  one, is used instead.  Country -> region then weights countries by total population.
* weights: SP_POP_TOTL (World Bank total population) for total-population and same-scope
  weights (there is no urban or rural population series: recorded in ``weight_source``).
* sum of parts for EN_LND_SLUM: slum population EN_LND_SLUMN over urban population derived per
  country and year as EN_LND_SLUMN / (EN_LND_SLUM / 100), both from the UN-Habitat slum
  estimates (METHODS.md section 2).  Coverage is measured with total population, because the
  urban population of a country without slum data is not known.

:func:`store_aggregates` upserts rows with a value into ``aggregate_value``;
:func:`compare_official` adds the observation loaded on the same area, year and
disaggregation (an official aggregate) with the difference.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from urbanagenda.assess.aggregate import (
    CELL_COLUMNS,
    RULES,
    AggregationConfig,
    aggregate,
    load_aggregation_config,
)
from urbanagenda.errors import DataError, MethodError, StoreError
from urbanagenda.model.areas import Areas, load_areas
from urbanagenda.model.catalogue import Series, load_catalogue
from urbanagenda.store import schema as s
from urbanagenda.store.query import read_observations

__all__ = [
    "DEFAULT_GROUP_KINDS",
    "aggregate_series",
    "compare_official",
    "country_values_from_cities",
    "default_groups",
    "membership",
    "store_aggregates",
]

#: The groups computed by default: SDG regions and sub-regions, LDC/LLDC/SIDS and the World.
DEFAULT_GROUP_KINDS: tuple[str, ...] = ("world", "sdg_region", "sdg_subregion", "group")
_HIERARCHY_OF_KIND = {
    "world": "sdg",
    "sdg_region": "sdg",
    "sdg_subregion": "sdg",
    "group": "group",
    "other_group": "group",
    "region": "m49",
    "subregion": "m49",
    "intermediate_region": "m49",
    "country": "city",
}
_KEY = ["series_code", "area_code", *CELL_COLUMNS]


def default_groups(areas: Areas | None = None) -> list[str]:
    """Codes of the SDG regions and sub-regions, LDC, LLDC, SIDS and the World."""
    frame = (areas or load_areas()).frame
    return frame.loc[frame["kind"].isin(DEFAULT_GROUP_KINDS), "code"].tolist()


def membership(groups: Sequence[str], areas: Areas | None = None) -> pd.DataFrame:
    """``group``, ``member``, ``hierarchy``, ``member_kind``: every member of each group.

    Countries for regions and groups (in the hierarchy their kind belongs to), cities for a
    country.  Built from the parents table by repeated joins (a transitive closure).
    """
    areas = areas or load_areas()
    kind = areas.frame.set_index("code")["kind"]
    parents = areas.parents
    pieces = []
    for hierarchy in sorted({_hierarchy(kind, g) for g in groups}):
        mine = [g for g in groups if _hierarchy(kind, g) == hierarchy]
        links = parents.loc[parents["hierarchy"] == hierarchy, ["child", "parent"]]
        found = links[links["parent"].isin(mine)].rename(
            columns={"parent": "group", "child": "member"}
        )
        frontier = found
        while not frontier.empty:  # one join per level of the hierarchy
            step = frontier.merge(links, left_on="member", right_on="parent")[["group", "child"]]
            step = step.rename(columns={"child": "member"})
            merged = pd.concat([found, step]).drop_duplicates()
            frontier = merged.iloc[len(found) :]
            found = merged
        member_kind = "city" if hierarchy == "city" else "country"
        found = found[found["member"].map(kind) == member_kind]
        pieces.append(found.assign(hierarchy=hierarchy, member_kind=member_kind))
    if not pieces:
        return pd.DataFrame(columns=["group", "member", "hierarchy", "member_kind"])
    return pd.concat(pieces, ignore_index=True)


def _hierarchy(kind: pd.Series, code: str) -> str:
    k = kind.get(code)
    if k not in _HIERARCHY_OF_KIND:
        raise DataError(
            f"area {code} is a {k}: aggregates are computed for regions, groups, the World and "
            "(from cities) countries; give an M49 region or group code such as 202 or 1"
        )
    return _HIERARCHY_OF_KIND[str(k)]


def _series(code: str) -> Series:
    catalogue = load_catalogue()
    series = catalogue.series.get(code.upper())
    if series is None:
        raise DataError(
            f"unknown series {code!r}; list the catalogue's series with `urbanagenda series`"
        )
    return series


_WEIGHTS: dict[tuple[str, str], tuple[tuple[int, int], pd.DataFrame | None]] = {}
_WEIGHTS_LOCK = threading.Lock()


def _weight_frame(engine: Engine, series_code: str) -> pd.DataFrame | None:
    """The weight series (e.g. population) of every area and year.  Read once per engine
    and state of the weight series: the stamp (count and latest load of its rows) changes
    when a load touches it."""
    o = s.observation
    stamp_stmt = select(func.count(), func.coalesce(func.max(o.c.load_id), 0)).where(
        o.c.series_code == series_code
    )
    with engine.connect() as conn:
        count, last = conn.execute(stamp_stmt).one()
    stamp = (int(count), int(last))
    key = (f"{engine.url}#{id(engine)}", series_code)
    with _WEIGHTS_LOCK:
        hit = _WEIGHTS.get(key)
    if hit is not None and hit[0] == stamp:
        return None if hit[1] is None else hit[1].copy()
    obs = read_observations(engine, series=[series_code])
    obs = obs[obs["location"] == "_T"]
    frame = (
        None
        if obs.empty
        else obs[["area_code", "year", "value"]].rename(columns={"value": "weight"})
    )
    with _WEIGHTS_LOCK:
        if len(_WEIGHTS) > 32:
            _WEIGHTS.clear()
        _WEIGHTS[key] = (stamp, frame)
    return None if frame is None else frame.copy()


def _population(engine: Engine, config: AggregationConfig, key: str) -> tuple[
    pd.DataFrame | None, str
]:  # fmt: skip
    code = config.weights.get(key)
    if code is None:
        return None, f"none ({key.replace('_', ' ')} is not in the bundle)"
    frame = _weight_frame(engine, code)
    if frame is None:
        raise MethodError(
            f"the weight {key} comes from series {code}, which has no observations in the "
            "store; load it (`urbanagenda demo` loads the bundled World Bank population)"
        )
    label = {"SP_POP_TOTL": "SP_POP_TOTL (total population, World Bank)"}.get(code, code)
    if key == "population_same_scope":
        label += "; no urban/rural population series, total population for every location"
    return frame, label


def country_values_from_cities(
    obs: pd.DataFrame, areas: Areas, config: AggregationConfig, series: Series
) -> tuple[pd.DataFrame, dict[str, object]]:
    """Country observations: national values where loaded, else the simple mean of the cities."""
    kind = areas.frame.set_index("code")["kind"]
    by_kind = obs["area_code"].map(kind)
    national = obs[by_kind == "country"]
    cities = obs[by_kind == "city"]
    if cities.empty:
        return national, {}
    countries = sorted(cities["area_code"].map(areas.frame.set_index("code")["country_code"])
                       .dropna().unique())  # fmt: skip
    members = membership(countries, areas)
    from_cities = aggregate(
        cities, members, rule="simple_mean", coverage=config.city_to_country_coverage
    )
    from_cities = from_cities[from_cities["value"].notna()]
    have = national[["area_code", *CELL_COLUMNS]].drop_duplicates()
    extra = from_cities.merge(have, on=["area_code", *CELL_COLUMNS], how="left", indicator=True)
    extra = extra[extra["_merge"] == "left_only"].drop(columns="_merge")
    combined = pd.concat(
        [national[["area_code", *CELL_COLUMNS, "value"]], extra[["area_code", *CELL_COLUMNS,
                                                                  "value"]]],
        ignore_index=True,
    )  # fmt: skip
    note = {
        "country_values": "national value where loaded, else the simple mean of the country's "
        "cities (no city population in the bundle)",
        "city_weight": f"{series.aggregation_weight}: not available, none (simple mean)",
        "countries_from_cities": int(extra["area_code"].nunique()),
        "countries_with_national_values": int(national["area_code"].nunique()),
    }
    return combined, note


def aggregate_series(
    engine: Engine,
    series_code: str,
    *,
    areas: Sequence[str] | None = None,
    years: tuple[int | None, int | None] | Sequence[int] | None = None,
    rule: str | None = None,
    config: AggregationConfig | None = None,
) -> pd.DataFrame:
    """Aggregate one series from the store for regions and groups (default: every SDG region
    and sub-region, LDC, LLDC, SIDS and the World).

    ``years``: a (first, last) range, or a list of years.  ``rule``: override the series' own
    rule.  Returns the columns of :func:`~urbanagenda.assess.aggregate.aggregate` plus
    ``series_code``, ``unit``, ``hierarchy``, ``member_kind`` and ``parameters`` (a dict).
    """
    series = _series(series_code)
    config = config or load_aggregation_config()
    all_areas = load_areas()
    rule = rule or series.aggregation
    if rule == "none":
        raise MethodError(
            f"series {series.code} declares no aggregation rule (catalogue: aggregation none, "
            "e.g. a ratio of rates that does not add up); pass a rule such as simple_mean to "
            "compute one anyway"
        )
    if rule not in RULES:
        raise MethodError(f"unknown aggregation rule {rule!r}; expected one of {RULES}")
    groups = _groups(areas, all_areas)
    year_range, year_list = _years(years)
    members = membership(groups, all_areas)

    obs = read_observations(engine, series=[series.code], years=year_range)
    frames = []
    for hierarchy, part in members.groupby("hierarchy", sort=True):
        result = _aggregate_level(
            engine, series, obs, part, rule, config, all_areas, str(hierarchy), year_list
        )
        frames.append(result)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if out.empty:
        return out
    order = {g: i for i, g in enumerate(groups)}
    out = out.sort_values(
        ["area_code", *CELL_COLUMNS], key=lambda c: c.map(order) if c.name == "area_code" else c
    )
    return out.reset_index(drop=True)


def _groups(areas: Sequence[str] | None, all_areas: Areas) -> list[str]:
    if not areas:
        return default_groups(all_areas)
    groups = []
    for raw in areas:
        code = all_areas.resolve(raw)
        if code is None:
            raise DataError(
                f"unknown area {raw!r}: expected an M49 region or group code such as 202 "
                "(Sub-Saharan Africa) or 1 (World); list them with `urbanagenda areas --kind "
                "sdg_region`"
            )
        groups.append(code)
    return groups


def _years(
    years: tuple[int | None, int | None] | Sequence[int] | None,
) -> tuple[tuple[int | None, int | None] | None, list[int] | None]:
    """The range to read, and the years every group gets a row for (None: years with data).

    A (first, last) tuple is a range (one year when first == last); a list names years.
    """
    if years is None:
        return None, None
    if isinstance(years, tuple) and len(years) == 2:
        first, last = years
        if first is not None and first == last:
            return (first, last), [int(first)]
        return (first, last), None
    wanted = sorted({int(y) for y in years})
    if not wanted:
        return None, None
    return (wanted[0], wanted[-1]), wanted


def _aggregate_level(
    engine: Engine,
    series: Series,
    obs: pd.DataFrame,
    members: pd.DataFrame,
    rule: str,
    config: AggregationConfig,
    areas: Areas,
    hierarchy: str,
    years: list[int] | None,
) -> pd.DataFrame:
    member_kind = str(members["member_kind"].iloc[0])
    parameters: dict[str, object] = {
        "method": "METHODS.md section 2",
        "config_version": config.version,
        "weight_year_tolerance": config.weight_year_tolerance,
    }
    if member_kind == "country":
        values, note = country_values_from_cities(obs, areas, config, series)
        parameters.update(note)
        coverage = config.coverage_for(rule, series.code)
    else:
        values = obs[obs["area_code"].map(areas.frame.set_index("code")["kind"]) == "city"]
        coverage = config.city_to_country_coverage
    kwargs: dict[str, object] = {}
    weight_source: str | None = None
    population, population_label = _population(engine, config, "total_population")
    if member_kind == "city":
        if rule in ("population_weighted_mean", "sum_of_parts"):
            rule, weight_source = "simple_mean", "none (simple mean)"
            parameters["fallback"] = (
                f"{series.aggregation_weight or 'city population'} is not in the bundle: "
                "simple mean of the cities"
            )
    elif rule == "population_weighted_mean":
        key = series.aggregation_weight or "total_population"
        if key == "city_population":  # countries from cities: weight by the country's people
            key = "total_population"
            parameters["weight_note"] = (
                "city population is not in the bundle: countries weighted by total population"
            )
        weights, weight_source = _population(engine, config, key)
        if "weight_note" in parameters:
            weight_source += (
                "; city population not in the bundle: countries weighted by total population"
            )
        if weights is None:
            rule, weight_source = "simple_mean", weight_source + " (simple mean)"
        kwargs["weights"] = weights
        kwargs["coverage_weights"] = weights
    elif rule == "sum_of_parts":
        kwargs.update(_parts(engine, series, values, config, parameters))
        weight_source = str(parameters.pop("_weight_source"))
        kwargs["coverage_weights"] = population
        parameters["coverage_weight"] = population_label
    else:
        kwargs["coverage_weights"] = population
        weight_source = "none (simple mean)" if rule == "simple_mean" else None
        parameters["coverage_weight"] = population_label
    parameters["coverage"] = coverage.as_dict()
    result = aggregate(
        values,
        members[["group", "member"]],
        rule=rule,
        coverage=coverage,
        years=years,
        weight_source=weight_source,
        weight_year_tolerance=config.weight_year_tolerance,
        **kwargs,  # type: ignore[arg-type]
    )
    result.insert(0, "series_code", series.code)
    result.insert(list(result.columns).index("value") + 1, "unit", series.unit)
    result["hierarchy"] = hierarchy
    result["member_kind"] = member_kind
    result["parameters"] = pd.Series(
        [dict(parameters) for _ in range(len(result))], index=result.index, dtype=object
    )
    return result


def _parts(
    engine: Engine,
    series: Series,
    values: pd.DataFrame,
    config: AggregationConfig,
    parameters: dict[str, object],
) -> dict[str, object]:
    spec = config.parts.get(series.code)
    if spec is None:
        raise MethodError(
            f"series {series.code} is aggregated as a sum of parts ({series.numerator} / "
            f"{series.denominator}) but assess/config/aggregation.yaml does not say which "
            "series are its numerator and denominator; add them under 'series', or pass "
            "rule population_weighted_mean or simple_mean"
        )
    numerator = read_observations(engine, series=[spec.numerator])
    if numerator.empty:
        raise MethodError(
            f"the numerator of {series.code}, {spec.numerator}, has no observations in the "
            "store; load it (the demo loads the UN-Habitat slum estimates)"
        )
    key = ["area_code", *CELL_COLUMNS]
    if spec.denominator == "derived":
        both = numerator[[*key, "value"]].merge(
            values[[*key, "value"]], on=key, suffixes=("_num", "_ratio")
        )
        ratio = both["value_ratio"] / spec.scale
        denominator = both[key].assign(value=(both["value_num"] / ratio).where(ratio > 0, np.nan))
        label = (
            f"{series.denominator} derived per member and year as {spec.numerator} / "
            f"({series.code} / {spec.scale:g})"
        )
    else:
        raw = read_observations(engine, series=[spec.denominator])
        denominator = raw[raw["location"] == "_T"].drop(columns="location")
        # the denominator (e.g. total population) applies to every location of the numerator
        denominator = numerator[key].merge(
            denominator[["area_code", "year", "value"]], on=["area_code", "year"]
        )
        label = f"{series.denominator} ({spec.denominator})"
    parameters.update(
        {
            "numerator": spec.numerator,
            "denominator": spec.denominator,
            "scale": spec.scale,
        }
    )
    parameters["_weight_source"] = label
    return {"numerator": numerator, "denominator": denominator, "scale": spec.scale}


# --------------------------------------------------------------------------- store & compare


def store_aggregates(engine: Engine, computed: pd.DataFrame) -> int:
    """Upsert the rows of ``computed`` that have a value into ``aggregate_value`` (by its unique
    key: series, area, year, disaggregation, rule, hierarchy).  Returns the rows written."""
    rows = computed[computed["value"].notna()]
    if rows.empty:
        return 0
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            latest = conn.execute(select(func.max(s.load_run.c.id))).scalar()
            records = [
                {
                    **{c: r[c] for c in ("series_code", "area_code", *CELL_COLUMNS)},
                    "year": int(r["year"]),
                    "value": float(r["value"]),
                    "unit": r["unit"],
                    "rule": r["rule"],
                    "weight_source": r["weight_source"],
                    "hierarchy": r["hierarchy"],
                    "member_kind": r["member_kind"],
                    "n_members": int(r["n_members"]),
                    "n_with_data": int(r["n_with_data"]),
                    "coverage_members": float(r["coverage_members"]),
                    "coverage_weight": None
                    if pd.isna(r["coverage_weight"])
                    else float(r["coverage_weight"]),
                    "parameters": json.loads(json.dumps(r["parameters"], default=str)),
                    "computed_at": now,
                    "data_as_of_load": latest,
                }
                for r in rows.to_dict("records")
            ]
            stmt = _upsert(engine)(s.aggregate_value).values(records)
            unique = (
                "series_code", "area_code", "year", "sex", "age", "location", "breakdown",
                "rule", "hierarchy",
            )  # fmt: skip
            stmt = stmt.on_conflict_do_update(
                index_elements=list(unique),
                set_={c: stmt.excluded[c] for c in records[0] if c not in unique},
            )
            conn.execute(stmt)
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot write aggregates to {engine.url!r}: {exc}. Is the database migrated to "
            "revision 0002? Run `urbanagenda init`."
        ) from exc
    return len(records)


def _upsert(engine: Engine):  # type: ignore[no-untyped-def]
    """The dialect's INSERT with ON CONFLICT DO UPDATE (SQLite and PostgreSQL have it)."""
    from sqlalchemy.dialects import postgresql, sqlite

    if engine.dialect.name == "postgresql":
        return postgresql.insert
    if engine.dialect.name == "sqlite":
        return sqlite.insert
    raise StoreError(f"aggregates can be stored in SQLite or PostgreSQL, not {engine.dialect.name}")


def compare_official(computed: pd.DataFrame, engine: Engine) -> pd.DataFrame:
    """``computed`` with ``official_value``, ``difference`` (computed - official) and
    ``relative_difference`` (difference / official) where an observation is loaded on the
    same series, area, year and disaggregation (an official aggregate); NaN elsewhere."""
    out = computed.copy()
    if out.empty:
        return out.assign(official_value=[], official_source=[], difference=[],
                          relative_difference=[])  # fmt: skip
    official = read_observations(
        engine,
        series=sorted(out["series_code"].unique()),
        areas=sorted(out["area_code"].unique()),
        years=(int(out["year"].min()), int(out["year"].max())),
    )
    official = official[[*_KEY, "value", "source"]].rename(
        columns={"value": "official_value", "source": "official_source"}
    )
    out = out.merge(official, on=_KEY, how="left")
    out["difference"] = out["value"] - out["official_value"]
    out["relative_difference"] = out["difference"] / out["official_value"].where(
        out["official_value"] != 0
    )
    return out
