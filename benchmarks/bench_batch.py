"""compute-batch benchmark: 200 generated urban centres on a Dask LocalCluster, 1 vs 2 workers.

Run on purpose, not in the test suite::

    .venv/bin/python benchmarks/bench_batch.py [--cities 200] [--grid 40]

Each generated city is a street grid (``--grid`` × ``--grid`` crossings, 100 m blocks) as an
OSM PBF, a GTFS feed (bus stops every 4th crossing and one metro station) and a population
CSV, built by ``tests/spatial/transport_city.py``.  The same manifest runs on a LocalCluster
with one worker process and then with two (one thread each, fresh result folders, so nothing
is skipped).  Goal: ≥ 1.7× speed-up; memory per task bounded (worker RSS after each task is
reported; the cluster's memory limit is 2 GiB per worker).  Each cluster is started, and its
workers have imported the engine, before the batch is timed (the start-up, a few seconds of
process spawning and imports, is reported beside it).  Results go to
``benchmarks/out/bench_batch.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "spatial"))

from distributed import Client, LocalCluster  # noqa: E402
from transport_city import grid_city  # noqa: E402

from urbanagenda.spatial.batch import read_manifest, run_batch  # noqa: E402


def _warm() -> None:
    """Import what a city task needs, in a worker, before the clock starts."""
    import urbanagenda.spatial.batch
    import urbanagenda.spatial.gtfs
    import urbanagenda.spatial.network
    import urbanagenda.spatial.transport_access  # noqa: F401


OUT = ROOT / "benchmarks" / "out"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cities", type=int, default=200)
    parser.add_argument("--grid", type=int, default=40)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_batch_"))
    try:
        start = time.perf_counter()
        rows = ["city_id,area_code,year,gtfs,osm,population"]
        for i in range(args.cities):
            city = grid_city(work / f"c{i:03d}", n=args.grid, seed=i)
            rows.append(
                f"c{i:03d},br_porto_alegre,2024,{city['gtfs']},{city['osm']},{city['population']}"
            )
        manifest = work / "manifest.csv"
        manifest.write_text("\n".join(rows) + "\n")
        tasks = read_manifest(manifest)
        print(
            f"generated {len(tasks)} cities in {time.perf_counter() - start:.1f} s "
            f"({args.grid}×{args.grid} grid each) on {os.cpu_count()} CPUs"
        )
        report: dict[str, object] = {"cities": len(tasks), "grid": args.grid}
        timings = {}
        for workers in (1, 2):
            # the cluster is started and its workers have imported the engine before the
            # clock starts: a fixed cost of a few seconds (reported apart), not the batch's
            cold = time.perf_counter()
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True,
                memory_limit="2GiB", dashboard_address=None,
            )  # fmt: skip
            client = Client(cluster)
            client.run(_warm)
            startup = time.perf_counter() - cold
            try:
                summary = run_batch(tasks, work / f"out{workers}", client=client)
            finally:
                client.close()
                cluster.close()
            assert summary.count("done") == len(tasks), summary.to_dict()
            rss = [o.rss_mb for o in summary.outcomes if o.rss_mb is not None]
            per_task = [o.seconds for o in summary.outcomes]
            timings[workers] = summary.seconds
            report[f"workers_{workers}"] = {
                "seconds": summary.seconds,
                "cluster_start_seconds": startup,
                "task_seconds_mean": sum(per_task) / len(per_task),
                "worker_rss_mb_max": max(rss),
                "worker_rss_mb_first": rss[0],
            }
            print(
                f"{workers} worker(s): {summary.seconds:7.2f} s (cluster start {startup:.1f} s "
                "before), mean task "
                f"{sum(per_task) / len(per_task):.3f} s, worker RSS max {max(rss):.0f} MiB"
            )
        speedup = timings[1] / timings[2]
        report["speedup_2_vs_1"] = speedup
        print(f"speed-up 2 vs 1 workers: {speedup:.2f}x (goal ≥ 1.7x)")
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "bench_batch.json").write_text(json.dumps(report, indent=1))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
