"""Urban centres (Degree of Urbanisation) on hand-made grids and the Helsinki 250 m grid."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from affine import Affine

from urbanagenda.errors import MethodError
from urbanagenda.spatial.urban_centres import (
    UrbanCentreParameters,
    aggregate_population,
    delineate_urban_centres,
    grid_to_raster,
)
from urbanagenda.spatial.zonal import Raster

HELSINKI = (
    Path(__file__).parents[1] / "specimens" / "spatial" / "helsinki_population_grid_2020.gpkg"
)
KM = Affine(1000, 0, 0, 0, -1000, 20_000)


def _raster(values: np.ndarray) -> Raster:
    return Raster(values.astype(float), KM, "EPSG:3035", "persons", name="hand")


def test_known_answer_hand_made_grid() -> None:
    pop = np.zeros((12, 12))
    # a 5×5 dense ring of 2,500 each around a 1-cell hole (24 cells, 60,000 people)
    pop[2:7, 2:7] = 2500
    pop[4, 4] = 100  # the hole: < 15 km², filled
    # a diagonal neighbour only (corner contact) is not 4-connected: its own small cluster
    pop[7, 7] = 3000
    # a cell with 5 of 8 neighbours in the centre joins by the majority rule
    pop[7, 3] = 10  # neighbours (6,2),(6,3),(6,4) in; (7,2),(7,4),(8,*) not → 3, stays out
    # a separate dense cluster below 50,000: not a centre
    pop[10, 0:4] = 2000
    centres = delineate_urban_centres(_raster(pop))
    assert len(centres.table) == 1
    row = centres.table.iloc[0]
    assert row["dense_cells"] == 24
    assert row["filled_cells"] == 1
    assert centres.labels[4, 4] == 1
    assert centres.labels[7, 7] == 0
    assert centres.labels[10, 0] == 0
    assert row["population"] == pytest.approx(24 * 2500 + 100)
    assert centres.components["clusters_below_min_population"] == 2


def test_majority_rule_adds_notches() -> None:
    pop = np.zeros((9, 9))
    pop[2:7, 2:7] = 3000
    pop[2, 4] = 0  # a notch on the top edge: 5 of its 8 neighbours are in the centre
    centres = delineate_urban_centres(_raster(pop))
    # a one-cell notch is an enclosed-by-three-sides cell: not a hole, filled by smoothing
    assert centres.labels[2, 4] == 1
    assert centres.table.iloc[0]["smoothed_cells"] == 1


def test_large_hole_is_kept() -> None:
    pop = np.full((10, 10), 2000.0)
    pop[2:7, 2:7] = 0  # 25 km² hole
    centres = delineate_urban_centres(_raster(pop))
    assert centres.labels[4, 4] == 0
    assert centres.table.iloc[0]["filled_cells"] == 0


def test_population_scaling_and_parameters() -> None:
    pop = np.zeros((6, 6))
    pop[1:5, 1:5] = 4000  # 16 cells, 64,000
    assert len(delineate_urban_centres(_raster(pop)).table) == 1
    assert len(delineate_urban_centres(_raster(pop * 0.5)).table) == 0
    strict = UrbanCentreParameters(min_population=100_000)
    assert len(delineate_urban_centres(_raster(pop), strict).table) == 0


def test_wrong_cell_size_or_crs() -> None:
    fine = Raster(np.ones((4, 4)), Affine(250, 0, 0, 0, -250, 1000), "EPSG:3035", "persons")
    with pytest.raises(MethodError, match="aggregate"):
        delineate_urban_centres(fine)
    assert aggregate_population(fine, 4).values.tolist() == [[16.0]]
    with pytest.raises(MethodError, match="geographic"):
        delineate_urban_centres(Raster(np.ones((2, 2)), KM, "EPSG:4326", "persons"))


def test_helsinki_250m_grid_aggregated_to_1km() -> None:
    grid = gpd.read_file(HELSINKI)
    raster = grid_to_raster(grid, "population", 1000.0, crs="EPSG:3067")
    assert raster.values.sum() == pytest.approx(71_724)
    centres = delineate_urban_centres(raster)
    # the extract is the dense inner city only: one cluster of 10 km² and 71,039 people
    assert len(centres.table) == 1
    assert centres.table.iloc[0]["population"] == pytest.approx(71_039)
    polygons = centres.polygons()
    assert polygons.area.sum() == pytest.approx(10e6)


def _built(values: np.ndarray, name: str = "built") -> Raster:
    return Raster(values.astype(float), KM, "EPSG:3035", "m2", name=name)


def test_built_up_cells_join_two_clusters_into_one_centre() -> None:
    # a dense block of 3 × 3 cells (36,000 people) and one of 2 × 3 cells (24,000), each
    # below 50,000, separated by a column of 2 cells with 200 people each (a port, say) that
    # are 60 % built up (600,000 m² of a 1,000,000 m² cell).  By density alone: no centre.
    # With the built-up criterion the column is dense and joins the blocks into one cluster
    # of 36,000 + 400 + 24,000 = 60,400 people: one centre.
    pop = np.zeros((8, 10))
    pop[2:4, 1:4] = 4000  # left block, 6 cells
    pop[4, 1:4] = 4000  # its third row, 3 cells
    pop[2:4, 4] = 200  # the built-up column between the blocks
    pop[2:4, 5:8] = 4000  # right block, 6 cells
    built = np.zeros((8, 10))
    built[2:4, 4] = 600_000  # 60 % of 1 km²
    built[6, 6] = 400_000  # 40 %: below the half, stays out
    assert len(delineate_urban_centres(_raster(pop)).table) == 0
    centres = delineate_urban_centres(_raster(pop), built_up=_built(built))
    assert len(centres.table) == 1
    row = centres.table.iloc[0]
    assert row["population"] == pytest.approx(9 * 4000 + 2 * 200 + 6 * 4000)
    assert row["dense_cells"] == 9 + 2 + 6
    assert centres.components["dense_by_built_up_only"] == 2
    assert centres.labels[2, 4] == 1 and centres.labels[6, 6] == 0
    # the same as a share raster
    shares = delineate_urban_centres(
        _raster(pop), built_up=_built(built / 1e6), built_up_unit="share"
    )
    assert np.array_equal(shares.labels, centres.labels)
    # a higher threshold (70 %) leaves the column out again
    strict = delineate_urban_centres(
        _raster(pop), UrbanCentreParameters(built_up_share=0.7), built_up=_built(built)
    )
    assert len(strict.table) == 0


def test_built_up_raster_on_another_grid_or_in_the_wrong_unit_is_refused() -> None:
    pop = np.full((4, 4), 2000.0)
    with pytest.raises(MethodError, match="not on the grid"):
        delineate_urban_centres(_raster(pop), built_up=_built(np.zeros((5, 5))))
    with pytest.raises(MethodError, match="outside 0–100 %"):
        # m² values read as shares
        delineate_urban_centres(
            _raster(pop), built_up=_built(np.full((4, 4), 500_000.0)), built_up_unit="share"
        )
    with pytest.raises(MethodError, match="built_up_unit"):
        delineate_urban_centres(_raster(pop), built_up=_built(pop), built_up_unit="percent")
