"""SDG 11.6.2 — annual mean fine particulate matter (PM2.5), population-weighted.

Follows the SDG 11.6.2 metadata (WHO): the mean concentration over grid cells weighted by the
population living in them, ``Σ(population × PM2.5) / Σ population``; a plain area mean is never
used (METHODS.md §3: cells (100, 10), (50, 40), (0, 90) give 20.0 µg/m³, an area mean 46.7).

Two forms of population:

* a population raster on exactly the grid of the concentration raster (optionally within an
  area polygon, with exact partial-cell coverage of the boundary cells);
* a population grid of polygons (e.g. a 250 m census grid), each polygon taking the
  coverage-weighted mean concentration of the cells it overlaps (exact partial-cell coverage).

Cells or polygons without a concentration value (nodata) are left out; the population they hold
is reported in the components so that the user sees what the value does not cover.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
import shapely

from urbanagenda.errors import MethodError
from urbanagenda.spatial.results import IndicatorResult
from urbanagenda.spatial.zonal import (
    Raster,
    array_sha256,
    check_same_crs,
    frame_sha256,
    zonal_stats,
)

__all__ = ["PM25_UNITS", "population_weighted_mean", "population_weighted_pm25"]

METHOD = "who_population_weighted_pm25"
METHOD_VERSION = "1.0"
#: Spellings accepted for micrograms per cubic metre.
PM25_UNITS = frozenset({"µg/m³", "μg/m³", "ug/m3", "µg/m3", "μg/m3", "microgram/m3"})


def population_weighted_mean(population: Any, concentration: Any) -> float | None:
    """``Σ(population × concentration) / Σ population`` over cells where both are finite.

    >>> population_weighted_mean([100, 50, 0], [10, 40, 90])
    20.0
    """
    pop = np.asarray(population, dtype=np.float64)
    conc = np.asarray(concentration, dtype=np.float64)
    if pop.shape != conc.shape:
        raise MethodError(
            f"11.6.2: population has shape {pop.shape} but concentration {conc.shape}; give "
            "values for the same cells."
        )
    ok = np.isfinite(pop) & np.isfinite(conc)
    if np.any(pop[ok] < 0):
        raise MethodError("11.6.2: population has negative values; check the population input.")
    total = float(pop[ok].sum())
    if total <= 0:
        return None
    return float((pop[ok] * conc[ok]).sum() / total)


def _check_unit(concentration: Raster) -> None:
    if concentration.unit not in PM25_UNITS:
        raise MethodError(
            f"11.6.2: the concentration raster {concentration.name!r} is in "
            f"{concentration.unit!r}; PM2.5 must be in µg/m³ (one of {sorted(PM25_UNITS)}). "
            "Convert it first; units are never converted silently."
        )


def population_weighted_pm25(
    concentration: Raster,
    population: Raster | Any,
    *,
    population_column: str = "population",
    area: Any = None,
    reproject: Literal["none", "polygons"] = "none",
    inputs: Mapping[str, str] | None = None,
) -> IndicatorResult:
    """Population-weighted mean PM2.5 (µg/m³) from a concentration raster and a population.

    ``population`` is a :class:`Raster` on the concentration's grid, or a GeoDataFrame of
    polygons with a ``population_column``.  ``area`` (a polygon, GeoSeries or GeoDataFrame in
    the raster's CRS) restricts a raster population to an area with exact partial-cell
    coverage.  ``reproject="polygons"`` reprojects a polygon grid to the raster's CRS (vertex by
    vertex with pyproj); by default a CRS mismatch is an error.
    """
    _check_unit(concentration)
    checksums = dict(inputs or {})
    checksums.setdefault(concentration.name, concentration.checksum)
    if isinstance(population, Raster):
        return _from_raster(concentration, population, area, checksums)
    return _from_polygons(concentration, population, population_column, reproject, checksums)


def _result(
    value: float | None, components: dict[str, Any], parameters: dict[str, Any], inputs: dict
) -> IndicatorResult:
    if value is None:
        components.setdefault(
            "reason", "no population lives in cells with a PM2.5 value, so there is no mean"
        )
    return IndicatorResult(
        indicator="11.6.2",
        value=value,
        unit="µg/m³",
        components=components,
        method=METHOD,
        method_version=METHOD_VERSION,
        parameters=parameters,
        inputs=inputs,
    )


def _from_raster(
    concentration: Raster, population: Raster, area: Any, inputs: dict[str, str]
) -> IndicatorResult:
    check_same_crs(concentration.crs, population.crs, concentration.name, population.name)
    if not concentration.same_grid(population):
        raise MethodError(
            f"11.6.2: the population raster {population.name!r} is not on the grid of the "
            f"PM2.5 raster {concentration.name!r} (shapes {population.shape} vs "
            f"{concentration.shape}, transforms {tuple(population.transform)[:6]} vs "
            f"{tuple(concentration.transform)[:6]}). Resample the population onto the PM2.5 "
            "grid with a sum (e.g. `gdalwarp -r sum -tr … -te …`), or pass the population as "
            "polygons (one per population cell) to use exact partial-cell coverage."
        )
    inputs.setdefault(population.name, population.checksum)
    pop = np.asarray(population.values, dtype=np.float64)
    pop_valid = population.valid_mask()
    if np.any(pop[pop_valid] < 0):
        raise MethodError(
            f"11.6.2: the population raster {population.name!r} has negative cells; check it."
        )
    pm_valid = concentration.valid_mask()
    parameters: dict[str, Any] = {"population": "raster", "area": area is not None}
    if area is None:
        both = pm_valid & pop_valid
        weights = np.where(both, pop, 0.0)
        total = float(weights.sum())
        weighted = float((weights * np.where(both, concentration.values, 0.0)).sum())
        components: dict[str, Any] = {
            "population": total,
            "population_weighted_sum": weighted,
            "cells": int(both.sum()),
            "cells_without_pm25": int((~pm_valid).sum()),
            "population_without_pm25": float(pop[~pm_valid & pop_valid].sum()),
            "cells_without_population": int((~pop_valid).sum()),
        }
        return _result(weighted / total if total > 0 else None, components, parameters, inputs)
    areas = _as_polygons(area, concentration.crs)
    inputs.setdefault("area", frame_sha256(pd.DataFrame({"geometry": np.asarray(areas)})))
    pop_raster = Raster(
        np.where(pop_valid, pop, 0.0),
        population.transform,
        population.crs,
        population.unit,
        name=population.name,
        checksum=population.checksum,
    )
    with_pm = zonal_stats(concentration, areas, weights=pop_raster, workers=1)
    all_pop = zonal_stats(pop_raster, areas, workers=1)
    total = float(with_pm["weight"].sum())
    weighted = float(with_pm["weighted_sum"].sum())
    components = {
        "population": total,
        "population_weighted_sum": weighted,
        "population_in_area": float(all_pop["sum"].sum()),
        "population_without_pm25": float(all_pop["sum"].sum()) - total,
        "cells_covered": float(with_pm["count"].sum()),
        "cells_without_pm25": float(with_pm["nodata_count"].sum()),
        "coverage": "exact partial-cell coverage of the area's boundary cells",
    }
    return _result(weighted / total if total > 0 else None, components, parameters, inputs)


def _as_polygons(area: Any, crs: Any) -> Any:
    import geopandas as gpd

    if isinstance(area, shapely.Geometry):
        raise MethodError(
            "11.6.2: give the area as a GeoSeries or GeoDataFrame with its CRS, not a bare "
            "shapely geometry, so that its CRS can be checked against the raster's."
        )
    series = area.geometry if isinstance(area, gpd.GeoDataFrame) else area
    check_same_crs(getattr(series, "crs", None), crs, "the area", "the PM2.5 raster")
    return series


def _from_polygons(
    concentration: Raster,
    grid: Any,
    column: str,
    reproject: str,
    inputs: dict[str, str],
) -> IndicatorResult:
    import geopandas as gpd

    if not isinstance(grid, gpd.GeoDataFrame):
        raise MethodError(
            "11.6.2: population must be a Raster on the PM2.5 grid or a GeoDataFrame of "
            f"polygons with a {column!r} column; got {type(grid).__name__}."
        )
    if column not in grid.columns:
        raise MethodError(
            f"11.6.2: the population grid has no column {column!r} (columns: "
            f"{[c for c in grid.columns if c != 'geometry']}); pass population_column=…"
        )
    if reproject not in ("none", "polygons"):
        raise MethodError(f"11.6.2: reproject must be 'none' or 'polygons', not {reproject!r}.")
    if grid.crs is None:
        check_same_crs(None, concentration.crs, "the population grid", concentration.name)
    inputs.setdefault("population_grid", frame_sha256(grid[[column, grid.geometry.name]]))
    if reproject == "polygons":
        grid = grid.to_crs(concentration.crs)
    check_same_crs(grid.crs, concentration.crs, "the population grid", concentration.name)
    pop = pd.to_numeric(grid[column], errors="coerce").to_numpy(dtype=np.float64)
    if np.any(~np.isfinite(pop)) or np.any(pop < 0):
        bad = np.flatnonzero(~np.isfinite(pop) | (pop < 0))[:10].tolist()
        raise MethodError(
            f"11.6.2: the population column {column!r} has missing or negative values at rows "
            f"{bad}; fix or drop those cells."
        )
    stats = zonal_stats(concentration, grid.geometry, workers=1)
    mean = stats["mean"].to_numpy()
    has_pm = np.isfinite(mean)
    total = float(pop[has_pm].sum())
    weighted = float((pop[has_pm] * mean[has_pm]).sum())
    components = {
        "population": total,
        "population_weighted_sum": weighted,
        "polygons": len(grid),
        "polygons_without_pm25": int((~has_pm).sum()),
        "population_without_pm25": float(pop[~has_pm].sum()),
        "pm25_cells_partly_without_value": float(stats["nodata_count"].sum()),
        "coverage": "each polygon takes the exact-coverage-weighted mean of the PM2.5 cells",
    }
    parameters = {
        "population": "polygons",
        "population_column": column,
        "reproject": reproject,
        "reprojection_method": "pyproj vertex transform of the polygons"
        if reproject == "polygons"
        else None,
    }
    return _result(weighted / total if total > 0 else None, components, parameters, inputs)


def raster_checksum(values: np.ndarray) -> str:
    """Checksum of an in-memory array (re-exported for callers building a Raster)."""
    return array_sha256(values)
