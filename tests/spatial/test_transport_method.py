"""11.2.1 on hand-computed networks (METHODS.md §3) and its properties."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from urbanagenda.errors import MethodError
from urbanagenda.spatial.network import WalkNetwork
from urbanagenda.spatial.results import IndicatorResult
from urbanagenda.spatial.transport_access import (
    TransportAccessParameters,
    distance_to_nearest_stop,
    transport_access,
)

CRS = "EPSG:32722"


def line_network(n: int = 5, spacing: float = 100.0) -> WalkNetwork:
    """Nodes at x = 0, 100, …; edges between neighbours."""
    xy = np.column_stack([np.arange(n) * spacing, np.zeros(n)])
    return WalkNetwork.from_edges(CRS, xy, range(n - 1), range(1, n))


def points(xy: list[tuple[float, float]], crs: str = CRS, **columns: list[object]):
    return gpd.GeoDataFrame(columns, geometry=gpd.points_from_xy(*zip(*xy, strict=True)), crs=crs)


def test_line_network_low_capacity_stop_at_one_end() -> None:
    # 5 nodes 100 m apart; bus stop on node 0; people on every node and off the ends
    net = line_network(5)
    stops = points([(0, 0)], capacity=["low"])
    pop = points(
        [(0, 0), (100, 0), (200, 0), (300, 0), (400, 0), (400, 50), (400, 150), (600, 0)],
        population=[10, 20, 30, 40, 50, 60, 70, 80],
    )
    result = transport_access(net, stops, pop)
    # served: the five nodes (≤ 400 m) and (400, 50): 400 + 50 = 450;
    # (400, 150): 400 + 150 = 550 > 500; (600, 0): 400 + 200 = 600 > 500
    served = 10 + 20 + 30 + 40 + 50 + 60
    assert result.components["population_served"] == served
    assert result.components["population_total"] == 360
    assert result.value == pytest.approx(100 * served / 360)
    assert result.unit == "PT"
    assert result.components["by_capacity"]["high"]["population_served"] == 0
    assert isinstance(result, IndicatorResult)
    assert result.method == "sdg-11.2.1"


def test_boundary_is_inclusive_and_high_capacity_reaches_1000_m() -> None:
    net = line_network(12)  # 0 … 1,100 m
    xy = [(x, 0.0) for x in range(0, 1200, 100)]
    pop = points(xy, population=[1] * 12)
    low = transport_access(net, points([(0, 0)], capacity=["low"]), pop)
    assert low.components["population_points_served"] == 6  # 0 … 500 m, 500 included
    high = transport_access(net, points([(0, 0)], capacity=["high"]), pop)
    assert high.components["population_points_served"] == 11  # 0 … 1,000 m
    assert high.value == pytest.approx(100 * 11 / 12)


def test_stop_off_the_street_adds_its_walk_unless_disabled() -> None:
    net = line_network(6)
    stops = points([(0, 30)], capacity=["low"])  # 30 m from node 0
    pop = points([(400, 0), (500, 0)], population=[1, 1])
    with_snap = transport_access(net, stops, pop)
    assert with_snap.components["population_points_served"] == 1  # 430 ok, 530 not
    without = transport_access(net, stops, pop, TransportAccessParameters(add_snap_distances=False))
    assert without.components["population_points_served"] == 2
    assert with_snap.components["snap_distance_m"]["stops"]["max"] == 30.0


def test_either_class_serves_and_classes_are_reported() -> None:
    net = line_network(21)  # 0 … 2,000 m
    stops = points([(0, 0), (2000, 0)], capacity=["low", "high"])
    pop = points([(300, 0), (800, 0), (1200, 0)], population=[1, 2, 4])
    result = transport_access(net, stops, pop)
    # 300: low (300 ≤ 500); 800: low 800 > 500, high 1200 > 1000 → not; 1200: high 800 ≤ 1000
    assert result.components["population_served"] == 5
    assert result.components["by_capacity"]["low"]["population_served"] == 1
    assert result.components["by_capacity"]["high"]["population_served"] == 4
    assert result.components["by_capacity"]["high"]["stops"] == 1


def test_multi_source_distance_is_the_nearest_stop() -> None:
    net = line_network(5)
    dist, snap = distance_to_nearest_stop(net, np.array([[0.0, 0.0], [400.0, 0.0]]), 1000.0)
    assert list(dist) == [0.0, 100.0, 200.0, 100.0, 0.0]
    assert list(snap) == [0.0, 0.0]
    limited, _ = distance_to_nearest_stop(net, np.array([[0.0, 0.0]]), 150.0)
    assert list(limited[:2]) == [0.0, 100.0] and np.isinf(limited[2:]).all()


def test_disaggregations_by_sex_age_and_disability() -> None:
    net = line_network(10)
    stops = points([(0, 0)], capacity=["low"])
    pop = points(
        [(100, 0), (900, 0)],
        population=[10, 30],
        female=[6, 10],
        male=[4, 20],
        age_65plus=[1, 9],
        disability=[2, 0],
    )
    comp = transport_access(net, stops, pop).components
    assert comp["disaggregation"]["female"]["share"] == pytest.approx(6 / 16)
    assert comp["disaggregation"]["male"]["share"] == pytest.approx(4 / 24)
    assert comp["disaggregation"]["age_65plus"]["share"] == pytest.approx(1 / 10)
    assert comp["disaggregation"]["disability"]["share"] == 1.0
    assert comp["disaggregation_note"] == ""


def test_no_stops_gives_zero_with_a_warning() -> None:
    net = line_network(3)
    stops = points([(0, 0)], capacity=["low"]).iloc[:0]
    result = transport_access(net, stops, points([(0, 0)], population=[5]))
    assert result.value == 0.0
    assert result.components["warnings"]


@pytest.mark.parametrize(
    ("stops_crs", "pop_crs", "message"),
    [
        (CRS, "EPSG:4326", "mixing them is an error"),
        (None, CRS, "no CRS"),
    ],
)
def test_mismatched_or_missing_crs_is_an_error(stops_crs, pop_crs, message) -> None:
    net = line_network(3)
    stops = points([(0, 0)], capacity=["low"])
    stops = stops.set_crs(None, allow_override=True) if stops_crs is None else stops
    pop = points([(0, 0)], crs=pop_crs, population=[1])
    with pytest.raises(MethodError, match=message):
        transport_access(net, stops, pop)


def test_empty_geometry_and_far_away_population_are_errors() -> None:
    from shapely.geometry import Point

    net = line_network(3)
    stops = points([(0, 0)], capacity=["low"])
    empty = gpd.GeoDataFrame({"population": [1, 2]}, geometry=[Point(0, 0), Point()], crs=CRS)
    with pytest.raises(MethodError, match="empty or missing geometries"):
        transport_access(net, stops, empty)
    far = points([(5e6, 5e6)], population=[1])
    with pytest.raises(MethodError, match="extent of the walking network"):
        transport_access(net, stops, far)
    with pytest.raises(MethodError, match="sum to 0"):
        transport_access(net, stops, points([(0, 0)], population=[0]))


def test_geographic_network_is_refused() -> None:
    with pytest.raises(MethodError, match="projected CRS"):
        WalkNetwork.from_edges("EPSG:4326", np.array([[0, 0], [1, 0]]), [0], [1])


coords = st.floats(min_value=0, max_value=1200, allow_nan=False)


@settings(max_examples=40, deadline=None)
@given(
    pts=st.lists(st.tuples(coords, coords, st.integers(0, 1000)), min_size=1, max_size=12),
    scale=st.sampled_from([2.0, 3.0, 10.0, 0.5, 1000.0]),
)
def test_population_scaling_leaves_shares_unchanged(pts, scale) -> None:
    # a 13 × 13 grid, 100 m blocks, one bus stop and one metro station
    n = 13
    ij = np.array([(i, j) for i in range(n) for j in range(n)])
    xy = ij[:, ::-1] * 100.0
    idx = ij[:, 0] * n + ij[:, 1]
    right = idx[ij[:, 1] < n - 1]
    up = idx[ij[:, 0] < n - 1]
    net = WalkNetwork.from_edges(
        CRS, xy, np.concatenate([right, up]), np.concatenate([right + 1, up + n])
    )
    stops = points([(0, 0), (1200, 1200)], capacity=["low", "high"])
    population = [p[2] for p in pts]
    if sum(population) == 0:
        population[0] = 1
    base = transport_access(net, stops, points([p[:2] for p in pts], population=population))
    scaled = transport_access(
        net, stops, points([p[:2] for p in pts], population=[scale * p for p in population])
    )
    assert scaled.value == pytest.approx(base.value, rel=1e-12, abs=1e-12)
    assert (
        scaled.components["population_points_served"] == base.components["population_points_served"]
    )
