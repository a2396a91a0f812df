"""11.6.2 population-weighted PM2.5: METHODS.md check, raster and polygon grids, bad input."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from affine import Affine

from urbanagenda.errors import MethodError
from urbanagenda.spatial.air_quality import population_weighted_mean, population_weighted_pm25
from urbanagenda.spatial.zonal import Raster

HELSINKI = (
    Path(__file__).parents[1] / "specimens" / "spatial" / "helsinki_population_grid_2020.gpkg"
)
CRS = "EPSG:3035"
T = Affine(1000, 0, 4_000_000, 0, -1000, 3_000_000)


def test_methods_check_twenty_not_the_area_mean() -> None:
    assert population_weighted_mean([100, 50, 0], [10, 40, 90]) == pytest.approx(20.0)
    pm = Raster(np.array([[10.0, 40.0, 90.0]]), T, CRS, "µg/m³", name="pm")
    pop = Raster(np.array([[100.0, 50.0, 0.0]]), T, CRS, "persons", name="pop")
    result = population_weighted_pm25(pm, pop)
    assert result.value == pytest.approx(20.0)
    assert result.unit == "µg/m³"
    assert result.components["population"] == pytest.approx(150.0)
    assert set(result.inputs) == {"pm", "pop"}


def test_nodata_cells_are_left_out_and_counted() -> None:
    pm = Raster(np.array([[10.0, 40.0, -1.0]]), T, CRS, "ug/m3", nodata=-1.0)
    pop = Raster(np.array([[100.0, 50.0, 30.0]]), T, CRS, "persons")
    result = population_weighted_pm25(pm, pop)
    assert result.value == pytest.approx(20.0)
    assert result.components["cells_without_pm25"] == 1
    assert result.components["population_without_pm25"] == pytest.approx(30.0)


def test_area_with_partial_cells() -> None:
    pm = Raster(np.array([[10.0, 40.0]]), T, CRS, "µg/m³")
    pop = Raster(np.array([[100.0, 100.0]]), T, CRS, "persons")
    # the area covers all of the first cell and a quarter of the second
    area = gpd.GeoSeries([shapely.box(4_000_000, 2_999_000, 4_001_250, 3_000_000)], crs=CRS)
    result = population_weighted_pm25(pm, pop, area=area)
    assert result.value == pytest.approx((100 * 10 + 25 * 40) / 125)


def test_polygon_grid_helsinki_is_invariant_to_the_crs_and_to_population_scale() -> None:
    grid = gpd.read_file(HELSINKI)
    # a synthetic 1 km PM2.5 field over the Helsinki grid in ETRS-TM35FIN
    grid_tm = grid.to_crs("EPSG:3067")
    minx, miny, maxx, maxy = grid_tm.total_bounds
    t = Affine(1000, 0, np.floor(minx / 1000) * 1000, 0, -1000, np.ceil(maxy / 1000) * 1000)
    cols = int(np.ceil((maxx - t.c) / 1000)) + 1
    rows = int(np.ceil((t.f - miny) / 1000)) + 1
    values = 5.0 + np.arange(rows * cols, dtype=float).reshape(rows, cols)
    pm = Raster(values, t, "EPSG:3067", "µg/m³", name="pm")
    result = population_weighted_pm25(pm, grid_tm)
    assert result.components["population"] == pytest.approx(71_724)
    assert values.min() <= result.value <= values.max()
    # the same grid handed over in EPSG:4326 and reprojected by the method: same value
    again = population_weighted_pm25(pm, grid, reproject="polygons")
    assert again.value == pytest.approx(result.value, rel=1e-6)
    scaled = grid_tm.assign(population=grid_tm["population"] * 3)
    assert population_weighted_pm25(pm, scaled).value == pytest.approx(result.value)
    with pytest.raises(MethodError, match="reproject"):
        population_weighted_pm25(pm, grid)


def test_bad_inputs() -> None:
    pm = Raster(np.array([[10.0, 40.0]]), T, CRS, "µg/m³")
    with pytest.raises(MethodError, match="µg/m³"):
        population_weighted_pm25(Raster(pm.values, T, CRS, "mg/m3"), pm)
    other = Raster(np.ones((1, 2)), Affine(500, 0, 4_000_000, 0, -500, 3_000_000), CRS, "p")
    with pytest.raises(MethodError, match="not on the grid"):
        population_weighted_pm25(pm, other)
    with pytest.raises(MethodError, match="reproject"):
        population_weighted_pm25(pm, Raster(np.ones((1, 2)), T, "EPSG:3857", "p"))
    grid = gpd.GeoDataFrame({"people": [1.0]}, geometry=[shapely.box(0, 0, 1, 1)], crs=CRS)
    with pytest.raises(MethodError, match="population_column"):
        population_weighted_pm25(pm, grid)
