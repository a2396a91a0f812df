"""Zonal statistics with exact partial-cell coverage.

The coverage fraction of a cell is the share of its area inside the polygon, computed exactly
(the same quantity exactextract computes), not by cell centres.  The algorithm is the
accumulation buffer of anti-aliasing rasterisers: every polygon edge is cut where it crosses a
cell boundary; a piece inside cell ``(r, c)`` with signed height ``dy`` and mean offset ``f``
from the cell's left edge deposits ``dy·(1−f)`` in ``(r, c)`` and ``dy·f`` in ``(r, c+1)``;
a cumulative sum along each row then gives the signed area of the polygon in each cell.  It is
vectorised over edges with NumPy, so there is no Python loop over cells.

:func:`zonal_stats` streams a raster file by strips one block high and the full width, so each
compressed tile is read and decompressed once, and works on strips in a thread pool (rasterio
and NumPy release the GIL while decompressing and summing).  Polygons are cut at strip edges
with :func:`shapely.clip_by_rect`, so a polygon that spans strips is computed piece by piece.

Outputs per polygon: ``sum`` = Σ coverage × value over valid cells, ``count`` = Σ coverage
over valid cells, ``mean`` = sum / count, ``nodata_count`` = Σ coverage over nodata cells and,
with a weights raster on the same grid, ``weighted_sum`` = Σ coverage × weight × value and
``weight`` = Σ coverage × weight (both over cells where value and weight are valid).
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely
from affine import Affine

from urbanagenda.errors import MethodError

__all__ = [
    "Raster",
    "array_sha256",
    "check_same_crs",
    "coverage_fractions",
    "frame_sha256",
    "read_raster",
    "zonal_stats",
]

ZONAL_METHOD = "exact_coverage_accumulation"
ZONAL_METHOD_VERSION = "1.0"


# --------------------------------------------------------------------------- typed inputs


@dataclass(frozen=True, eq=False)
class Raster:
    """A single-band raster held in memory: values, grid, CRS, nodata and unit.

    ``transform`` maps (col, row) to (x, y) for cell corners (rasterio's convention); it must
    be north-up (no rotation).  ``nodata`` cells and NaN are treated as missing.
    """

    values: np.ndarray
    transform: Affine
    crs: Any
    unit: str
    nodata: float | None = None
    name: str = "raster"
    checksum: str = field(default="")

    def __post_init__(self) -> None:
        values = np.asarray(self.values)
        if values.ndim != 2:
            raise MethodError(
                f"raster {self.name!r} has {values.ndim} dimensions; a single band (2-D array) "
                "is expected. Read one band, e.g. dataset.read(1)."
            )
        object.__setattr__(self, "values", values)
        check_transform(self.transform, self.name)
        if self.crs is None or str(self.crs) == "":
            raise MethodError(
                f"raster {self.name!r} has no coordinate reference system; set it (for "
                "example with `rio edit-info --crs EPSG:3035 FILE`) so that it can be matched "
                "with the other inputs."
            )
        if not self.checksum:
            object.__setattr__(self, "checksum", array_sha256(values))

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.values.shape[0]), int(self.values.shape[1]))

    def valid_mask(self) -> np.ndarray:
        """True where the cell has data (not nodata, not NaN)."""
        return _valid(self.values, self.nodata)

    def same_grid(self, other: Raster | _GridOnly) -> bool:
        return self.shape == other.shape and self.transform.almost_equals(
            other.transform, precision=1e-9 * max(abs(self.transform.a), 1e-12)
        )


def check_transform(transform: Affine, name: str) -> None:
    if transform.b != 0 or transform.d != 0:
        raise MethodError(
            f"raster {name!r} is rotated (transform {tuple(transform)[:6]}); only north-up "
            "grids are supported. Warp it first, e.g. `gdalwarp` to a north-up grid."
        )
    if transform.a == 0 or transform.e == 0:
        raise MethodError(f"raster {name!r} has a zero cell size; check its geotransform.")


def _valid(values: np.ndarray, nodata: float | None) -> np.ndarray:
    valid = np.ones(values.shape, dtype=bool)
    if np.issubdtype(values.dtype, np.floating):
        valid &= ~np.isnan(values)
    if nodata is not None and not (isinstance(nodata, float) and math.isnan(nodata)):
        valid &= values != nodata
    return valid


def array_sha256(values: np.ndarray) -> str:
    """SHA-256 of an array's dtype, shape and bytes (the checksum of an in-memory input)."""
    digest = hashlib.sha256()
    arr = np.ascontiguousarray(values)
    digest.update(f"{arr.dtype.str}{arr.shape}".encode())
    digest.update(arr.tobytes())
    return digest.hexdigest()


def frame_sha256(frame: pd.DataFrame) -> str:
    """SHA-256 of a data frame's content (geometries as WKB), for ``IndicatorResult.inputs``."""
    digest = hashlib.sha256()
    for name in frame.columns:
        column = frame[name]
        digest.update(str(name).encode())
        if hasattr(column, "geom_type") or (
            len(column) and isinstance(column.iloc[0], shapely.Geometry)
        ):
            wkb = shapely.to_wkb(np.asarray(column, dtype=object))
            for item in wkb:
                digest.update(b"" if item is None else item)
        else:
            digest.update(pd.util.hash_pandas_object(column, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def read_raster(path: str | Path, *, unit: str, band: int = 1, name: str | None = None) -> Raster:
    """Read one band of a raster file into a :class:`Raster` (an edge function: it does I/O)."""
    import rasterio

    from urbanagenda.spatial.results import file_sha256

    try:
        with rasterio.open(path) as src:
            values = src.read(band)
            transform, crs, nodata = src.transform, src.crs, src.nodata
    except (rasterio.errors.RasterioIOError, IndexError) as exc:
        raise MethodError(
            f"cannot read band {band} of raster {str(path)!r}: {exc}. Check the path and band."
        ) from exc
    if crs is None:
        raise MethodError(
            f"raster {str(path)!r} has no coordinate reference system; set it (e.g. "
            "`rio edit-info --crs EPSG:4326 FILE`) before computing with it."
        )
    return Raster(
        values=values,
        transform=transform,
        crs=crs,
        unit=unit,
        nodata=nodata,
        name=name or Path(path).name,
        checksum=file_sha256(path),
    )


def check_same_crs(a: Any, b: Any, what_a: str, what_b: str) -> None:
    """Raise a MethodError unless both CRS are set and equal (no silent reprojection)."""
    from pyproj import CRS

    for crs, what in ((a, what_a), (b, what_b)):
        if crs is None:
            raise MethodError(
                f"{what} has no coordinate reference system; set it (GeoDataFrame.set_crs or "
                "`rio edit-info --crs`) before combining it with other layers."
            )
    if CRS.from_user_input(a) != CRS.from_user_input(b):
        raise MethodError(
            f"{what_a} is in {CRS.from_user_input(a).to_string()} but {what_b} is in "
            f"{CRS.from_user_input(b).to_string()}; reproject one of them explicitly (e.g. "
            "GeoDataFrame.to_crs for vectors, or warp the raster) before combining them."
        )


# --------------------------------------------------------------------------- coverage


def _split(
    a0: np.ndarray, b0: np.ndarray, a1: np.ndarray, b1: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cut segments (a, b) where ``a`` crosses an integer; the pieces stay in edge order.

    Returns the pieces' ends and, per piece, the segment it came from.  No sort is needed:
    the crossings of one segment are generated in order along it.
    """
    f0, f1 = np.floor(a0), np.floor(a1)
    crossings = np.abs(f1 - f0).astype(np.int64)
    count = crossings + 1
    seg = np.repeat(np.arange(len(a0)), count)
    first = np.cumsum(count) - count
    k = np.arange(len(seg)) - first[seg]  # piece number along its segment
    up = a1[seg] > a0[seg]
    # piece k runs from grid line k (or the start) to grid line k+1 (or the end)
    line_start = np.where(up, f0[seg] + k, f0[seg] - k + 1)
    line_end = np.where(up, f0[seg] + k + 1, f0[seg] - k)
    is_first = k == 0
    is_last = k == crossings[seg]
    pa0 = np.where(is_first, a0[seg], line_start)
    pa1 = np.where(is_last, a1[seg], line_end)
    da = a1[seg] - a0[seg]
    with np.errstate(invalid="ignore", divide="ignore"):
        ts = np.where(is_first, 0.0, (pa0 - a0[seg]) / da)
        te = np.where(is_last, 1.0, (pa1 - a0[seg]) / da)
    db = b1[seg] - b0[seg]
    pb0 = np.where(is_first, b0[seg], b0[seg] + ts * db)
    pb1 = np.where(is_last, b1[seg], b0[seg] + te * db)
    return seg, pa0, pb0, pa1, pb1


def _edge_pieces(
    x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cut edges (pixel coordinates) where they cross grid lines.

    Returns, per piece with non-zero height: the edge it belongs to, its cell row and column,
    its signed height ``dy`` and the offset ``frac`` of its mid-point from the cell's left
    edge.  The piece adds ``dy·(1−frac)`` to its cell and ``dy`` to every cell to its right.
    """
    keep = y0 != y1  # horizontal edges add no area
    edge = np.flatnonzero(keep)
    # first across rows, then across columns
    by_row, ya, xa, yb, xb = _split(y0[keep], x0[keep], y1[keep], x1[keep])
    by_col, xa, ya, xb, yb = _split(xa, ya, xb, yb)
    piece_dy = yb - ya
    xm = 0.5 * (xa + xb)
    ym = 0.5 * (ya + yb)
    col = np.floor(xm)
    return (
        edge[by_row[by_col]],
        np.floor(ym).astype(np.int64),
        col.astype(np.int64),
        piece_dy,
        xm - col,
    )


def _edge_coverage(
    x0: np.ndarray,
    y0: np.ndarray,
    x1: np.ndarray,
    y1: np.ndarray,
    col0: int,
    row0: int,
    width: int,
    height: int,
) -> np.ndarray:
    """Signed area inside each cell of a (height, width) block at (row0, col0).

    Edges are in pixel coordinates (x = column, y = row), all within the block.
    """
    _, row, col, piece_dy, frac = _edge_pieces(x0, y0, x1, y1)
    cols = np.clip(col - col0, 0, width)
    rows = np.clip(row - row0, 0, height - 1)
    stride = width + 1
    flat = rows * stride + cols
    size = height * stride
    acc = np.bincount(
        np.concatenate((flat, flat + 1)),
        weights=np.concatenate((piece_dy * (1.0 - frac), piece_dy * frac)),
        minlength=size + 1,
    )[:size]
    return np.cumsum(acc.reshape(height, stride), axis=1)[:, :width]


def _pixel_edges(
    geometries: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Start and end points of every ring edge of pixel-space polygonal geometries.

    Also returns, per edge, the position of its geometry in ``geometries``.
    """
    parts, part_of = shapely.get_parts(geometries, return_index=True)
    polygonal = shapely.get_type_id(parts) == 3
    parts, part_of = parts[polygonal], part_of[polygonal]
    rings, ring_of = shapely.get_rings(shapely.orient_polygons(parts), return_index=True)
    xy, coord_of = shapely.get_coordinates(rings, return_index=True)
    same = coord_of[1:] == coord_of[:-1]
    owner = part_of[ring_of[coord_of[:-1][same]]]
    return xy[:-1][same], xy[1:][same], owner


def _block_coverage(
    geometry: shapely.Geometry,
) -> tuple[int, int, np.ndarray] | None:
    """(row0, col0, coverage) over the bounding cells of a pixel-space polygonal geometry."""
    if geometry is None or shapely.is_empty(geometry):
        return None
    start, end, _ = _pixel_edges(np.array([geometry], dtype=object))
    if len(start) == 0:
        return None
    minx, miny, maxx, maxy = shapely.bounds(geometry)
    col0, row0 = math.floor(minx), math.floor(miny)
    width = max(math.ceil(maxx) - col0, 1)
    height = max(math.ceil(maxy) - row0, 1)
    cov = _edge_coverage(start[:, 0], start[:, 1], end[:, 0], end[:, 1], col0, row0, width, height)
    if cov.sum() < 0:  # orientation relative to the grid's row direction
        cov = -cov
    np.clip(cov, 0.0, 1.0, out=cov)
    return row0, col0, cov


def _to_pixels(geometries: np.ndarray, transform: Affine) -> np.ndarray:
    inverse = ~transform

    def project(coords: np.ndarray) -> np.ndarray:
        x, y = coords[:, 0], coords[:, 1]
        return np.column_stack(
            (inverse.a * x + inverse.b * y + inverse.c, inverse.d * x + inverse.e * y + inverse.f)
        )

    return shapely.transform(geometries, project)


def coverage_fractions(
    geometry: shapely.Geometry, transform: Affine, shape: tuple[int, int]
) -> tuple[int, int, np.ndarray]:
    """Exact coverage fractions of a polygon on a grid: ``(row0, col0, fractions)``.

    ``fractions[i, j]`` is the share of cell ``(row0+i, col0+j)`` inside the polygon; cells
    outside the grid are cut off.  Returns an empty array when the polygon misses the grid.
    """
    check_transform(transform, "grid")
    height, width = shape
    pixel = _to_pixels(np.array([geometry], dtype=object), transform)[0]
    clipped = shapely.clip_by_rect(pixel, 0, 0, width, height)
    block = _block_coverage(clipped)
    if block is None:
        return 0, 0, np.zeros((0, 0))
    return block


# --------------------------------------------------------------------------- engine


def _check_polygons(polygons: Any) -> np.ndarray:
    geoms = np.asarray(getattr(polygons, "geometry", polygons), dtype=object)
    if geoms.ndim != 1:
        raise MethodError("zonal statistics need a 1-D sequence of polygons (a GeoSeries).")
    missing = np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if len(missing):
        raise MethodError(
            f"{len(missing)} polygon(s) are empty or missing (positions "
            f"{missing[:10].tolist()}); drop them (e.g. gdf[~gdf.is_empty]) or repair them "
            "before computing zonal statistics."
        )
    kinds = set(shapely.get_type_id(geoms).tolist())
    if not kinds <= {3, 6}:
        raise MethodError(
            "zonal statistics need Polygon or MultiPolygon geometries; got "
            f"{sorted(set(shapely.get_type_id(geoms).tolist()))} (GEOS type ids). Buffer "
            "points or lines first if you mean an area around them."
        )
    invalid = np.flatnonzero(~shapely.is_valid(geoms))
    if len(invalid):
        raise MethodError(
            f"{len(invalid)} polygon(s) are invalid (positions {invalid[:10].tolist()}: "
            f"{shapely.is_valid_reason(geoms[invalid[0]])}); repair them with "
            "shapely.make_valid or GeoSeries.make_valid() first."
        )
    return geoms


@dataclass
class _Accumulator:
    n: int
    weighted: bool
    sums: dict[str, np.ndarray] = field(init=False)

    def __post_init__(self) -> None:
        names = ["sum", "count", "nodata_count"]
        if self.weighted:
            names += ["weighted_sum", "weight"]
        self.sums = {k: np.zeros(self.n) for k in names}

    def add(self, other: dict[str, np.ndarray]) -> None:
        for key, value in other.items():
            self.sums[key] += value


def _prefix(table: np.ndarray) -> np.ndarray:
    """Row-wise sums of the columns before each column: ``E[r, c] = Σ_{c' < c} T[r, c']``.

    Two extra columns: ``E[:, width]`` is the row total and ``E[:, width + 1]`` repeats it.
    """
    height, width = table.shape
    out = np.empty((height, width + 2))
    out[:, 0] = 0.0
    np.cumsum(table, axis=1, dtype=np.float64, out=out[:, 1 : width + 1])
    out[:, width + 1] = out[:, width]
    return out


def _strip_sums(
    pixel_geoms: np.ndarray,
    ids: np.ndarray,
    row0: int,
    values: np.ndarray,
    valid: np.ndarray,
    weights: np.ndarray | None,
    n: int,
) -> dict[str, np.ndarray]:
    """Partial sums of the polygons ``ids`` over one strip of rows [row0, row0+len(values)).

    No cell-by-cell coverage is materialised.  The coverage of cell (r, c) is the sum of the
    deposits at (r, c' ≤ c), so with ``S[r, c] = Σ_{c' ≥ c} T[r, c']``, Σ coverage × T equals
    Σ over edge pieces of ``dy·(1−frac)·S[r, c] + dy·frac·S[r, c+1]``.  The deposits of a
    closed ring cancel along each row, so ``S`` can be replaced by minus the prefix sums
    ``E[r, c] = Σ_{c' < c} T[r, c']`` (one cumulative sum per strip).  Each strip thus costs a
    few passes over its cells, and each polygon work in proportion to its perimeter.
    """
    height, width = values.shape
    out = {k: np.zeros(n) for k in ("sum", "count", "nodata_count")}
    if weights is not None:
        out["weighted_sum"] = np.zeros(n)
        out["weight"] = np.zeros(n)
    if len(ids) == 0:
        return out
    clipped = shapely.clip_by_rect(pixel_geoms[ids], 0, row0, width, row0 + height)
    start, end, owner = _pixel_edges(clipped)
    if len(start) == 0:
        return out
    sid, row, col, piece_dy, frac = _edge_pieces(start[:, 0], start[:, 1], end[:, 0], end[:, 1])
    polygon = owner[sid]
    row = np.clip(row - row0, 0, height - 1)
    col = np.clip(col, 0, width)
    here = piece_dy * (1.0 - frac)
    right = piece_dy * frac
    k = len(ids)

    index = row * (width + 2) + col

    def total(prefix: np.ndarray) -> np.ndarray:
        flat = prefix.reshape(-1)
        return -np.bincount(polygon, here * flat[index] + right * flat[index + 1], minlength=k)

    # Area of each polygon piece from the all-ones table (prefix = col): its sign tells the
    # ring orientation relative to the row direction.
    area = -np.bincount(polygon, here * col + right * (col + 1), minlength=k)
    sign = np.where(area < 0, -1.0, 1.0)
    complete = bool(valid.all())
    # NaN × 0 is NaN: blank invalid cells once per strip, only when there are any.
    filled = values if complete else np.where(valid, values, 0)
    sums = {"sum": total(_prefix(filled))}
    if complete:
        sums["count"] = area
        sums["nodata_count"] = np.zeros(k)
    else:
        sums["count"] = total(_prefix(valid))
        sums["nodata_count"] = area - sums["count"]
    if weights is not None:
        sums["weighted_sum"] = total(_prefix(np.where(valid, weights, 0) * filled))
        sums["weight"] = total(_prefix(np.where(valid, weights, 0)))
    for key, value in sums.items():
        out[key][ids] += sign * value
    return out


def _strips(height: int, strip_rows: int) -> Iterator[tuple[int, int]]:
    for start in range(0, height, strip_rows):
        yield start, min(start + strip_rows, height)


def _polygon_rows(pixel_geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    bounds = shapely.bounds(pixel_geoms)
    return np.floor(bounds[:, 1]), np.ceil(bounds[:, 3])


def _finish(acc: _Accumulator, index: pd.Index) -> pd.DataFrame:
    frame = pd.DataFrame(acc.sums, index=index)
    with np.errstate(invalid="ignore", divide="ignore"):
        frame["mean"] = np.where(frame["count"] > 0, frame["sum"] / frame["count"], np.nan)
        if acc.weighted:
            frame["weighted_mean"] = np.where(
                frame["weight"] > 0, frame["weighted_sum"] / frame["weight"], np.nan
            )
    return frame


def zonal_stats(
    raster: Raster | str | Path,
    polygons: Any,
    *,
    weights: Raster | str | Path | None = None,
    workers: int | None = None,
    strip_rows: int | None = None,
    band: int = 1,
) -> pd.DataFrame:
    """Coverage-weighted sums, counts and means of a raster over polygons.

    ``raster`` is an in-memory :class:`Raster` or a path to a raster file (streamed by strips
    of whole tiles, each tile read once).  ``polygons`` is a GeoSeries or GeoDataFrame in the
    raster's CRS (checked; reproject explicitly if it differs).  ``weights`` is an optional
    second raster on exactly the same grid (e.g. population), which adds ``weighted_sum``,
    ``weight`` and ``weighted_mean``.  ``workers`` threads (default: the CPUs, at most 2 per
    strip in flight each) share the strips.  The result is indexed like ``polygons``.
    """
    geoms = _check_polygons(polygons)
    index = getattr(polygons, "index", pd.RangeIndex(len(geoms)))
    workers = workers or min(os.cpu_count() or 1, 8)
    if isinstance(raster, Raster):
        if weights is not None and not isinstance(weights, Raster):
            raise MethodError(
                "give the weights as a Raster when the values are a Raster (or both as paths)."
            )
        return _zonal_in_memory(raster, geoms, polygons, index, weights, workers, strip_rows)
    if weights is not None and isinstance(weights, Raster):
        raise MethodError(
            "give the weights as a path when the values are a path (or both as Raster)."
        )
    return _zonal_file(Path(raster), geoms, polygons, index, weights, workers, strip_rows, band)


def _zonal_in_memory(
    raster: Raster,
    geoms: np.ndarray,
    polygons: Any,
    index: pd.Index,
    weights: Raster | None,
    workers: int,
    strip_rows: int | None,
) -> pd.DataFrame:
    check_same_crs(getattr(polygons, "crs", None), raster.crs, "the polygons", raster.name)
    weight_values = None
    valid = raster.valid_mask()
    if weights is not None:
        _check_weight_grid(raster, weights)
        weight_values = np.asarray(weights.values, dtype=np.float64)
        wvalid = weights.valid_mask()
        weight_values = np.where(wvalid, weight_values, 0.0)
    pixel = _to_pixels(geoms, raster.transform)
    top, bottom = _polygon_rows(pixel)
    height = raster.shape[0]
    rows = strip_rows or max(64, min(512, height))
    acc = _Accumulator(len(geoms), weights is not None)

    def run(span: tuple[int, int]) -> dict[str, np.ndarray]:
        r0, r1 = span
        ids = np.flatnonzero((bottom > r0) & (top < r1))
        w = None if weight_values is None else weight_values[r0:r1]
        return _strip_sums(pixel, ids, r0, raster.values[r0:r1], valid[r0:r1], w, len(geoms))

    spans = list(_strips(height, rows))
    if workers > 1 and len(spans) > 1:
        with ThreadPoolExecutor(workers) as pool:
            for part in pool.map(run, spans):
                acc.add(part)
    else:
        for span in spans:
            acc.add(run(span))
    return _finish(acc, index)


def _check_weight_grid(raster: Raster | _GridOnly, weights: Raster | _GridOnly) -> None:
    check_same_crs(raster.crs, weights.crs, raster.name, weights.name)
    if not raster.same_grid(weights):
        raise MethodError(
            f"the weights raster {weights.name!r} is not on the grid of {raster.name!r} "
            f"(shapes {weights.shape} vs {raster.shape}, transforms {tuple(weights.transform)[:6]}"
            f" vs {tuple(raster.transform)[:6]}); resample one onto the other's grid first "
            "(e.g. `gdalwarp -tr/-te` with the method that suits the variable: sum for counts, "
            "average or bilinear for concentrations)."
        )


def _zonal_file(
    path: Path,
    geoms: np.ndarray,
    polygons: Any,
    index: pd.Index,
    weights_path: str | Path | None,
    workers: int,
    strip_rows: int | None,
    band: int,
) -> pd.DataFrame:
    import rasterio

    try:
        src = rasterio.open(path)
    except rasterio.errors.RasterioIOError as exc:
        raise MethodError(f"cannot open raster {str(path)!r}: {exc}. Check the path.") from exc
    with src:
        check_transform(src.transform, path.name)
        check_same_crs(getattr(polygons, "crs", None), src.crs, "the polygons", path.name)
        transform, height, width, nodata = src.transform, src.height, src.width, src.nodata
        block_rows = src.block_shapes[band - 1][0]
        if weights_path is not None:
            with rasterio.open(weights_path) as wsrc:
                _check_weight_grid(
                    _GridOnly(transform, src.crs, (height, width), path.name),
                    _GridOnly(
                        wsrc.transform, wsrc.crs, (wsrc.height, wsrc.width), Path(weights_path).name
                    ),
                )
                weight_nodata = wsrc.nodata
        else:
            weight_nodata = None
    rows = strip_rows or block_rows
    if rows % block_rows:
        rows = max(block_rows, (rows // block_rows) * block_rows)
    pixel = _to_pixels(geoms, transform)
    top, bottom = _polygon_rows(pixel)
    acc = _Accumulator(len(geoms), weights_path is not None)
    local = threading.local()
    opened: list[Any] = []
    lock = threading.Lock()

    def handles() -> tuple[Any, Any]:
        if not hasattr(local, "src"):
            local.src = rasterio.open(path)
            local.wsrc = rasterio.open(weights_path) if weights_path is not None else None
            with lock:
                opened.extend(h for h in (local.src, local.wsrc) if h is not None)
        return local.src, local.wsrc

    def run(span: tuple[int, int]) -> dict[str, np.ndarray]:
        r0, r1 = span
        src_, wsrc_ = handles()
        window = rasterio.windows.Window(0, r0, width, r1 - r0)
        values = src_.read(band, window=window)
        valid = _valid(values, nodata)
        w = None
        if wsrc_ is not None:
            wv = wsrc_.read(1, window=window).astype(np.float64)
            w = np.where(_valid(wv, weight_nodata), wv, 0.0)
        ids = np.flatnonzero((bottom > r0) & (top < r1))
        return _strip_sums(pixel, ids, r0, values, valid, w, len(geoms))

    spans = list(_strips(height, rows))
    try:
        if workers > 1 and len(spans) > 1:
            with ThreadPoolExecutor(workers) as pool:
                for part in pool.map(run, spans):
                    acc.add(part)
        else:
            for span in spans:
                acc.add(run(span))
    finally:
        for handle in opened:
            handle.close()
    return _finish(acc, index)


@dataclass(frozen=True)
class _GridOnly:
    transform: Affine
    crs: Any
    shape: tuple[int, int]
    name: str

    def same_grid(self, other: Raster | _GridOnly) -> bool:
        return self.shape == other.shape and self.transform.almost_equals(
            other.transform, precision=1e-9 * max(abs(self.transform.a), 1e-12)
        )
