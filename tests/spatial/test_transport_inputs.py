"""11.2.1 inputs: GTFS quirks and frequencies, the OSM walking network, population formats,
and CRS invariance of the whole pipeline."""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from transport_city import grid_city, grid_pbf, write_gtfs

from urbanagenda.errors import MethodError
from urbanagenda.spatial.gtfs import (
    FrequencyFilter,
    StopOptions,
    departures_per_hour,
    read_gtfs,
    stop_table,
)
from urbanagenda.spatial.network import read_walk_network
from urbanagenda.spatial.population import read_population
from urbanagenda.spatial.transport_access import compute_transport_access

CAL = (
    "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
    "WK,1,1,1,1,1,0,0,20240101,20241231\n"
)


def small_feed(tmp_path: Path, **override: str) -> Path:
    tables = {
        # BOM, spaces around header names and values, CRLF
        "stops.txt": "\ufeffstop_id , stop_lat, stop_lon\r\nA, -30.0 ,-51.2\r\nB,-30.001,-51.2\r\n"
        "C,-30.002,-51.2\r\nS,-30.003,-51.2\r\nX,-30.004,-51.2\r\n",
        "routes.txt": "route_id,route_short_name,route_type\nBUS,10,3\nMET,M,1\nBRT,B1,3\n",
        "trips.txt": "route_id,service_id,trip_id\nBUS,WK,t1\nBUS,WK,t2\nMET,WK,m1\nBRT,WK,r1\n",
        "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "t1,07:10:00,07:10:00,A,1\nt1,,,B,2\nt1,07:30:00,07:30:00,C,3\n"
        "t2,08:50:00,08:50:00,A,1\nt2,09:10:00,09:10:00,B,2\n"
        "m1,07:00:00,07:00:00,S,1\nm1,07:05:00,07:05:00,C,2\n"
        "r1,7:00:00,7:00:00,X,1\n",
        "calendar.txt": CAL,
        "frequencies.txt": "trip_id,start_time,end_time,headway_secs\nm1,07:00:00,08:00:00,600\n",
    }
    tables.update(override)
    return write_gtfs(tmp_path / "feed.zip", tables)


def test_quirks_capacity_and_brt(tmp_path: Path) -> None:
    feed = read_gtfs(small_feed(tmp_path))
    stops = stop_table([feed]).set_index("stop_id")
    assert stops.loc["A", "capacity"] == "low"
    assert stops.loc["S", "capacity"] == "high"
    assert stops.loc["C", "capacity"] == "high"  # metro calls at C as well as the bus
    assert stops.loc["X", "capacity"] == "low"
    brt = stop_table([feed], StopOptions(high_capacity_routes=("B1",))).set_index("stop_id")
    assert brt.loc["X", "capacity"] == "high"
    ferry_bus = stop_table([feed], StopOptions(route_type_capacity={3: "high"}))
    assert set(ferry_bus["capacity"]) == {"high"}


def test_frequencies_and_interpolated_times(tmp_path: Path) -> None:
    feed = read_gtfs(small_feed(tmp_path))
    rule = FrequencyFilter(date(2024, 3, 6), "07:00", "09:00", min_departures_per_hour=0)
    dph = departures_per_hour(feed, rule)
    # m1 runs every 600 s from 07:00 to 08:00 (6 starts); C is 5 min after S
    assert dph["S"] == 6 / 2
    # C: 6 metro departures 07:05 … 07:55, plus bus t1 at 07:30
    assert dph["C"] == 7 / 2
    # A: t1 07:10 and t2 08:50; B: t1 interpolated 07:20 (t2 at 09:10 is outside)
    assert dph["A"] == 2 / 2 and dph["B"] == 1 / 2
    saturday = departures_per_hour(feed, FrequencyFilter(date(2024, 3, 9), "07:00", "09:00"))
    assert saturday.sum() == 0
    kept = stop_table(
        [feed], StopOptions(frequency=FrequencyFilter(date(2024, 3, 6), min_departures_per_hour=3))
    )
    assert set(kept["stop_id"]) == {"S", "C"}


def test_calendar_dates_exceptions(tmp_path: Path) -> None:
    path = small_feed(
        tmp_path,
        **{"calendar_dates.txt": "service_id,date,exception_type\nWK,20240306,2\n"},
    )
    dph = departures_per_hour(read_gtfs(path), FrequencyFilter(date(2024, 3, 6)))
    assert dph.sum() == 0


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"stops.txt": "stop_id,stop_lat,stop_lon\n"}, "has no stops"),
        (
            {
                "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                "t1,7h10,7h10,A,1\n"
            },
            "malformed departure_time",
        ),
        (
            {
                "stop_times.txt": "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
                "t1,08:00:00,08:00:00,A,1\nt1,07:00:00,07:00:00,B,2\n"
            },
            "run backwards",
        ),
        ({"routes.txt": "route_id,route_type\nBUS,1700\nMET,1\nBRT,3\n"}, "no capacity class"),
        ({"stops.txt": "stop_id,stop_lat\nA,-30\n"}, "lacks the required column"),
    ],
)
def test_broken_feeds_say_what_and_how(tmp_path: Path, override, message) -> None:
    with pytest.raises(MethodError, match=message):
        feed = read_gtfs(small_feed(tmp_path, **override))
        stop_table([feed], StopOptions(frequency=FrequencyFilter(date(2024, 3, 6))))


