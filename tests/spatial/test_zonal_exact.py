"""Zonal statistics with exact partial-cell coverage: against exactextract, hand cases, errors."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from affine import Affine
from hypothesis import given, settings
from hypothesis import strategies as st

from urbanagenda.errors import MethodError
from urbanagenda.spatial.zonal import Raster, coverage_fractions, zonal_stats

CRS = "EPSG:3857"


def _polygons(seed: int = 3) -> gpd.GeoDataFrame:
    rng = np.random.default_rng(seed)
    geoms = [
        shapely.Point(rng.uniform(-5, 95), rng.uniform(-5, 75)).buffer(rng.uniform(0.3, 25))
        for _ in range(40)
    ]
    geoms += [
        shapely.Polygon([(3.3, 4.1), (50.7, 10.2), (20.5, 40.9)], [[(20, 15), (25, 15), (22, 25)]]),
        shapely.box(10, 10, 11, 11),
        shapely.box(10.25, 10.25, 10.75, 10.5),
        shapely.MultiPolygon([shapely.box(1, 1, 3, 3), shapely.box(60.5, 60.5, 70.2, 62.7)]),
    ]
    return gpd.GeoDataFrame({"name": range(len(geoms))}, geometry=geoms, crs=CRS)


def _values(seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = rng.normal(10, 3, (70, 90))
    values[5:9, 10:30] = -9999
    values[40, 40] = np.nan
    return values


def test_sums_and_counts_equal_exactextract() -> None:
    from exactextract import exact_extract
    from exactextract.raster import NumPyRasterSource

    polygons, values = _polygons(), _values()
    height, width = values.shape
    source = NumPyRasterSource(
        np.where(np.isnan(values), -9999, values),
        0,
        0,
        width,
        height,
        nodata=-9999,
        srs_wkt=polygons.crs.to_wkt(),
    )
    theirs = exact_extract(source, polygons, ["sum", "count"], output="pandas")
    raster = Raster(values, Affine(1, 0, 0, 0, -1, height), CRS, "x", nodata=-9999)
    for strip_rows in (None, 7, 1):
        ours = zonal_stats(raster, polygons, strip_rows=strip_rows, workers=2)
        np.testing.assert_allclose(ours["sum"], theirs["sum"], rtol=1e-6)
        np.testing.assert_allclose(ours["count"], theirs["count"], rtol=1e-6, atol=1e-9)


def test_hand_computed_half_cells() -> None:
    # 2×2 grid of 10 m cells with values 1, 2 / 3, 4; a box over the left half of the
    # top-left cell and the whole top-right cell
    values = np.array([[1.0, 2.0], [3.0, 4.0]])
    raster = Raster(values, Affine(10, 0, 0, 0, -10, 20), CRS, "x")
    polygons = gpd.GeoSeries([shapely.box(5, 10, 20, 20)], crs=CRS)
    row = zonal_stats(raster, polygons).iloc[0]
    assert row["count"] == pytest.approx(1.5)
    assert row["sum"] == pytest.approx(0.5 * 1 + 2)
    assert row["mean"] == pytest.approx(2.5 / 1.5)
    r0, c0, fractions = coverage_fractions(polygons.iloc[0], raster.transform, raster.shape)
    assert (r0, c0) == (0, 0)
    np.testing.assert_allclose(fractions, [[0.5, 1.0]])


def test_weights_nodata_and_counts() -> None:
    values = np.array([[10.0, 40.0, 90.0], [np.nan, 1.0, 1.0]])
    weights = np.array([[100.0, 50.0, 0.0], [7.0, 0.0, 0.0]])
    t = Affine(1, 0, 0, 0, -1, 2)
    polygons = gpd.GeoSeries([shapely.box(0, 0, 3, 2)], crs=CRS)
    row = zonal_stats(
        Raster(values, t, CRS, "ug/m3"), polygons, weights=Raster(weights, t, CRS, "persons")
    ).iloc[0]
    assert row["weighted_mean"] == pytest.approx(20.0)
    assert row["weight"] == pytest.approx(150.0)
    assert row["nodata_count"] == pytest.approx(1.0)
    assert row["count"] == pytest.approx(5.0)


def test_streams_a_tiled_file_and_matches_in_memory(tmp_path: Path) -> None:
    values = _values().astype("float32")
    height, width = values.shape
    path = tmp_path / "values.tif"
    transform = Affine(100, 0, 500_000, 0, -100, 4_000_000)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=width,
        height=height,
        count=1,
        dtype="float32",
        crs=CRS,
        transform=transform,
        tiled=True,
        blockxsize=16,
        blockysize=16,
        compress="deflate",
        nodata=-9999,
    ) as dst:
        dst.write(values, 1)
    polygons = _polygons().copy()
    polygons.geometry = polygons.geometry.affine_transform([100, 0, 0, -100, 500_000, 4_000_000])
    polygons.geometry = polygons.geometry.affine_transform([1, 0, 0, 1, 0, -100 * height])
    polygons.geometry = polygons.geometry.affine_transform(
        [1, 0, 0, -1, 0, 2 * 4_000_000 - 100 * height]
    )
    from_file = zonal_stats(path, polygons, workers=2)
    in_memory = zonal_stats(Raster(values, transform, CRS, "x", nodata=-9999), polygons)
    np.testing.assert_allclose(from_file["sum"], in_memory["sum"], rtol=1e-9)
    assert from_file["count"].sum() > 0


def test_mismatched_or_missing_crs_empty_and_invalid_polygons() -> None:
    raster = Raster(np.ones((3, 3)), Affine(1, 0, 0, 0, -1, 3), CRS, "x")
    box = shapely.box(0, 0, 1, 1)
    with pytest.raises(MethodError, match="reproject"):
        zonal_stats(raster, gpd.GeoSeries([box], crs="EPSG:4326"))
    with pytest.raises(MethodError, match="no coordinate reference system"):
        zonal_stats(raster, gpd.GeoSeries([box]))
    with pytest.raises(MethodError, match="empty or missing"):
        zonal_stats(raster, gpd.GeoSeries([box, shapely.Polygon()], crs=CRS))
    bowtie = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    with pytest.raises(MethodError, match="make_valid"):
        zonal_stats(raster, gpd.GeoSeries([bowtie], crs=CRS))
    with pytest.raises(MethodError, match="not on the grid"):
        zonal_stats(
            raster,
            gpd.GeoSeries([box], crs=CRS),
            weights=Raster(np.ones((3, 4)), Affine(1, 0, 0, 0, -1, 3), CRS, "persons"),
        )
    with pytest.raises(MethodError, match="no coordinate reference system"):
        Raster(np.ones((2, 2)), Affine(1, 0, 0, 0, -1, 2), None, "x")


@settings(max_examples=40, deadline=None)
@given(
    x=st.floats(-3, 12),
    y=st.floats(-3, 12),
    r=st.floats(0.05, 6),
    cell=st.sampled_from([0.5, 1.0, 3.0]),
)
def test_coverage_sums_to_the_clipped_area(x: float, y: float, r: float, cell: float) -> None:
    transform = Affine(cell, 0, 0, 0, -cell, 10)
    shape = (round(10 / cell), round(10 / cell))
    polygon = shapely.Point(x, y).buffer(r, quad_segs=5)
    _, _, fractions = coverage_fractions(polygon, transform, shape)
    clipped = shapely.clip_by_rect(polygon, 0, 10 - shape[0] * cell, shape[1] * cell, 10)
    assert fractions.sum() * cell * cell == pytest.approx(clipped.area, rel=1e-9, abs=1e-9)
    assert fractions.size == 0 or (fractions.min() >= 0 and fractions.max() <= 1)
