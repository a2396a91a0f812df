"""SDG 11.2.1 benchmark on Porto Alegre: the accessibility step against networkx.

Run on purpose, not in the test suite::

    .venv/bin/python benchmarks/bench_transport.py [--repeat 3]

Peers, side by side on the same graph (street network + one leaf per stop, the stop's snap
distance as the leaf edge):

* urbanagenda: ``scipy.sparse.csgraph.dijkstra(indices=stops, min_only=True, limit=L)``, one
  multi-source pass per capacity class (500 m low, 1,000 m high);
* networkx: ``multi_source_dijkstra_path_length(G, stops, cutoff=L)``, one call per class
  (networkx's own multi-source cutoff Dijkstra; graph construction not timed).

Goal: ≥ 10× faster, identical result (the same population points served).  The whole
pipeline (read GTFS, PBF and population, classify, snap, both passes) is timed as well.
Results go to ``benchmarks/out/bench_transport.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from urbanagenda.spatial.gtfs import read_gtfs, stop_table
from urbanagenda.spatial.network import read_walk_network
from urbanagenda.spatial.population import population_to_crs, read_population
from urbanagenda.spatial.transport_access import (
    TransportAccessParameters,
    compute_transport_access,
    distances_to_stops,
    stop_points,
)

ROOT = Path(__file__).resolve().parents[1]
POA = ROOT / "tests" / "specimens" / "city_bundles" / "porto_alegre"
OUT = ROOT / "benchmarks" / "out"


def best_of(repeat: int, fn):  # type: ignore[no-untyped-def]
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return min(times), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import networkx as nx

    gtfs = [POA / "poa_eptc.zip", POA / "poa_trensurb.zip"]
    pipeline_s, result = best_of(
        args.repeat,
        lambda: compute_transport_access(gtfs, POA / "poa_osm.pbf", POA / "poa_hexgrid.csv"),
    )
    network, _ = read_walk_network(POA / "poa_osm.pbf")
    stops = stop_points(stop_table([read_gtfs(p) for p in gtfs]), network.crs)
    population = population_to_crs(read_population(POA / "poa_hexgrid.csv"), network.crs)
    params = TransportAccessParameters()
    classes = {c: stops[stops["capacity"] == c] for c in ("low", "high")}
    xy = {c: np.column_stack([s.geometry.x, s.geometry.y]) for c, s in classes.items()}
    tree = network.kdtree  # built once per network; both peers use it for snapping
    pop_xy = np.column_stack([population.geometry.x, population.geometry.y])
    pop_snap, pop_node = tree.query(pop_xy)

    all_xy = np.column_stack([stops.geometry.x, stops.geometry.y])
    capacity = stops["capacity"].to_numpy()

    def ours() -> np.ndarray:
        groups = {c: (capacity == c, params.distance(c)) for c in ("low", "high")}
        dist, _ = distances_to_stops(network, all_xy, groups)
        served = np.zeros(len(pop_xy), dtype=bool)
        for c, (_, limit) in groups.items():
            served |= dist[c][pop_node] + pop_snap <= limit
        return served

    # networkx graph: the same nodes, edges and stop leaves
    graph = nx.Graph()
    graph.add_weighted_edges_from(
        zip(network.u.tolist(), network.v.tolist(), network.length.tolist(), strict=True)
    )
    leaves: dict[str, list[int]] = {}
    next_id = network.n_nodes
    for c in ("low", "high"):
        snap, node = tree.query(xy[c])
        leaves[c] = list(range(next_id, next_id + len(node)))
        graph.add_weighted_edges_from(zip(leaves[c], node.tolist(), snap.tolist(), strict=True))
        next_id += len(node)

    def peer() -> np.ndarray:
        served = np.zeros(len(pop_xy), dtype=bool)
        for c in ("low", "high"):
            limit = params.distance(c)
            reach = nx.multi_source_dijkstra_path_length(graph, leaves[c], cutoff=limit)
            dist = np.array([reach.get(int(n), np.inf) for n in pop_node])
            served |= dist + pop_snap <= limit
        return served

    ours_s, ours_served = best_of(args.repeat, ours)
    peer_s, peer_served = best_of(args.repeat, peer)
    identical = bool(np.array_equal(ours_served, peer_served))
    pop = population["population"].to_numpy()
    report = {
        "city": "Porto Alegre",
        "value_percent": result.value,
        "population_served": float(pop[ours_served].sum()),
        "network_nodes": network.n_nodes,
        "stops": {c: len(s) for c, s in classes.items()},
        "accessibility_step_s": {"urbanagenda_scipy": ours_s, "networkx_cutoff_dijkstra": peer_s},
        "speedup": peer_s / ours_s,
        "identical_served_points": identical,
        "whole_pipeline_s": pipeline_s,
    }
    print(f"11.2.1 Porto Alegre: {result.value:.4f} % ({report['population_served']:,.0f} served)")
    print(f"{'step':40} {'seconds':>10}")
    print(f"{'accessibility, scipy multi-source':40} {ours_s:10.4f}")
    print(f"{'accessibility, networkx cutoff Dijkstra':40} {peer_s:10.4f}")
    print(
        f"ratio networkx / urbanagenda: {peer_s / ours_s:.1f}x (goal ≥ 10x); identical: {identical}"
    )
    print(f"whole pipeline (read + classify + snap + both passes): {pipeline_s:.2f} s")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench_transport.json").write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