def test_feed_without_stops_file(tmp_path: Path) -> None:
    path = write_gtfs(tmp_path / "nostops.zip", {"routes.txt": "route_id,route_type\n"})
    with pytest.raises(MethodError, match=r"has no stops\.txt"):
        read_gtfs(path)


def test_walk_network_from_pbf_excludes_non_walkable(tmp_path: Path) -> None:
    net, diag = read_walk_network(grid_pbf(tmp_path / "g.pbf", n=4))
    assert net.crs == "EPSG:32722"
    assert (net.n_nodes, net.n_edges) == (16, 24)
    assert np.allclose(net.length, 100.0, atol=0.5)  # 100 m blocks, UTM scale error < 0.5 %
    for tags, highway in (({"foot": "no"}, "residential"), ({}, "motorway")):
        with pytest.raises(MethodError, match="no walkable ways"):
            read_walk_network(grid_pbf(tmp_path / "n.pbf", n=3, extra_tags=tags, highway=highway))
    private = grid_pbf(tmp_path / "p.pbf", n=3, extra_tags={"access": "private", "foot": "yes"})
    assert read_walk_network(private)[0].n_edges == 12
    assert diag["components"] == 1


def test_population_formats_and_errors(tmp_path: Path) -> None:
    import rasterio
    from affine import Affine

    csv = tmp_path / "p.csv"
    csv.write_text("id, lon ,lat,population,female,male\n1,-51.2,-30.0,10,6,4\n")
    pop = read_population(csv)
    assert pop.crs.to_epsg() == 4326 and list(pop.columns) == [
        "population",
        "female",
        "male",
        "geometry",
    ]

    tif = tmp_path / "p.tif"
    data = np.array([[1.0, 0.0], [-9.0, 5.0]], dtype="float32")
    with rasterio.open(
        tif,
        "w",
        driver="GTiff",
        height=2,
        width=2,
        count=1,
        dtype="float32",
        crs="EPSG:32722",
        transform=Affine(100, 0, 500000, 0, -100, 6700000),
        nodata=-9.0,
    ) as dst:
        dst.write(data, 1)
    raster = read_population(tif)
    assert sorted(raster["population"]) == [1.0, 5.0]
    assert (raster.geometry.x.min(), raster.geometry.y.max()) == (500050.0, 6699950.0)

    no_crs = tmp_path / "nocrs.tif"
    with warnings.catch_warnings():  # writing a raster without CRS warns; that is the point
        warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
        dst = rasterio.open(
            no_crs,
            "w",
            driver="GTiff",
            height=1,
            width=1,
            count=1,
            dtype="float32",
            transform=Affine(1, 0, 0, 0, -1, 0),
        )
        dst.write(np.ones((1, 1), dtype="float32"), 1)
        dst.close()
    with pytest.raises(MethodError, match="no CRS"):
        read_population(no_crs)

    bad = tmp_path / "bad.csv"
    bad.write_text("lon,lat,population\n-51.2,,3\n")
    with pytest.raises(MethodError, match="empty geometries"):
        read_population(bad)
    bad.write_text("lon,lat,population\n-51.2,-30,-3\n")
    with pytest.raises(MethodError, match="negative"):
        read_population(bad)


@pytest.mark.parametrize("crs", ["EPSG:3857", "EPSG:31982", "EPSG:5880"])
def test_pipeline_is_invariant_to_the_population_crs(tmp_path: Path, crs: str) -> None:
    city = grid_city(tmp_path / "city", n=8)
    base = compute_transport_access([city["gtfs"]], city["osm"], city["population"])
    layer = read_population(city["population"]).to_crs(crs)
    gpkg = tmp_path / "pop.gpkg"
    layer.to_file(gpkg)
    assert gpd.read_file(gpkg).crs.to_string() == crs
    moved = compute_transport_access([city["gtfs"]], city["osm"], gpkg)
    assert moved.value == pytest.approx(base.value, abs=1e-9)
    assert (
        moved.components["population_points_served"] == base.components["population_points_served"]
    )
    assert moved.parameters["population_source_crs"] == crs
