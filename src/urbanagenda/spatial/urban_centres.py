"""Urban centres by the Degree of Urbanisation (stage I, grid level).

Follows the Degree of Urbanisation methodological manual (Eurostat et al., 2021, §2.2 and
annex; GHSL GHS-SMOD): on a grid of 1 km² cells,

1. cells with at least 1,500 inhabitants per km² are dense;
2. dense cells are grouped by 4-connectivity (edges, not corners);
3. groups with at least 50,000 inhabitants are urban centres;
4. holes (non-centre cells enclosed by one centre) smaller than 15 km² are filled;
5. edges are smoothed by the majority rule: a cell not in a centre joins the centre to which at
   least 5 of its 8 neighbours belong; repeated until no cell joins.

All thresholds are parameters.  With a built-up raster on the same grid (``built_up``), a cell
is also dense when at least half its surface is built up (``built_up_share``, 0.5): the
criterion GHSL's GHS-SMOD adds so that business districts, ports and airports with few
residents do not cut a city in two.  The built-up raster is GHS-BUILT-S's surface in m² per
cell (``built_up_unit="m2"``, divided by the cell's area) or a share 0–1 (``"share"``); its
missing cells count as not built up.  The population threshold of a centre is unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from affine import Affine
from scipy import ndimage

from urbanagenda.errors import MethodError
from urbanagenda.spatial.zonal import Raster

__all__ = [
    "UrbanCentreParameters",
    "UrbanCentres",
    "aggregate_population",
    "delineate_urban_centres",
    "grid_to_raster",
]

METHOD = "degurba_2021_urban_centre"
METHOD_VERSION = "1.0"

_FOUR = ndimage.generate_binary_structure(2, 1)


@dataclass(frozen=True)
class UrbanCentreParameters:
    """Thresholds of the Degree of Urbanisation (defaults from the 2021 manual)."""

    density_per_km2: float = 1500.0
    min_population: float = 50_000.0
    max_hole_km2: float = 15.0
    majority: int = 5  # of the 8 neighbours
    cell_km2: float = 1.0
    built_up_share: float = 0.5  # with a built-up raster: a cell this built up is dense too

    def to_dict(self) -> dict[str, float]:
        return {
            "density_per_km2": self.density_per_km2,
            "min_population": self.min_population,
            "max_hole_km2": self.max_hole_km2,
            "majority": self.majority,
            "cell_km2": self.cell_km2,
            "built_up_share": self.built_up_share,
        }


@dataclass(frozen=True, eq=False)
class UrbanCentres:
    """The delineated centres: a label grid (0 = none) and one row per centre."""

    labels: np.ndarray
    transform: Affine
    crs: Any
    table: pd.DataFrame  # centre, population, cells, area_km2, filled_cells, smoothed_cells
    parameters: Mapping[str, Any] = field(default_factory=dict)
    components: Mapping[str, Any] = field(default_factory=dict)
    method: str = METHOD
    method_version: str = METHOD_VERSION

    def polygons(self) -> Any:
        """The centres as a GeoDataFrame (one MultiPolygon per centre)."""
        import geopandas as gpd
        import shapely
        from rasterio import features

        shapes = [
            (int(value), shapely.geometry.shape(geom))
            for geom, value in features.shapes(
                self.labels.astype(np.int32), mask=self.labels > 0, transform=self.transform
            )
        ]
        frame = gpd.GeoDataFrame(
            {"centre": [s[0] for s in shapes]}, geometry=[s[1] for s in shapes], crs=self.crs
        )
        frame = frame.dissolve("centre").reset_index()
        return frame.merge(self.table, on="centre")


def _cell_km2(raster: Raster) -> float:
    from pyproj import CRS

    crs = CRS.from_user_input(raster.crs)
    if not crs.is_projected:
        raise MethodError(
            f"urban centres: the population raster {raster.name!r} is in a geographic CRS "
            f"({crs.to_string()}); cells must be 1 km² on an equal-area grid (e.g. "
            "EPSG:54009 Mollweide, EPSG:3035 LAEA Europe). Reproject or use grid_to_raster."
        )
    factor = crs.axis_info[0].unit_conversion_factor
    return abs(raster.transform.a * raster.transform.e) * factor * factor / 1e6


def _built_up_share(built_up: Raster, population: Raster, unit: str, area_km2: float) -> Any:
    """The built-up share of every cell of ``population``'s grid, 0–1."""
    if unit not in ("m2", "share"):
        raise MethodError(
            f"urban centres: built_up_unit {unit!r} is not known; use 'm2' (GHS-BUILT-S: "
            "built-up surface in m² per cell) or 'share' (0–1)."
        )
    if not built_up.same_grid(population):
        raise MethodError(
            f"urban centres: the built-up raster {built_up.name!r} ({built_up.shape}) is not "
            f"on the grid of the population raster {population.name!r} ({population.shape}); "
            "resample it to the same 1 km cells (e.g. gdalwarp -tr 1000 1000 -r sum for m², "
            "-r average for a share) and the same extent."
        )
    values = np.where(built_up.valid_mask(), np.asarray(built_up.values, np.float64), 0.0)
    share = values / (area_km2 * 1e6) if unit == "m2" else values
    if np.any(share < 0) or np.any(share > 1 + 1e-9):
        raise MethodError(
            f"urban centres: the built-up raster {built_up.name!r} has cells outside 0–100 % "
            f"(min {share.min():.3g}, max {share.max():.3g} as a share) with built_up_unit "
            f"{unit!r}; check the unit (m² per cell, or a share 0–1)."
        )
    return share


