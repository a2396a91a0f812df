"""Population as points with a count: from a CSV of points, a vector grid or a raster.

:func:`read_population` is the I/O edge.  Every format ends as a GeoDataFrame of points with a
``population`` column (and optional disaggregation columns) in an explicit CRS: CSV points are
WGS84 ``lon``/``lat``; a vector grid keeps its layer's CRS (cells become representative
points); a raster gives one point per populated cell centre.  A layer without a CRS is an
error, never a guess.  :func:`population_to_crs` reprojects explicitly.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from urbanagenda.errors import MethodError

__all__ = [
    "GROUP_PATTERN",
    "detect_groups",
    "population_points",
    "population_to_crs",
    "read_population",
]

#: Column names taken as disaggregations of population (sex, age, disability) when present.
GROUP_PATTERN = re.compile(
    r"^(pop(ulation)?_)?(female|male|women|men|sex_\w+|age_\w+|\d+_\d+|\d+plus|disab\w*)$",
    re.IGNORECASE,
)
_POP_NAMES = ("population", "pop", "pop_total", "total_population", "inhabitants")
_VECTOR_SUFFIXES = {".gpkg", ".geojson", ".json", ".shp", ".fgb", ".parquet", ".geoparquet"}
_RASTER_SUFFIXES = {".tif", ".tiff", ".vrt", ".img", ".asc"}


def detect_groups(columns: Sequence[str]) -> list[str]:
    """Disaggregation columns among ``columns`` (female, male, age_15_24, disability, …)."""
    return [c for c in columns if GROUP_PATTERN.match(str(c))]


def population_points(
    frame: gpd.GeoDataFrame,
    population_column: str = "population",
    groups: Sequence[str] | None = None,
    source: str = "population",
) -> gpd.GeoDataFrame:
    """Check and normalise a population layer to points with numeric counts.

    Polygons become representative points (inside the polygon).  Raises MethodError on a
    missing CRS, empty or missing geometries, and missing, negative or non-numeric counts.
    """
    if frame.crs is None:
        raise MethodError(
            f"The population layer {source!r} has no CRS. Set it where the data were made "
            "(e.g. gdf.set_crs('EPSG:4326')) or use a file that declares it; it is never guessed."
        )
    if population_column not in frame.columns:
        raise MethodError(
            f"The population layer {source!r} has no column {population_column!r}; columns "
            f"are {[c for c in frame.columns if c != frame.geometry.name]}. Name the count "
            "column (--population-column)."
        )
    geometry = frame.geometry
    empty = geometry.isna() | geometry.is_empty
    if empty.any():
        rows = list(np.flatnonzero(empty.to_numpy())[:5])
        raise MethodError(
            f"The population layer {source!r} has {int(empty.sum())} empty or missing "
            f"geometries (rows {rows}). Remove those rows or give them a location."
        )
    groups = list(groups) if groups is not None else detect_groups(list(frame.columns))
    columns = [population_column, *[g for g in groups if g != population_column]]
    out = {}
    for column in columns:
        if column not in frame.columns:
            raise MethodError(
                f"The population layer {source!r} has no column {column!r} for a "
                "disaggregation; drop it from the groups or add the column."
            )
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() | (values < 0)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise MethodError(
                f"The population layer {source!r}: column {column!r} has {int(bad.sum())} "
                f"missing, negative or non-numeric values (first at row {row}: "
                f"{frame[column].iloc[row]!r}). Counts must be numbers ≥ 0."
            )
        out["population" if column == population_column else column] = values.to_numpy(float)
    kinds = set(geometry.geom_type)
    points = geometry if kinds <= {"Point"} else geometry.representative_point()
    return gpd.GeoDataFrame(out, geometry=points.to_numpy(), crs=frame.crs)


def population_to_crs(population: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    """Reproject population points to ``crs`` (the explicit step before a method)."""
    if population.crs is None:
        raise MethodError("The population points have no CRS; set it before reprojecting.")
    return population.to_crs(crs)


def _read_csv(path: Path, population_column: str | None) -> gpd.GeoDataFrame:
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, ValueError) as exc:
        raise MethodError(f"Cannot read population CSV {str(path)!r}: {exc}.") from exc
    frame.columns = [str(c).strip() for c in frame.columns]
    lower = {c.lower(): c for c in frame.columns}
    lon = lower.get("lon") or lower.get("longitude") or lower.get("x")
    lat = lower.get("lat") or lower.get("latitude") or lower.get("y")
    if lon is None or lat is None:
        raise MethodError(
            f"Population CSV {str(path)!r} needs lon and lat columns (WGS84 degrees); found "
            f"{list(frame.columns)}. Rename the coordinate columns to lon, lat."
        )
    x, y = pd.to_numeric(frame[lon], errors="coerce"), pd.to_numeric(frame[lat], errors="coerce")
    if x.isna().any() or y.isna().any():
        raise MethodError(
            f"Population CSV {str(path)!r}: {int((x.isna() | y.isna()).sum())} rows have no "
            "numeric lon/lat (empty geometries). Remove or fix those rows."
        )
    if (x.abs() > 180).any() or (y.abs() > 90).any():
        raise MethodError(
            f"Population CSV {str(path)!r}: lon/lat outside ±180/±90, so the points are not "
            "WGS84 degrees. Convert them to EPSG:4326 or give a GeoPackage with its CRS."
        )
    column = population_column or _find_population_column(list(frame.columns), path)
    geometry = gpd.points_from_xy(x, y)
    layer = gpd.GeoDataFrame(frame.drop(columns=[lon, lat]), geometry=geometry, crs="EPSG:4326")
    return population_points(layer, column, source=str(path))


def _find_population_column(columns: Sequence[str], path: Path) -> str:
    lower = {str(c).lower(): str(c) for c in columns}
    for name in _POP_NAMES:
        if name in lower:
            return lower[name]
    raise MethodError(
        f"No population column in {str(path)!r} (looked for {list(_POP_NAMES)}; columns "
        f"{list(columns)}). Name it with --population-column."
    )


def _read_vector(path: Path, population_column: str | None) -> gpd.GeoDataFrame:
    try:
        layer = gpd.read_parquet(path) if "parquet" in path.suffix else gpd.read_file(path)
    except Exception as exc:  # pyogrio/arrow errors: translated here
        raise MethodError(f"Cannot read population layer {str(path)!r}: {exc}.") from exc
    column = population_column or _find_population_column(list(layer.columns), path)
    return population_points(layer, column, source=str(path))


def _read_raster(path: Path) -> gpd.GeoDataFrame:
    import rasterio

    try:
        with warnings.catch_warnings():  # a missing CRS is reported below as a MethodError
            warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
            src = rasterio.open(path)
        with src:
            if src.crs is None:
                raise MethodError(
                    f"Population raster {str(path)!r} has no CRS. Assign one with "
                    "gdal_edit.py -a_srs EPSG:<code>; it is never guessed."
                )
            band = src.read(1, masked=True)
            transform, crs = src.transform, src.crs.to_string()
    except rasterio.errors.RasterioError as exc:
        raise MethodError(f"Cannot read population raster {str(path)!r}: {exc}.") from exc
    values = np.ma.filled(band.astype(float), np.nan)
    rows, cols = np.nonzero(np.isfinite(values) & (values > 0))
    if (np.isfinite(values) & (values < 0)).any():
        raise MethodError(
            f"Population raster {str(path)!r} has negative cells; set the nodata value so "
            "they are masked (gdal_edit.py -a_nodata VALUE)."
        )
    # cell centres from the affine transform (x = c + a·col + b·row, y = f + d·col + e·row)
    col_c, row_c = cols + 0.5, rows + 0.5
    xs = transform.c + transform.a * col_c + transform.b * row_c
    ys = transform.f + transform.d * col_c + transform.e * row_c
    frame = gpd.GeoDataFrame(
        {"population": values[rows, cols]},
        geometry=gpd.points_from_xy(np.asarray(xs), np.asarray(ys)),
        crs=crs,
    )
    return population_points(frame, "population", groups=[], source=str(path))


def read_population(path: str | Path, population_column: str | None = None) -> gpd.GeoDataFrame:
    """Read population points from a CSV (lon, lat, population), vector grid or raster."""
    path = Path(path)
    if not path.exists():
        raise MethodError(f"Population file {str(path)!r} does not exist.")
    suffix = path.suffix.lower()
    if suffix in {".csv", ".txt"}:
        points = _read_csv(path, population_column)
    elif suffix in _VECTOR_SUFFIXES:
        points = _read_vector(path, population_column)
    elif suffix in _RASTER_SUFFIXES:
        points = _read_raster(path)
    else:
        raise MethodError(
            f"Population file {str(path)!r}: unknown kind {suffix!r}. Give a CSV of points "
            "(lon, lat, population), a GeoPackage/GeoJSON grid, or a GeoTIFF raster."
        )
    if len(points) == 0:
        raise MethodError(f"Population file {str(path)!r} has no populated points.")
    return points


def group_totals(population: gpd.GeoDataFrame) -> Mapping[str, float]:
    """Total of each population column."""
    return {c: float(population[c].sum()) for c in population.columns if c != "geometry"}
