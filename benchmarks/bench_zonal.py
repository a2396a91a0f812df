"""Zonal statistics benchmark: ``urbanagenda.spatial.zonal.zonal_stats`` against its peers.

Run on purpose, not in the test suite::

    .venv/bin/python benchmarks/bench_zonal.py                    # all peers, ~2 minutes
    .venv/bin/python benchmarks/bench_zonal.py --skip rasterstats # without the slowest peer
    .venv/bin/python benchmarks/bench_zonal.py --polygons blobs   # 2,000 scattered discs

It generates (once, cached in ``--workdir``) a 10,000 × 10,000 float32 GeoTIFF, deflate,
512-pixel tiles, EPSG:3035, 100 m cells, a smooth field plus noise, and 2,000 polygons:
``voronoi`` (default) are the Voronoi cells of 2,000 random points clipped to the raster, so
every cell of the raster belongs to one polygon and most polygons cross tile edges;
``blobs`` are 2,000 discs of radius 2–20 km that overlap each other and the raster's edge.

Each contender runs in its own subprocess (no shared GDAL block cache) and reports wall time:
``read`` reads every tile once and does nothing else (the floor), ``ours`` is
``zonal_stats(path, polygons)`` (strips of whole tiles, both cores; ``ours-1-thread`` the
same with ``workers=1``, to show what the second core gives), ``exactextract`` is
``exact_extract(path, polygons, ["sum", "count"])``, ``rasterstats`` is
``zonal_stats(polygons, path, stats=["sum", "count"])`` (cell-centre rasterisation, so its sums
differ).  Goals from the issue: at least 2× faster than exactextract, 6× faster than rasterstats,
sums equal to exactextract's within 1e-6 relative.  Results go to ``benchmarks/out/``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

SIZE = 10_000
TILE = 512
N_POLYGONS = 2_000
ORIGIN = (4_000_000.0, 3_000_000.0)
CELL = 100.0
GOAL_VS_EXACTEXTRACT = 2.0
GOAL_VS_RASTERSTATS = 6.0
OUT = Path(__file__).parent / "out"


def make_raster(path: Path) -> None:
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    profile = {
        "driver": "GTiff",
        "width": SIZE,
        "height": SIZE,
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:3035",
        "transform": from_origin(ORIGIN[0], ORIGIN[1], CELL, CELL),
        "tiled": True,
        "blockxsize": TILE,
        "blockysize": TILE,
        "compress": "deflate",
        "nodata": -9999.0,
    }
    rng = np.random.default_rng(42)
    with rasterio.open(path, "w", **profile) as dst:
        for r0 in range(0, SIZE, 2 * TILE):
            h = min(2 * TILE, SIZE - r0)
            y = np.arange(r0, r0 + h)[:, None]
            x = np.arange(SIZE)[None, :]
            field = 100 + 50 * np.sin(x / 300.0) * np.cos(y / 470.0) + rng.normal(0, 5, (h, SIZE))
            dst.write(field.astype("float32"), 1, window=Window(0, r0, SIZE, h))


def make_polygons(path: Path, kind: str) -> None:
    import geopandas as gpd
    import shapely

    rng = np.random.default_rng(7)
    x0, y1 = ORIGIN
    x1, y0 = x0 + SIZE * CELL, y1 - SIZE * CELL
    points = shapely.points(rng.uniform(x0, x1, N_POLYGONS), rng.uniform(y0, y1, N_POLYGONS))
    box = shapely.box(x0, y0, x1, y1)
    if kind == "voronoi":
        cells = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=box)
        geoms = shapely.intersection(np.asarray(shapely.get_parts(cells)), box)
    else:
        geoms = shapely.buffer(points, rng.uniform(2_000, 20_000, N_POLYGONS), quad_segs=16)
    gpd.GeoDataFrame({"id": np.arange(len(geoms))}, geometry=geoms, crs="EPSG:3035").to_file(path)


RUNNERS = {
    "read": """
import rasterio, time
t = time.perf_counter()
with rasterio.open(RASTER) as src:
    total = 0.0
    for _, window in src.block_windows(1):
        total += float(src.read(1, window=window).sum())
print(time.perf_counter() - t)
""",
    "ours": """
import geopandas as gpd, numpy as np, time
from urbanagenda.spatial.zonal import zonal_stats
polygons = gpd.read_file(POLYGONS)
t = time.perf_counter()
stats = zonal_stats(RASTER, polygons)
elapsed = time.perf_counter() - t
np.save(OUTPUT, stats[["sum", "count"]].to_numpy())
print(elapsed)
""",
    "ours-1-thread": """