def delineate_urban_centres(
    population: Raster,
    parameters: UrbanCentreParameters | None = None,
    *,
    built_up: Raster | None = None,
    built_up_unit: str = "m2",
) -> UrbanCentres:
    """Urban centres from a population raster of 1 km² cells (people per cell); with
    ``built_up`` (same grid), cells at least ``built_up_share`` built up are dense too."""
    p = parameters or UrbanCentreParameters()
    area = _cell_km2(population)
    if abs(area - p.cell_km2) > 1e-6 * p.cell_km2:
        raise MethodError(
            f"urban centres: the cells of {population.name!r} are {area:g} km², not "
            f"{p.cell_km2:g} km². Aggregate the population first (aggregate_population for a "
            "finer grid whose cells nest in 1 km cells, e.g. 250 m or 100 m)."
        )
    pop = np.where(population.valid_mask(), np.asarray(population.values, np.float64), 0.0)
    if np.any(pop < 0):
        raise MethodError(
            f"urban centres: the population raster {population.name!r} has negative cells."
        )
    by_density = pop >= p.density_per_km2 * area
    dense = by_density
    if built_up is not None:
        share = _built_up_share(built_up, population, built_up_unit, area)
        dense = by_density | (share >= p.built_up_share)
    clusters, n = ndimage.label(dense, structure=_FOUR)
    if n:
        totals = ndimage.sum_labels(pop, clusters, index=np.arange(1, n + 1))
        keep = np.flatnonzero(totals >= p.min_population) + 1
    else:
        keep = np.array([], dtype=np.int64)
    labels = np.zeros(pop.shape, dtype=np.int32)
    for new, old in enumerate(keep, start=1):
        labels[clusters == old] = new
    core = labels.copy()
    labels = _fill_holes(labels, len(keep), max_cells=p.max_hole_km2 / area)
    filled = labels.copy()
    labels, rounds = _smooth(labels, p.majority)
    rows = []
    for centre in range(1, len(keep) + 1):
        cells = labels == centre
        rows.append(
            {
                "centre": centre,
                "population": float(pop[cells].sum()),
                "cells": int(cells.sum()),
                "area_km2": float(cells.sum() * area),
                "dense_cells": int((core == centre).sum()),
                "filled_cells": int(((filled == centre) & (core != centre)).sum()),
                "smoothed_cells": int(((labels == centre) & (filled != centre)).sum()),
            }
        )
    table = pd.DataFrame(
        rows,
        columns=[
            "centre",
            "population",
            "cells",
            "area_km2",
            "dense_cells",
            "filled_cells",
            "smoothed_cells",
        ],
    )
    components = {
        "dense_cells": int(dense.sum()),
        "dense_by_built_up_only": int((dense & ~by_density).sum()),
        "built_up_raster": built_up.name if built_up is not None else None,
        "built_up_sha256": built_up.checksum if built_up is not None else None,
        "dense_clusters": int(n),
        "clusters_below_min_population": int(n - len(keep)),
        "smoothing_rounds": rounds,
        "population_total": float(pop.sum()),
        "population_in_centres": float(table["population"].sum()),
        "raster": population.name,
        "raster_sha256": population.checksum,
    }
    return UrbanCentres(
        labels=labels,
        transform=population.transform,
        crs=population.crs,
        table=table,
        parameters=p.to_dict(),
        components=components,
    )


