"""Small synthetic cities for the 11.2.1 tests and benchmarks: a street grid as an OSM PBF,
a GTFS zip and a population CSV, all written into a folder."""

from __future__ import annotations

import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

LON0, LAT0 = -51.20, -30.03  # Porto Alegre: UTM zone 22S (EPSG:32722)
DEG_PER_M_LAT = 1 / 111_320.0


def write_gtfs(path: Path, tables: Mapping[str, str]) -> Path:
    """Write a GTFS zip from file name → CSV text."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in tables.items():
            archive.writestr(name, text)
    return path


def grid_pbf(
    path: Path,
    n: int = 10,
    spacing_m: float = 100.0,
    lon0: float = LON0,
    lat0: float = LAT0,
    extra_tags: Mapping[str, str] | None = None,
    highway: str = "residential",
) -> Path:
    """An n × n street grid (spacing in metres) around (lon0, lat0)."""
    import osmium

    dlat = spacing_m * DEG_PER_M_LAT
    dlon = dlat / np.cos(np.radians(lat0))
    if path.exists():
        path.unlink()
    writer = osmium.SimpleWriter(str(path))
    try:
        node_id = {}
        for i in range(n):
            for j in range(n):
                nid = 1 + i * n + j
                node_id[i, j] = nid
                writer.add_node(
                    osmium.osm.mutable.Node(id=nid, location=(lon0 + j * dlon, lat0 + i * dlat))
                )
        tags = {"highway": highway, **(extra_tags or {})}
        way = 1
        for i in range(n):
            writer.add_way(
                osmium.osm.mutable.Way(id=way, nodes=[node_id[i, j] for j in range(n)], tags=tags)
            )
            way += 1
        for j in range(n):
            writer.add_way(
                osmium.osm.mutable.Way(id=way, nodes=[node_id[i, j] for i in range(n)], tags=tags)
            )
            way += 1
    finally:
        writer.close()
    return path


def grid_gtfs(path: Path, n: int = 10, spacing_m: float = 100.0, every: int = 4) -> Path:
    """Bus stops at every ``every``-th grid crossing, one metro station in the corner."""
    dlat = spacing_m * DEG_PER_M_LAT
    dlon = dlat / np.cos(np.radians(LAT0))
    stops = ["stop_id,stop_name,stop_lat,stop_lon"]
    times = ["trip_id,arrival_time,departure_time,stop_id,stop_sequence"]
    seq = 0
    for i in range(0, n, every):
        for j in range(0, n, every):
            stops.append(f"b{i}_{j},Bus {i} {j},{LAT0 + i * dlat:.7f},{LON0 + j * dlon:.7f}")
            seq += 1
            times.append(f"bus1,08:{seq:02d}:00,08:{seq:02d}:00,b{i}_{j},{seq}")
    stops.append(f"m1,Metro,{LAT0:.7f},{LON0 + (n - 1) * dlon:.7f}")
    times += ["metro1,08:00:00,08:00:00,m1,1", "metro1,08:05:00,08:05:00,m1,2"]
    return write_gtfs(
        path,
        {
            "agency.txt": "agency_id, agency_name,agency_url,agency_timezone\r\n"
            "A,Test,http://example.org,America/Sao_Paulo\r\n",
            "routes.txt": "route_id,route_type\nR1,3\nM1,1\n",
            "trips.txt": "route_id,service_id,trip_id\nR1,WK,bus1\nM1,WK,metro1\n",
            "stops.txt": "\n".join(stops) + "\n",
            "stop_times.txt": "\n".join(times) + "\n",
            "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,"
            "sunday,start_date,end_date\nWK,1,1,1,1,1,0,0,20240101,20241231\n",
        },
    )


def grid_population(path: Path, n: int = 10, spacing_m: float = 100.0, seed: int = 0) -> Path:
    """Population points at the centres of the grid's blocks."""
    rng = np.random.default_rng(seed)
    dlat = spacing_m * DEG_PER_M_LAT
    dlon = dlat / np.cos(np.radians(LAT0))
    rows = ["lon,lat,population"]
    for i in range(n - 1):
        for j in range(n - 1):
            lon = LON0 + (j + 0.5) * dlon
            lat = LAT0 + (i + 0.5) * dlat
            rows.append(f"{lon:.7f},{lat:.7f},{int(rng.integers(0, 500))}")
    path.write_text("\n".join(rows) + "\n")
    return path


def grid_city(folder: Path, n: int = 10, seed: int = 0) -> dict[str, Path]:
    """A complete small city: osm, gtfs and population files in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    return {
        "osm": grid_pbf(folder / "city.osm.pbf", n=n),
        "gtfs": grid_gtfs(folder / "city_gtfs.zip", n=n),
        "population": grid_population(folder / "city_population.csv", n=n, seed=seed),
    }
