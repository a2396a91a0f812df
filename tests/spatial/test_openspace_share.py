"""11.7.1 streets and open public space: a hand-made block, access, CRS checks."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from urbanagenda.errors import MethodError
from urbanagenda.spatial.network import WalkNetwork
from urbanagenda.spatial.open_space import open_space_share, read_osm_streets_and_open_spaces

CRS = "EPSG:32628"


def _layers() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    # a 1,000 m × 1,000 m built-up area with one 8 m residential street across it (8,000 m²)
    # and a 100 m × 100 m park (10,000 m²) beside the street
    built = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1000, 1000)], crs=CRS)
    streets = gpd.GeoDataFrame(
        {"highway": ["residential", "bus_stop"]},
        geometry=[
            shapely.LineString([(0, 500), (1000, 500)]),
            shapely.LineString([(0, 0), (1, 1)]),
        ],
        crs=CRS,
    )
    parks = gpd.GeoDataFrame(geometry=[shapely.box(100, 600, 200, 700)], crs=CRS)
    return built, streets, parks


def test_hand_computed_share() -> None:
    built, streets, parks = _layers()
    result = open_space_share(built, streets, parks)
    assert result.components["street_area_m2"] == pytest.approx(8000)
    assert result.components["open_space_area_m2"] == pytest.approx(10_000)
    assert result.value == pytest.approx(1.8)
    assert result.components["classes_without_width"] == ["bus_stop"]


def test_overlap_counted_once_and_widths_configurable() -> None:
    built, streets, parks = _layers()
    parks = gpd.GeoDataFrame(geometry=[shapely.box(100, 490, 200, 510)], crs=CRS)  # a square
    result = open_space_share(built, streets, parks, street_widths_m={"residential": 20})
    # street 20,000 m², square 2,000 m², of which 100 × 20 = 2,000 m² inside the street
    assert result.components["overlap_m2"] == pytest.approx(2000)
    assert result.value == pytest.approx(2.0)


def test_population_access_euclidean_and_network() -> None:
    built, streets, parks = _layers()
    population = gpd.GeoDataFrame(
        {"population": [100.0, 300.0]},
        geometry=[shapely.Point(150, 900), shapely.Point(900, 100)],
        crs=CRS,
    )
    result = open_space_share(built, streets, parks, population=population)
    access = result.components["access"]
    assert access["method"] == "euclidean"
    assert access["share_percent"] == pytest.approx(25.0)
    # a network along the street: the far point walks > 400 m, the near one < 400 m
    xy = np.array([[150, 900], [150, 700], [150, 500], [900, 500], [900, 100]], dtype=float)
    network = WalkNetwork.from_edges(CRS, xy, [0, 1, 2, 3], [1, 2, 3, 4])
    result = open_space_share(built, streets, parks, population=population, network=network)
    assert result.components["access"]["method"] == "network"
    assert result.components["access"]["share_percent"] == pytest.approx(25.0)
    # scaling the population leaves the share unchanged
    scaled = population.assign(population=population["population"] * 10)
    again = open_space_share(built, streets, parks, population=scaled)
    assert again.components["access"]["share_percent"] == pytest.approx(25.0)


def test_invariant_to_an_equivalent_projected_crs() -> None:
    built, streets, parks = _layers()
    base = open_space_share(built, streets, parks).value
    # UTM 28N with another false easting: the same metres, other coordinates
    other = "+proj=tmerc +lon_0=-15 +k=0.9996 +x_0=700000 +y_0=0 +datum=WGS84 +units=m"
    moved = [g.to_crs(other) for g in (built, streets, parks)]
    assert open_space_share(*moved).value == pytest.approx(base, rel=1e-9)


def test_crs_errors() -> None:
    built, streets, parks = _layers()
    with pytest.raises(MethodError, match="projected CRS in metres"):
        open_space_share(built.to_crs("EPSG:4326"), streets, parks)
    with pytest.raises(MethodError, match="reproject"):
        open_space_share(built, streets.to_crs("EPSG:32629"), parks)
    with pytest.raises(MethodError, match="empty"):
        open_space_share(gpd.GeoDataFrame(geometry=[shapely.Polygon()], crs=CRS), streets, parks)


def _square(way_id: int, first_node: int, x0: float, tags: dict[str, str]) -> tuple[str, str]:
    """Four nodes and a closed way (a 0.001° square at longitude ``x0``) as OSM XML."""
    corners = [(x0, 0.0), (x0 + 0.001, 0.0), (x0 + 0.001, 0.001), (x0, 0.001)]
    nodes = "".join(
        f'<node id="{first_node + i}" version="1" lat="{lat}" lon="{lon}"/>'
        for i, (lon, lat) in enumerate(corners)
    )
    refs = "".join(f'<nd ref="{first_node + i}"/>' for i in (0, 1, 2, 3, 0))
    tag_xml = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
    return nodes, f'<way id="{way_id}" version="1">{refs}{tag_xml}</way>'


def test_open_spaces_the_public_may_not_enter_free_are_left_out(tmp_path: Path) -> None:

    areas = {
        1: {"leisure": "park"},  # public: counts
        2: {"leisure": "garden"},  # a public garden: counts
        3: {"leisure": "garden", "garden:type": "residential"},  # a house's garden
        4: {"leisure": "pitch"},  # an open sports field: counts
        5: {"leisure": "pitch", "access": "members"},  # a club's pitch
        6: {"leisure": "park", "access": "customers"},  # a hotel's grounds
        7: {"leisure": "playground", "access": "private"},
        8: {"leisure": "playground", "access": "permissive"},  # open to all: counts
    }
    nodes, ways = [], []
    for way_id, tags in areas.items():
        n, w = _square(way_id, way_id * 10, way_id * 0.002, tags)
        nodes.append(n)
        ways.append(w)
    path = tmp_path / "spaces.osm"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><osm version="0.6" generator="test">'
        + "".join(nodes)
        + "".join(ways)
        + "</osm>"
    )
    _, spaces = read_osm_streets_and_open_spaces(path, "EPSG:3857")
    assert sorted(int(i) for i in spaces["osm_id"]) == [1, 2, 4, 8]