def _fill_holes(labels: np.ndarray, n: int, max_cells: float) -> np.ndarray:
    out = labels.copy()
    for centre in range(1, n + 1):
        mask = labels == centre
        holes = ndimage.binary_fill_holes(mask) & ~mask
        if not holes.any():
            continue
        parts, k = ndimage.label(holes, structure=_FOUR)
        sizes = ndimage.sum_labels(holes, parts, index=np.arange(1, k + 1))
        small = np.flatnonzero(sizes < max_cells) + 1
        out[np.isin(parts, small) & (out == 0)] = centre
    return out


def _smooth(labels: np.ndarray, majority: int) -> tuple[np.ndarray, int]:
    """Add cells with at least ``majority`` of 8 neighbours in one centre, until stable."""
    out = labels.copy()
    rounds = 0
    height, width = out.shape
    while True:
        padded = np.pad(out, 1)
        shifts = [
            padded[1 + dr : 1 + dr + height, 1 + dc : 1 + dc + width]
            for dr in (-1, 0, 1)
            for dc in (-1, 0, 1)
            if (dr, dc) != (0, 0)
        ]
        stack = np.stack(shifts)  # (8, h, w)
        best = np.zeros_like(out)
        for s in range(8):
            same = (stack == stack[s]).sum(axis=0)
            hit = (stack[s] > 0) & (same >= majority)
            best = np.where(hit & (best == 0), stack[s], best)
        join = (out == 0) & (best > 0)
        if not join.any():
            return out, rounds
        out[join] = best[join]
        rounds += 1


def aggregate_population(population: Raster, factor: int) -> Raster:
    """Sum ``factor × factor`` blocks of cells (e.g. 4 for 250 m → 1 km); edges padded with 0.

    The raster's origin must lie on the coarse grid you want (cells nest exactly).
    """
    if factor < 1:
        raise MethodError(f"aggregate_population: factor must be ≥ 1, not {factor}.")
    values = np.where(population.valid_mask(), np.asarray(population.values, np.float64), 0.0)
    h, w = values.shape
    H, W = -(-h // factor), -(-w // factor)
    padded = np.zeros((H * factor, W * factor))
    padded[:h, :w] = values
    summed = padded.reshape(H, factor, W, factor).sum(axis=(1, 3))
    t = population.transform
    return Raster(
        summed,
        Affine(t.a * factor, 0, t.c, 0, t.e * factor, t.f),
        population.crs,
        population.unit,
        name=f"{population.name} ×{factor}",
    )


def grid_to_raster(
    grid: Any, column: str, cell_size: float, *, crs: Any, origin: tuple[float, float] = (0, 0)
) -> Raster:
    """Population polygons (a GeoDataFrame) to a raster of ``cell_size`` cells, by centroid.

    Each polygon's population goes to the cell containing its centroid (the stated method; right
    for a census grid finer than ``cell_size`` whose cells nest in it). ``grid`` is reprojected
    to ``crs`` first when it differs (vertex by vertex with pyproj). Cell edges lie on
    ``origin + k·cell_size``.
    """
    if grid.crs is None:
        raise MethodError("grid_to_raster: the population grid has no CRS; set it first.")
    if column not in grid.columns:
        raise MethodError(f"grid_to_raster: no column {column!r} in the population grid.")
    projected = grid.to_crs(crs)
    centroids = projected.geometry.centroid
    x, y = centroids.x.to_numpy(), centroids.y.to_numpy()
    ox, oy = origin
    col = np.floor((x - ox) / cell_size).astype(np.int64)
    row_from_bottom = np.floor((y - oy) / cell_size).astype(np.int64)
    c0, c1 = col.min(), col.max()
    r0, r1 = row_from_bottom.min(), row_from_bottom.max()
    values = np.zeros((r1 - r0 + 1, c1 - c0 + 1))
    np.add.at(
        values,
        (r1 - row_from_bottom, col - c0),
        pd.to_numeric(projected[column]).to_numpy(np.float64),
    )
    transform = Affine(cell_size, 0, ox + c0 * cell_size, 0, -cell_size, oy + (r1 + 1) * cell_size)
    return Raster(values, transform, crs, "persons", name=f"{column} on {cell_size:g} grid")