import geopandas as gpd, numpy as np, time
from urbanagenda.spatial.zonal import zonal_stats
polygons = gpd.read_file(POLYGONS)
t = time.perf_counter()
stats = zonal_stats(RASTER, polygons, workers=1)
elapsed = time.perf_counter() - t
np.save(OUTPUT, stats[["sum", "count"]].to_numpy())
print(elapsed)
""",
    "exactextract": """
import geopandas as gpd, numpy as np, time
from exactextract import exact_extract
polygons = gpd.read_file(POLYGONS)
t = time.perf_counter()
stats = exact_extract(RASTER, polygons, ["sum", "count"], output="pandas")
elapsed = time.perf_counter() - t
np.save(OUTPUT, stats[["sum", "count"]].to_numpy())
print(elapsed)
""",
    "rasterstats": """
import geopandas as gpd, numpy as np, time
from rasterstats import zonal_stats
polygons = gpd.read_file(POLYGONS)
t = time.perf_counter()
stats = zonal_stats(polygons, RASTER, stats=["sum", "count"])
elapsed = time.perf_counter() - t
np.save(OUTPUT, np.array([[s["sum"] or 0.0, s["count"]] for s in stats]))
print(elapsed)
""",
}


def run(name: str, raster: Path, polygons: Path, workdir: Path) -> tuple[float, Path]:
    output = workdir / f"{name}.npy"
    code = (
        f"RASTER = {str(raster)!r}\nPOLYGONS = {str(polygons)!r}\nOUTPUT = {str(output)!r}\n"
        + RUNNERS[name]
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{name} failed:\n{done.stderr}")
    return float(done.stdout.strip().splitlines()[-1]), output


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/urbanagenda-bench-zonal"))
    parser.add_argument("--polygons", choices=("voronoi", "blobs"), default="voronoi")
    parser.add_argument("--skip", nargs="*", default=[], choices=sorted(RUNNERS))
    parser.add_argument("--repeat", type=int, default=1, help="runs per contender (best kept)")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    raster = args.workdir / "values.tif"
    polygons = args.workdir / f"{args.polygons}.gpkg"
    if not raster.exists():
        print("generating the raster …", flush=True)
        make_raster(raster)
    if not polygons.exists():
        make_polygons(polygons, args.polygons)
    times: dict[str, float] = {}
    outputs: dict[str, Path] = {}
    for name in ("read", "ours", "ours-1-thread", "exactextract", "rasterstats"):
        if name in args.skip:
            continue
        best = min(run(name, raster, polygons, args.workdir)[0] for _ in range(args.repeat))
        times[name] = best
        outputs[name] = args.workdir / f"{name}.npy"
        print(f"{name:>13}: {best:7.2f} s", flush=True)
    report: dict[str, object] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "load_average": os.getloadavg(),
        "polygons": args.polygons,
        "seconds": times,
    }
    if "ours" in times:
        for peer, goal in (
            ("exactextract", GOAL_VS_EXACTEXTRACT),
            ("rasterstats", GOAL_VS_RASTERSTATS),
        ):
            if peer in times:
                ratio = times[peer] / times["ours"]
                report[f"speedup_vs_{peer}"] = ratio
                print(f"ours vs {peer}: {ratio:.2f}× (goal ≥ {goal}×)")
        if "ours-1-thread" in times:
            gain = times["ours-1-thread"] / times["ours"]
            report["two_threads_vs_one"] = gain
            print(f"ours, {os.cpu_count()} threads vs 1: {gain:.2f}×")
        if "read" in times:
            report["ours_over_read_only"] = times["ours"] / times["read"]
            print(f"ours / read only: {times['ours'] / times['read']:.2f}")
        if "exactextract" in times:
            ours, theirs = np.load(outputs["ours"]), np.load(outputs["exactextract"])
            rel = np.abs(ours[:, 0] - theirs[:, 0]) / np.maximum(np.abs(theirs[:, 0]), 1e-12)
            report["max_relative_sum_difference_vs_exactextract"] = float(rel.max())
            print(f"max relative difference of sums vs exactextract: {rel.max():.2e} (goal 1e-6)")
    OUT.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    for name in (f"bench_zonal-{stamp}.json", "bench_zonal-latest.json"):
        (OUT / name).write_text(json.dumps(report, indent=1))
    print(f"load average during the run: {report['load_average']}")
    time.sleep(0)


if __name__ == "__main__":
    main()
